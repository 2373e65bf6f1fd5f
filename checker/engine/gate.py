"""The gate a run applies, and every change the project's own config makes to it.

Without `--policy`, each change is listed in every report ("gate changes"), so a reviewer of a pull request sees
"category security disabled by readiness.yaml:12" at a glance. With a policy (checker.policy), the gate is the
policy's: the project's config keeps its facts and waivers, may tighten the gate, and may loosen it only where
the policy's `project_may:` says so — any other loosening is a config error at the key that tries it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checker.config import ConfigError, LoadedConfig, ProjectConfig, RuleOverride, ScopeConfig
from checker.model import GateChange, Severity
from checker.packs.model import Rule
from checker.policy import LoadedPolicy, Policy

DEFAULT_FAIL_ON = Severity.HIGH


@dataclass(frozen=True)
class _Edit:
    key: tuple[Any, ...]  # the config key that makes the change
    change: str
    weakens: bool
    may: str  # the `project_may:` entry that permits it under a policy


def gate_changes(loaded: LoadedConfig, rules: list[Rule]) -> tuple[GateChange, ...]:
    """Every change the project's config makes to the built-in gate, in the order written."""
    return tuple(_change(loaded, edit) for edit in _edits(loaded.config, Policy(), rules))


def apply_policy(loaded: LoadedConfig, policy: LoadedPolicy, rules: list[Rule]) -> tuple[GateChange, ...]:
    """Replace `loaded.config`'s gate by the policy's, keeping the project's permitted edits; raise ConfigError
    for every loosening the policy does not permit and every waiver it does not allow."""
    project = loaded.config
    edits = _edits(project, policy.policy, rules)
    refused = [e for e in edits if e.weakens and e.may not in policy.policy.project_may]
    problems = [loaded.problem(e.key, f"{e.change}: the policy {policy.file} does not let the project config weaken "
                                      f"the gate (its `project_may:` would need {e.may!r})") for e in refused]  # fmt: skip
    problems += _waiver_problems(loaded, policy, rules)
    if problems:
        raise ConfigError(problems)
    kept = [e for e in edits if e not in refused]
    loaded.config = _effective(project, policy.policy, {e.key for e in kept})
    return tuple(_change(loaded, e) for e in kept)


def _change(loaded: LoadedConfig, edit: _Edit) -> GateChange:
    where = loaded.locate(edit.key) if loaded.file else None
    return GateChange(key=".".join(str(k) for k in edit.key), change=edit.change, where=where, weakens=edit.weakens)


# --- what the project's config changes, against a base gate (the built-ins, or a policy) ----------------


def _edits(project: ProjectConfig, base: Policy, rules: list[Rule]) -> list[_Edit]:
    by_id = {r.id: r for r in rules}
    return [
        *_fail_on_edits(project, base),
        *_category_edits(project, base),
        *(edit for rule_id, override in project.rules.items() if rule_id in by_id
          for edit in _rule_edits(rule_id, override, by_id[rule_id], base)),
        *(_Edit(("exclude", i), f"files matching {pattern!r} excluded", True, "exclude")
          for i, pattern in enumerate(project.exclude) if pattern not in base.exclude),
        *_scope_edits(project, base),
        *_limit_edits(project, base),
        *_inline_waiver_edits(project, base),
    ]  # fmt: skip


def _fail_on_edits(project: ProjectConfig, base: Policy) -> Iterator[_Edit]:
    current = base.fail_on or DEFAULT_FAIL_ON
    if project.fail_on is not None and project.fail_on != current:
        raised = project.fail_on.rank > current.rank  # a higher threshold lets more failures through
        word = "raised" if raised else "lowered"
        yield _Edit(("fail_on",), f"fail_on {word} from {current.value} to {project.fail_on.value}", raised, "fail_on")


def _category_edits(project: ProjectConfig, base: Policy) -> Iterator[_Edit]:
    for category, setting in project.categories.items():
        before = base.categories[category].enabled if category in base.categories else True
        if setting.enabled != before:
            word = "enabled" if setting.enabled else "disabled"
            yield _Edit(("categories", category.value, "enabled"), f"category {category.value} {word}",
                        not setting.enabled, "categories")  # fmt: skip


def _rule_edits(rule_id: str, override: RuleOverride, rule: Rule, base: Policy) -> Iterator[_Edit]:
    policy = base.rules.get(rule_id, RuleOverride())
    enabled_before = policy.enabled if policy.enabled is not None else rule.enabled
    if override.enabled is not None and override.enabled != enabled_before:
        word = "enabled" if override.enabled else "disabled"
        yield _Edit(("rules", rule_id, "enabled"), f"{rule_id} {word}", not override.enabled, "rules.enabled")
    severity_before = policy.severity or rule.severity
    if override.severity is not None and override.severity != severity_before:
        lowered = override.severity.rank < severity_before.rank
        word = "lowered" if lowered else "raised"
        yield _Edit(("rules", rule_id, "severity"),
                    f"{rule_id} severity {word} from {severity_before.value} to {override.severity.value}",
                    lowered, "rules.severity")  # fmt: skip
    params_before = {**rule.params, **policy.params}
    for key, value in override.params.items():
        if params_before.get(key) != value:
            # The direction of a parameter is the rule's business (a higher max_psi loosens DAT006, a higher
            # min_share tightens SEC009): any change counts as one that may loosen the gate.
            yield _Edit(("rules", rule_id, "params", key),
                        f"{rule_id} parameter {key} changed from {params_before.get(key)!r} to {value!r}",
                        True, "rules.params")  # fmt: skip


def _scope_edits(project: ProjectConfig, base: Policy) -> Iterator[_Edit]:
    """Files taken out of scope loosen the gate; files brought into it (below tests/, examples/, …) tighten it."""
    for i, pattern in enumerate(project.scope.exclude):
        if pattern not in base.scope.exclude:
            yield _Edit(("scope", "exclude", i), f"files matching {pattern!r} out of scope", True, "scope.exclude")
    for i, pattern in enumerate(project.scope.include):
        if pattern not in base.scope.include:
            yield _Edit(("scope", "include", i), f"files matching {pattern!r} in scope", False, "scope.include")


def _limit_edits(project: ProjectConfig, base: Policy) -> Iterator[_Edit]:
    for name in sorted(project.limits.model_fields_set):
        value, before = getattr(project.limits, name), getattr(base.limits, name)
        if value != before:
            raised = before is not None and (value is None or value > before)
            word = "raised" if raised else "lowered"
            yield _Edit(("limits", name), f"limit {name} {word} from {_number(before)} to {_number(value)}", raised, "limits")


def _number(value: object) -> str:
    """`8` and `64` as written, not `8.0`: limits are float fields with whole-number defaults."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _inline_waiver_edits(project: ProjectConfig, base: Policy) -> Iterator[_Edit]:
    if "inline_waivers" in project.model_fields_set and project.inline_waivers != base.inline_waivers:
        word = "turned on" if project.inline_waivers else "turned off"
        yield _Edit(("inline_waivers",), f"inline waivers (# nosec, pragma: allowlist secret) {word}",
                    project.inline_waivers, "inline_waivers")  # fmt: skip


# --- the effective config under a policy -------------------------------------------------------------


def _effective(project: ProjectConfig, policy: Policy, kept: set[tuple[Any, ...]]) -> ProjectConfig:
    """The policy's gate, with the project's kept edits on top, and the project's facts and waivers."""
    categories = dict(policy.categories)
    for category, setting in project.categories.items():
        if ("categories", category.value, "enabled") in kept:
            categories[category] = setting
    limits = policy.limits.model_copy(update={
        name: getattr(project.limits, name) for name in project.limits.model_fields_set if ("limits", name) in kept
    })  # fmt: skip
    update: dict[str, Any] = {
        "fail_on": project.fail_on if ("fail_on",) in kept else policy.fail_on,
        "categories": categories,
        "rules": _effective_rules(project, policy, kept),
        "exclude": [*policy.exclude, *(p for i, p in enumerate(project.exclude) if ("exclude", i) in kept)],
        "scope": ScopeConfig(**{side: [*getattr(policy.scope, side), *(
            p for i, p in enumerate(getattr(project.scope, side)) if ("scope", side, i) in kept)]
            for side in ("include", "exclude")}),  # fmt: skip
        "limits": limits,
        "inline_waivers": project.inline_waivers if ("inline_waivers",) in kept else policy.inline_waivers,
    }
    return project.model_copy(update=update)


def _effective_rules(project: ProjectConfig, policy: Policy, kept: set[tuple[Any, ...]]) -> dict[str, RuleOverride]:
    rules = dict(policy.rules)
    for rule_id, override in project.rules.items():
        base = rules.get(rule_id, RuleOverride())
        enabled = override.enabled if ("rules", rule_id, "enabled") in kept else base.enabled
        severity = override.severity if ("rules", rule_id, "severity") in kept else base.severity
        params = {**base.params, **{k: v for k, v in override.params.items() if ("rules", rule_id, "params", k) in kept}}
        rules[rule_id] = RuleOverride(enabled=enabled, severity=severity, params=params)
    return rules


def _waiver_problems(loaded: LoadedConfig, policy: LoadedPolicy, rules: list[Rule]) -> list[str]:
    allow = policy.policy.waivers.allow
    if allow is None:
        return []
    categories = {r.id: r.category for r in rules}
    problems = []
    for i, waiver in enumerate(loaded.config.waivers):
        category = categories.get(waiver.rule)
        if waiver.rule not in allow and (category is None or category.value not in allow):
            allowed = ", ".join(allow) or "none"
            problems.append(loaded.problem(("waivers", i, "rule"),
                                           f"the policy {policy.file} does not allow waiving {waiver.rule} "
                                           f"(waivers.allow: {allowed})"))  # fmt: skip
    return problems

