"""A loaded rule: its metadata plus a check tree whose leaves are validated check-type parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Union

from checker.model import Category, Severity

if TYPE_CHECKING:
    from checker.checks.base import Params
    from checker.checks.registry import Registry


@dataclass(frozen=True)
class TypedCheck:
    """A check-type leaf: its parameters as written, validated into the check type's model on first use.

    User packs touch `params` while loading, so every error is reported with its file:line:col; the built-in
    packs (held to the schema by the test suite) build a leaf's parameters only when a run evaluates it.
    """

    type: str
    raw: dict[str, Any]  # the parameters as written, without `type`
    registry: Registry = field(compare=False, repr=False)

    @cached_property
    def params(self) -> Params:
        return self.registry.get(self.type).params.model_validate(self.raw)


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
