"""The built-in check types: every module of this package that has a `register(registry)` function.

Modules import heavy libraries (pandas, great_expectations, bandit) only inside the checks that need them,
so registering all of them stays cheap.
"""

from __future__ import annotations

import importlib
import pkgutil

from checker import checks
from checker.checks.registry import Registry


def register_all(registry: Registry) -> None:
    for module_info in sorted(pkgutil.iter_modules(checks.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"checker.checks.{module_info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(registry)
