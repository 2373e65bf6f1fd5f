"""Config checks that need the loaded rules: rule ids, their parameters and severities, waivers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker.config import ConfigError, LoadedConfig
from checker.messages import pydantic_problem
from checker.packs.model import Rule, leaves


def validate_config(loaded: LoadedConfig, rules: list[Rule], root: Path) -> None:
    """Raise ConfigError with every problem at once. (Paths are checked when the config is loaded.)"""
    by_id = {rule.id: rule for rule in rules}
    problems = _override_problems(loaded, by_id) + _waiver_problems(loaded, by_id)
    if problems:
        raise ConfigError(problems)


def _override_problems(loaded: LoadedConfig, by_id: dict[str, Rule]) -> list[str]:
    problems = []
    for rule_id, override in loaded.config.rules.items():
        if rule_id not in by_id:
            problems.append(loaded.problem(("rules", rule_id), f"unknown rule id {rule_id!r}"))
            continue
        for key, value in override.params.items():
            problem = _param_problem(by_id[rule_id], key, value)
            if problem:
                problems.append(loaded.problem(("rules", rule_id, "params", key), problem))
    return problems


def _param_problem(rule: Rule, key: str, value: Any) -> str | None:
    if key not in rule.params:
        known = ", ".join(sorted(rule.params)) or "none"
        return f"{rule.id} has no parameter {key!r} (parameters: {known})"
    for leaf in leaves(rule.check):
        if key in type(leaf.params).model_fields:
            try:
                type(leaf.params).model_validate({**leaf.params.model_dump(by_alias=True), key: value})
            except ValidationError as exc:
                return pydantic_problem(dict(exc.errors()[0]))
    return None


def _waiver_problems(loaded: LoadedConfig, by_id: dict[str, Rule]) -> list[str]:
    problems = []
    for i, waiver in enumerate(loaded.config.waivers):
        rule = by_id.get(waiver.rule)
        if rule is None:
            problems.append(loaded.problem(("waivers", i, "rule"), f"unknown rule id {waiver.rule!r}"))
        elif not rule.waivable:
            problems.append(loaded.problem(("waivers", i, "rule"), f"{rule.id} is not waivable (waivable: false)"))
    return problems
