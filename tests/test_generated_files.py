"""Committed generated files (schema, rule reference, sample reports) must match what the code generates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("regenerate", ROOT / "scripts" / "regenerate.py")
regenerate = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(regenerate)  # type: ignore[union-attr]

EXPECTED = regenerate.expected_files()


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_committed_file_is_up_to_date(rel: str) -> None:
    committed = ROOT / rel
    assert committed.exists(), f"{rel} is missing: run `python scripts/regenerate.py`"
    assert committed.read_text(encoding="utf-8") == EXPECTED[rel], f"{rel} is stale: run `python scripts/regenerate.py`"


def test_every_committed_report_is_generated() -> None:
    committed = {f"reports/{p.name}" for p in (ROOT / "reports").iterdir() if p.is_file() and p.name != ".gitkeep"}
    assert committed <= set(EXPECTED), f"reports/ holds files no run writes: {committed - set(EXPECTED)}"
