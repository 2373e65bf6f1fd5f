"""Config checks that need the loaded rules and the project: rule ids, parameters, waivers, paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker.config import ConfigError, LoadedConfig
from checker.packs.model import Rule, leaves
from checker.yamlpos import PathPart


def validate_config(loaded: LoadedConfig, rules: list[Rule], root: Path) -> None:
    """Raise ConfigError with every problem at once."""
    by_id = {rule.id: rule for rule in rules}
    problems = _override_problems(loaded, by_id) + _waiver_problems(loaded, by_id) + _path_problems(loaded, root)
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
                return exc.errors()[0]["msg"]
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


def _path_problems(loaded: LoadedConfig, root: Path) -> list[str]:
    config = loaded.config
    paths: list[tuple[tuple[PathPart, ...], str | None]] = [
        (("slo", "evidence"), config.slo.evidence),
        (("model", "metadata"), config.model.metadata),
        (("api", "spec"), config.api.spec),
        (("api", "previous", "file"), config.api.previous.file if config.api.previous else None),
    ]
    paths += [(("rule_packs", i), p) for i, p in enumerate(config.rule_packs)]
    paths += _dataset_paths(loaded)
    return [
        loaded.problem(key, problem)
        for key, value in paths if value is not None
        for problem in [_path_problem(root, value)] if problem
    ]  # fmt: skip


def _dataset_paths(loaded: LoadedConfig) -> list[tuple[tuple[PathPart, ...], str | None]]:
    data = loaded.config.data
    found: list[tuple[tuple[PathPart, ...], str | None]] = []
    if data.reference:
        found += [(("data", "reference", "path"), data.reference.path), (("data", "reference", "suite"), data.reference.suite)]
    serving_list = isinstance(data.serving, list)
    for i, dataset in enumerate(data.serving_sets):
        base: tuple[PathPart, ...] = ("data", "serving", i) if serving_list else ("data", "serving")
        found += [((*base, "path"), dataset.path), ((*base, "suite"), dataset.suite)]
    return found


def _path_problem(root: Path, value: str) -> str | None:
    root = root.resolve()
    if Path(value).is_absolute():
        return f"path {value!r} must be relative to the project root"
    target = (root / value).resolve()
    if not target.is_relative_to(root):
        return f"path {value!r} leaves the project root"
    if any(ch in value for ch in "*?["):
        return None if any(root.glob(value)) else f"no file matches {value!r}"
    return None if target.exists() else f"path {value!r} does not exist"
