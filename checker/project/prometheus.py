"""Prometheus alerting and recording rules, from PrometheusRule resources (`spec.groups`) and from plain
rule files (`groups: [{name, rules: [{alert | record, expr, …}]}]`, as Prometheus, Thanos and Mimir read)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.project import classify as kinds
from checker.project.index import InputError
from checker.yamlpos import PathPart, PosDict, position_of

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex


@dataclass(frozen=True)
class PromRule:
    name: str  # the alert or record name
    is_alert: bool
    group: str
    data: PosDict
    path: str
    line: int | None  # of the `alert:` / `record:` key

    @property
    def labels(self) -> dict[str, Any]:
        return _mapping(self.data.get("labels"))

    @property
    def annotations(self) -> dict[str, Any]:
        return _mapping(self.data.get("annotations"))

    @property
    def label(self) -> str:
        return f"alert '{self.name}'" if self.is_alert else f"recording rule '{self.name}'"


def prometheus_rules(index: ProjectIndex) -> list[PromRule]:
    return index.derived("prometheus_rules", _collect)  # type: ignore[no-any-return]


def _collect(index: ProjectIndex) -> list[PromRule]:
    found: list[PromRule] = []
    for resource in index.kube.of_kind("PrometheusRule"):
        found += _rules_of(resource.doc, ("spec",), resource.path)
    manifests = set(index.kube.files)
    for source in index.of_kind(kinds.YAML):
        if source.path not in manifests and not source.kinds & {
            kinds.COMPOSE,
            kinds.HELM_TEMPLATE,
            kinds.CONFIG,
        }:
            found += _rules_in_file(index, source.path)
    return found


def _rules_in_file(index: ProjectIndex, path: str) -> list[PromRule]:
    try:
        text = index.text(path)
        if "groups" not in text or "rules" not in text:
            return []  # cheap text filter before parsing
        docs = index.yaml(path)
    except InputError:
        return []
    found: list[PromRule] = []
    for doc in docs:
        if isinstance(doc, PosDict) and "kind" not in doc:
            found += _rules_of(doc, (), path)
    return found


def _rules_of(root: PosDict, base: tuple[PathPart, ...], path: str) -> list[PromRule]:
    """Rules under `<base>.groups[*].rules[*]` that name an alert or a record and have an expression."""
    groups = _get(root, base + ("groups",))
    found: list[PromRule] = []
    for gi, group in enumerate(groups if isinstance(groups, list) else []):
        rules = group.get("rules") if isinstance(group, dict) else None
        for ri, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, PosDict) or "expr" not in rule:
                continue
            key = "alert" if "alert" in rule else "record" if "record" in rule else None
            if key is not None:
                pos = position_of(root, (*base, "groups", gi, "rules", ri, key))
                found.append(
                    PromRule(
                        str(rule[key]),
                        key == "alert",
                        str(group.get("name", "")),
                        rule,
                        path,
                        pos[0] if pos else None,
                    )
                )
    return found


def _get(root: Any, path: tuple[PathPart, ...]) -> Any:
    for part in path:
        root = root.get(part) if isinstance(root, dict) else None
    return root


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
