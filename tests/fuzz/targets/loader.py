"""Fuzz target: the rule-pack loader. Any input gives rules or a PackError whose every problem has a
file, a line and a column; any other exception is a finding."""

from __future__ import annotations

import tempfile
from pathlib import Path

from checker.checks.registry import default_registry
from checker.packs.loader import PackError, ReadLimits, load_packs

_TESTS = Path(__file__).resolve().parents[2]
_DIR = Path(tempfile.mkdtemp(prefix="readiness-fuzz-loader-"))
_FILE = _DIR / "pack.yaml"
# The node budget's code path is the same at any size; a small one keeps alias-bomb seeds from costing
# a third of a second per input.
_LIMITS = ReadLimits(max_nodes=5_000)

SEEDS: list[bytes] = [
    (_TESTS / "fixtures" / "packs" / "team.yaml").read_bytes(),
    (_TESTS / "fixtures" / "packs" / "invalid.yaml").read_bytes(),
    *(p.read_bytes() for p in sorted((_TESTS / "corpus" / "packs").glob("*.yaml")) if p.stat().st_size < 4096),
]


def check(data: bytes) -> None:
    _FILE.write_bytes(data)
    try:
        load_packs([_FILE], default_registry(), display_root=_DIR, limits=_LIMITS)
    except PackError as exc:
        for problem in exc.problems:
            if not (problem.file == "pack.yaml" and problem.line >= 1 and problem.column >= 1 and problem.message):
                raise AssertionError(f"a problem without a location: {problem!r}") from exc
