"""The drifted example shares its reference data and model with the ready one: only the serving sample
(and its config and README) may differ, so the two examples cannot silently drift apart."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
OWN_FILES = {"README.md", "readiness.yaml", "data/serving_sample.csv"}


def test_drifted_example_differs_from_the_ready_one_only_in_its_serving_sample() -> None:
    drifted = EXAMPLES / "fraud-scorer-drifted"
    shared = [p.relative_to(drifted).as_posix() for p in drifted.rglob("*") if p.is_file() and ".readiness-cache" not in p.parts]
    assert "data/reference.csv" in shared and "model/MLmodel" in shared
    for rel in sorted(set(shared) - OWN_FILES):
        assert (drifted / rel).read_bytes() == (EXAMPLES / "fraud-scorer" / rel).read_bytes(), rel
    assert (drifted / "data/serving_sample.csv").read_bytes() != (EXAMPLES / "fraud-scorer/data/serving_sample.csv").read_bytes()
