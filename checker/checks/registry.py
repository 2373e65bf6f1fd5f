"""The registry of check types. A rule pack names a check type; only Python code can add one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from checker.checks.base import CheckContext, Outcome, Params

PLUGIN_GROUP = "readiness.checks"

# Each check takes its own Params subclass; the registry pairs it with that model.
CheckFunction = Callable[[CheckContext, Any], Outcome]


@dataclass(frozen=True)
class CheckType:
    name: str
    params: type[Params]
    run: CheckFunction
    summary: str
    # Input kinds the check reads (see checker.project.classify): pre-commit mode selects rules by them.
    inputs: tuple[str, ...] = ()


@dataclass
class Registry:
    _types: dict[str, CheckType] = field(default_factory=dict)

    def register(self, check: CheckType) -> None:
        if check.name in self._types:
            raise ValueError(f"check type {check.name!r} is already registered")
        self._types[check.name] = check

    def get(self, name: str) -> CheckType:
        return self._types[name]

    def __contains__(self, name: str) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[CheckType]:
        return iter(sorted(self._types.values(), key=lambda c: c.name))


def check_type(
    registry: Registry, name: str, params: type[Params], summary: str, inputs: tuple[str, ...] = ()
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: register `func` as check type `name` with its parameter model."""

    def decorate(func: CheckFunction) -> CheckFunction:
        registry.register(CheckType(name=name, params=params, run=func, summary=summary, inputs=inputs))
        return func

    return decorate


_default: Registry | None = None


def default_registry() -> Registry:
    """Built-in check types plus those of installed plugins (entry point group `readiness.checks`)."""
    global _default
    if _default is None:
        from checker.checks import builtin

        registry = Registry()
        builtin.register_all(registry)
        _load_plugins(registry)
        _default = registry
    return _default


def _load_plugins(registry: Registry) -> None:
    from importlib.metadata import entry_points

    for entry in entry_points(group=PLUGIN_GROUP):
        plugin = entry.load()
        if isinstance(plugin, CheckType):
            registry.register(plugin)
        else:
            plugin(registry)  # a function that registers one or more check types
