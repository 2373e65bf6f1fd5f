"""The lead process is bounded in memory like the rule worker.

The worker that evaluates rules is stopped when its memory grows by more than `limits.rule_memory_mb`
(checker.engine.sandbox). The lead — which discovers, reads and indexes the tree and renders the reports —
gets the same budget: during a run its data segment (heap and private mappings, Linux's RLIMIT_DATA) may grow
by at most that much beyond what it held when the run started, so an input that makes it allocate without end
fails with MemoryError (exit 2 with one line) instead of taking the CI runner down. The cap is a soft limit,
restored when the run ends (a program embedding the checker keeps its own), and lifted again in the forked
worker, which has its own cap. Only where the kernel counts the data segment and tells its size (Linux);
elsewhere the lead is not capped.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MB = 1024 * 1024
_before: tuple[int, int] | None = None  # the limits in force before the run's cap: what a forked worker restores


class LeadCap:
    """The cap of one run: `set` moves it (the config's limit is known only after the config is read)."""

    def __init__(self, baseline: int | None) -> None:
        self.baseline = baseline  # the data segment's size when the run started, in bytes; None: not capped
        self.budget_mb: int | None = None

    def set(self, budget_mb: int) -> None:
        if self.baseline is None or _before is None:
            return
        import resource

        soft, hard = _before
        wanted = self.baseline + budget_mb * MB
        limits = [v for v in (soft, hard, wanted) if v != resource.RLIM_INFINITY]
        resource.setrlimit(resource.RLIMIT_DATA, (min(limits), hard))
        self.budget_mb = budget_mb


@contextmanager
def lead_capped(budget_mb: int) -> Iterator[LeadCap]:
    """Cap this process's data segment at its current size plus `budget_mb` for the block."""
    global _before
    baseline = data_segment_bytes() if _before is None else None  # a nested run keeps the outer cap
    if baseline is None:
        yield LeadCap(None)
        return
    import resource

    _before = resource.getrlimit(resource.RLIMIT_DATA)
    cap = LeadCap(baseline)
    try:
        cap.set(budget_mb)
        yield cap
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, _before)
        _before = None


def lift() -> None:
    """In a process forked during a run (the rule worker): the limits from before the run's cap."""
    if _before is not None:
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_DATA, _before)
        except (OSError, ValueError):
            pass  # the worker keeps the lead's cap, and its own


def data_segment_bytes() -> int | None:
    """VmData of this process (what RLIMIT_DATA counts); None where it cannot be read."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with Path("/proc/self/status").open("rb") as status:
            line = next((line for line in status if line.startswith(b"VmData:")), None)
    except OSError:
        return None
    return int(line.split()[1]) * 1024 if line else None
