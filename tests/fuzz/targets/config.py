"""Fuzz target: the project config loader (readiness.yaml). Any input gives a config or a ConfigError
whose every problem reads `file:line:col: path: message` with line and column ≥ 1."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from checker.config import ConfigError, load_config

_TESTS = Path(__file__).resolve().parents[2]
_ROOT = Path(tempfile.mkdtemp(prefix="readiness-fuzz-config-"))
(_ROOT / "ops").mkdir()
shutil.copy(_TESTS / "fixtures" / "packs" / "team.yaml", _ROOT / "ops" / "team.yaml")
_PROBLEM = re.compile(r"^readiness\.yaml:([1-9]\d*):([1-9]\d*): \S.*: .+", re.DOTALL)

SEEDS: list[bytes] = [
    *(p.read_bytes() for p in sorted((_TESTS.parent / "examples").glob("*/readiness.yaml"))),
    # Not the alias bomb: each of its mutations would spend the whole node budget (~0.3 s); the anchor and
    # alias tokens of the driver build smaller ones.
    *(p.read_bytes() for p in sorted((_TESTS / "corpus" / "configs").glob("*.yaml"))
      if p.stat().st_size < 4096 and "alias_bomb" not in p.name),  # fmt: skip
]


def check(data: bytes) -> None:
    (_ROOT / "readiness.yaml").write_bytes(data)
    try:
        load_config(_ROOT, _ROOT / "readiness.yaml")
    except ConfigError as exc:
        for problem in exc.problems:
            shown = problem.removeprefix(f"{_ROOT}/")
            if not _PROBLEM.match(shown):
                raise AssertionError(f"a problem without a location: {problem!r}") from exc
