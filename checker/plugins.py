"""Installed plugins: the entry points of every installed distribution, read once per process.

Scanning the installed distributions' metadata costs tens of milliseconds; check types and rule packs
both come from entry points, so one scan serves both.
"""

from __future__ import annotations

import functools
from importlib import metadata


@functools.cache
def _all_entry_points() -> metadata.EntryPoints:
    return metadata.entry_points()


def entry_points(group: str) -> metadata.EntryPoints:
    return _all_entry_points().select(group=group)
