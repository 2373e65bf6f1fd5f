"""The registry of check types. A rule pack names a check type; only Python code can add one.

Built-in check types are *declared* (name, module, input kinds) by `checks.builtin` and their module is
imported on first use: a run imports only the checks it evaluates, and pre-commit selection needs nothing
but the declared input kinds. Plugins (entry point group `readiness.checks`) register finished types.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

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
    # How long a rule using this check may run before it is reported as `error` (fail closed).
    time_budget_s: float = 120.0


@dataclass(frozen=True)
class Declared:
    """A check type known before its module is imported: the module's `register(registry)` defines it."""

    module: str
    inputs: tuple[str, ...] = ()


@dataclass
class Registry:
    _types: dict[str, CheckType] = field(default_factory=dict)
    _declared: dict[str, Declared] = field(default_factory=dict)  # not imported yet
    # Rules run in worker threads (time budgets); two must not import and install the same module at once.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def register(self, check: CheckType) -> None:
        self._refuse_duplicate(check.name)
        self._types[check.name] = check

    def declare(self, name: str, module: str, inputs: tuple[str, ...] = ()) -> None:
        """Make `name` known without importing `module`; its `register(registry)` defines it on first use."""
        self._refuse_duplicate(name)
        self._declared[name] = Declared(module, inputs)

    def get(self, name: str) -> CheckType:
        declared = self._declared.get(name)
        if declared is not None:
            self._import(declared.module)
        return self._types[name]

    def inputs(self, name: str) -> tuple[str, ...]:
        """The input kinds of check type `name`, without importing it."""
        declared = self._declared.get(name)
        return declared.inputs if declared is not None else self._types[name].inputs

    def __contains__(self, name: str) -> bool:
        return name in self._types or name in self._declared

    def __iter__(self) -> Iterator[CheckType]:
        """Every check type, imported (for the schema and the docs, not for runs)."""
        for module in sorted({d.module for d in list(self._declared.values())}):
            self._import(module)
        return iter(sorted(self._types.values(), key=lambda c: c.name))

    def _refuse_duplicate(self, name: str) -> None:
        if name in self:
            raise ValueError(f"check type {name!r} is already registered")

    def _import(self, module_name: str) -> None:
        """Run the module's `register` into a scratch registry, then install what it defines."""
        with self._lock:
            pending = {name for name, d in self._declared.items() if d.module == module_name}
            if not pending:
                return  # another thread installed it meanwhile
            scratch = Registry()
            importlib.import_module(module_name).register(scratch)
            missing = pending - set(scratch._types)
            if missing:
                raise ValueError(f"{module_name} does not define its declared check types {sorted(missing)}")
            for check in scratch._types.values():
                if check.name not in pending:
                    self._refuse_duplicate(check.name)  # a type the table does not declare
                self._types[check.name] = check
            for name in pending:  # only now: `get` without the lock finds the type in one of the two
                del self._declared[name]


def check_type(
    registry: Registry, name: str, params: type[Params], summary: str, inputs: tuple[str, ...] = (),
    time_budget_s: float = 120.0,
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: register `func` as check type `name` with its parameter model."""

    def decorate(func: CheckFunction) -> CheckFunction:
        check = CheckType(name=name, params=params, run=func, summary=summary, inputs=inputs, time_budget_s=time_budget_s)
        registry.register(check)
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
    from checker.plugins import entry_points

    for entry in entry_points(PLUGIN_GROUP):
        plugin = entry.load()
        if isinstance(plugin, CheckType):
            registry.register(plugin)
        else:
            plugin(registry)  # a function that registers one or more check types
