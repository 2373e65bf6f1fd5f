"""Installed plugins: the entry points of every installed distribution, read once per process.

Scanning the installed distributions' metadata costs tens of milliseconds; check types and rule packs
both come from entry points, so one scan serves both.
"""

from __future__ import annotations

import functools
from importlib import metadata
from typing import Any


@functools.cache
def _all_entry_points() -> Any:
    """EntryPoints (Python 3.12+) or SelectableGroups (3.11): both select by group without a new scan."""
    return metadata.entry_points()


def entry_points(group: str) -> metadata.EntryPoints:
    selected: metadata.EntryPoints = _all_entry_points().select(group=group)
    return selected
