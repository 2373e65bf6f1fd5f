"""A loaded rule: its metadata plus a check tree whose leaves are validated check-type parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from checker.checks.base import Params
from checker.model import Category, Severity


@dataclass(frozen=True)
class TypedCheck:
    type: str
    params: Params


@dataclass(frozen=True)
class AllChecks:
    children: tuple[CheckNode, ...]


@dataclass(frozen=True)
class AnyChecks:
    children: tuple[CheckNode, ...]


@dataclass(frozen=True)
class NotCheck:
    child: CheckNode


CheckNode = Union[TypedCheck, AllChecks, AnyChecks, NotCheck]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    category: Category
    severity: Severity
    description: str
    rationale: str
    remediation: str
    check: CheckNode
    raw_check: Any  # the check definition as written, for `rules show`
    source: str  # "file:line" of the rule's `id`
    pack: str
    waivable: bool = True
    enabled: bool = True
    message: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


def leaves(node: CheckNode) -> list[TypedCheck]:
    if isinstance(node, TypedCheck):
        return [node]
    if isinstance(node, NotCheck):
        return leaves(node.child)
    return [leaf for child in node.children for leaf in leaves(child)]
