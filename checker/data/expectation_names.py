"""The expectation names Great Expectations ships, found without importing it (an import costs seconds).

GX 1.x keeps one module per built-in expectation in `great_expectations/expectations/core/`; listing that
folder is enough to reject a typo in readiness.yaml at config load. The rule itself asks GX's registry
again before running, so a layout change in a future GX can only make this check lenient, never wrong.
"""

from __future__ import annotations

import difflib
import importlib.util
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def known_expectations() -> frozenset[str]:
    """Built-in expectation names, or an empty set when GX (or its expected layout) is not found."""
    try:
        spec = importlib.util.find_spec("great_expectations")
    except (ImportError, ValueError):
        return frozenset()
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    core = Path(next(iter(spec.submodule_search_locations))) / "expectations" / "core"
    return frozenset(p.stem for p in core.glob("expect_*.py"))


def unknown_expectation_message(name: str) -> str | None:
    """Why `name` is not a GX expectation, or None when it is one (or GX cannot be inspected)."""
    known = known_expectations()
    if not known or name in known:
        return None
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown Great Expectations expectation {name!r}{hint}"
