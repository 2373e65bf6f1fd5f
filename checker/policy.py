"""A trusted gate from outside the checked tree (SPEC §9 *Trusted policy*): `readiness check --policy FILE`.

On an untrusted pull request the project's own config must not be able to switch the gate off. With a policy,
the gate — fail_on, categories, rule enablement, severities and parameters, exclude, scope, limits, inline waivers and
which rules may be waived — comes from the policy file; the project's config supplies facts and waivers only.
This module reads and validates the policy file; `checker.engine.gate` applies it once the rules are known.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError, field_validator

from checker.config import (
    CONFIG_MAX_DEPTH,
    CategoryConfig,
    ConfigError,
    Limits,
    LoadedConfig,
    ProjectConfig,
    RuleOverride,
    ScopeConfig,
    Strict,
    _pydantic_problem,
)
from checker.model import Category, Severity
from checker.yamlpos import YamlError, duplicate_keys, format_path, load_one, read_text

# Gate keys a policy can let the project's config set even where they weaken the gate.
ProjectMay = Literal[
    "fail_on", "categories", "rules.enabled", "rules.severity", "rules.params", "exclude", "scope.exclude", "limits",
    "inline_waivers",
]


class PolicyWaivers(Strict):
    # Rule ids or categories the project's waivers may name; unset: every waivable rule, []: none.
    allow: list[str] | None = None


class Policy(Strict):
    fail_on: Severity | None = None
    categories: dict[Category, CategoryConfig] = {}
    rules: dict[str, RuleOverride] = {}
    exclude: list[str] = []
    scope: ScopeConfig = ScopeConfig()
    limits: Limits = Limits()
    inline_waivers: bool = True
    waivers: PolicyWaivers = PolicyWaivers()
    project_may: list[ProjectMay] = []

    @field_validator("limits")
    @classmethod
    def _only_lower(cls, limits: Limits) -> Limits:
        """A policy protects the runner: it may tighten the built-in caps, never loosen them."""
        defaults = Limits()
        raised = [
            name for name, value in limits.model_dump().items()
            if value is not None and getattr(defaults, name) is not None and value > getattr(defaults, name)
        ]  # fmt: skip
        if raised:
            raise ValueError(f"a policy can only lower limits; raised: {', '.join(raised)}")
        return limits


@dataclass
class LoadedPolicy:
    policy: Policy
    file: str
    doc: Any

    def problem(self, path: tuple[Any, ...], message: str) -> str:
        return LoadedConfig(ProjectConfig(), file=self.file, doc=self.doc).problem(path, message)


def load_policy(path: Path, target: Path) -> LoadedPolicy:
    """The policy file, which must live outside the checked tree. Raises ConfigError (exit 2)."""
    shown = str(path)
    resolved = path.resolve()
    if resolved.is_relative_to(target.resolve()):
        raise ConfigError([f"{shown}:1:1: (policy): the policy must come from outside the checked tree, not from it"])
    try:
        text = read_text(path)
        doc = load_one(text, max_depth=CONFIG_MAX_DEPTH)
    except FileNotFoundError:
        raise ConfigError([f"{shown}:1:1: (policy): policy file not found"]) from None
    except OSError as exc:
        raise ConfigError([f"{shown}:1:1: (policy): cannot read the policy: {exc.strerror or exc}"]) from None
    except YamlError as exc:
        raise ConfigError([f"{shown}:{exc.line or 1}:{exc.column or 1}: (yaml): {exc.message}"]) from None
    loaded = LoadedPolicy(Policy(), shown, doc)
    if doc is None:
        return loaded
    if not isinstance(doc, dict):
        raise ConfigError([loaded.problem((), "the policy must be a mapping of keys")])
    problems = [
        f"{shown}:{line}:{col}: {format_path(key_path)}: duplicate key (first written at line {first[0]}, column {first[1]})"
        for key_path, (line, col), first in duplicate_keys(doc)
    ]
    try:
        loaded.policy = Policy.model_validate(doc)
    except ValidationError as exc:
        as_config = LoadedConfig(ProjectConfig(), file=shown, doc=doc)
        problems += [_pydantic_problem(err, as_config, Policy) for err in exc.errors()]
    if problems:
        raise ConfigError(problems)
    return loaded
