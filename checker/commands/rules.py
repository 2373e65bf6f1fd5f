"""`readiness rules list|show|validate` and `readiness schema`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from checker.checks.registry import default_registry
from checker.config import LoadedConfig
from checker.engine.packs import builtin_pack_dir, load_rules, pack_files
from checker.engine.run import UsageError
from checker.packs.loader import load_packs
from checker.packs.model import Rule
from checker.packs.schema import build_schema


def _rules(extra: tuple[Path, ...]) -> list[Rule]:
    return load_rules(Path.cwd(), LoadedConfig(config=_empty_config()), extra, default_registry())


def _empty_config():  # type: ignore[no-untyped-def]
    from checker.config import ProjectConfig

    return ProjectConfig()


def list_rules(category: str | None, extra: tuple[Path, ...]) -> str:
    rules = [r for r in _rules(extra) if category is None or r.category.value == category]
    rules.sort(key=lambda r: r.id)
    return "".join(f"{r.id:<8} {r.category.value:<19} {r.severity.value:<9} {r.title}\n" for r in rules)


def show_rule(rule_id: str, extra: tuple[Path, ...]) -> str:
    rule = next((r for r in _rules(extra) if r.id == rule_id), None)
    if rule is None:
        raise UsageError(f"unknown rule id {rule_id!r} (see `readiness rules list`)")
    check = yaml.safe_dump(rule.raw_check, sort_keys=False, allow_unicode=True).rstrip()
    sections = [
        f"{rule.id}: {rule.title}",
        f"category: {rule.category.value}    severity: {rule.severity.value}    "
        f"waivable: {'yes' if rule.waivable else 'no'}    defined at: {rule.source}",
        f"reads: {'; '.join(rule.inputs)}" if rule.inputs else "",
        f"\nDescription\n  {rule.description}",
        f"\nRationale\n  {rule.rationale}",
        f"\nRemediation\n  {rule.remediation}",
        f"\nParameters\n  {json.dumps(rule.params)}" if rule.params else "",
        "\nCheck\n" + "\n".join("  " + line for line in check.splitlines()),
    ]
    return "\n".join(s for s in sections if s) + "\n"


def validate_files(files: tuple[Path, ...]) -> str:
    """Validate user packs; ids may not clash with built-in ones either."""
    # Validating the built-in packs themselves must not report each rule as clashing with itself.
    given = {f.resolve() for f in files}
    others = [p for p in pack_files(builtin_pack_dir()) if p.resolve() not in given]
    builtin = load_packs(others, display_root=Path.cwd())
    mine = load_packs(files, display_root=None, reserved={r.id: r.source for r in builtin})
    return f"ok: {len(mine)} rules in {len(files)} files"


def schema_text() -> str:
    return json.dumps(build_schema(default_registry()), indent=2) + "\n"


def reference_markdown(rules: list[Rule]) -> str:
    """The rule reference (docs/rules.md), generated from the built-in packs."""
    from checker.model import CATEGORY_ORDER

    out = ["# Built-in rules", "", "Generated from `rules/*.yaml` by `python scripts/regenerate.py`; do not edit.", ""]
    out += ["| id | category | severity | title |", "|---|---|---|---|"]
    ordered = sorted(rules, key=lambda r: (CATEGORY_ORDER.index(r.category), r.id))
    out += [f"| [{r.id}](#{r.id.lower()}) | {r.category.value} | {r.severity.value} | {r.title} |" for r in ordered]
    out += ["", "## Check types", "", "Rules combine these with `all`, `any` and `not`; `readiness schema` lists every parameter.", ""]
    out += ["| type | summary |", "|---|---|"]
    out += [f"| `{check.name}` | {check.summary} |" for check in default_registry()]
    for rule in ordered:
        out += ["", f"## {rule.id}", "", f"**{rule.title}** — {rule.category.value}, {rule.severity.value}"
                + ("" if rule.waivable else ", not waivable"), ""]  # fmt: skip
        if rule.inputs:
            out += [f"*Reads:* {'; '.join(rule.inputs)}", ""]
        out += [rule.description, "", f"*Why:* {rule.rationale}", "", f"*Fix:* {rule.remediation}", ""]
        if rule.params:
            out += ["*Parameters (defaults):* " + ", ".join(f"`{k}: {json.dumps(v)}`" for k, v in rule.params.items()), ""]
    return "\n".join(out).rstrip() + "\n"
