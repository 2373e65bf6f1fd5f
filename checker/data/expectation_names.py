"""The expectation types DAT001 runs and the arguments each takes: committed data, read without GX.

`expectation_allowlist.json` lists GX 1.x's built-in column and table expectations (minus those that run
queries or read other tables) with each one's own arguments. It is an allowlist, not a mirror of GX: a
type or argument a future GX adds is refused until it has been read and added, and
tests/test_expectation_safety.py fails when the installed GX no longer matches the file.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_ALLOWLIST = Path(__file__).with_name("expectation_allowlist.json")


@lru_cache(maxsize=1)
def allowlist() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_ALLOWLIST.read_text(encoding="utf-8"))
    return data


def allowed_expectations() -> frozenset[str]:
    return frozenset(allowlist()["expectations"])


def arguments_of(name: str) -> frozenset[str] | None:
    """The kwargs `name` may take (its own and the common ones), or None when it is not allowed."""
    own = allowlist()["expectations"].get(name)
    return None if own is None else frozenset(own) | frozenset(allowlist()["common_arguments"])


def unknown_expectation_message(name: str) -> str | None:
    """Why `name` cannot run, or None when it is on the allowlist."""
    if name in allowed_expectations():
        return None
    excluded = allowlist()["excluded"].get(name)
    if excluded:
        return (f"expectation {name!r} is not allowed: {excluded}; only Great Expectations' built-in column and "
                "table expectations run")  # fmt: skip
    close = difflib.get_close_matches(name, sorted(allowed_expectations()), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown Great Expectations expectation {name!r}{hint}"
