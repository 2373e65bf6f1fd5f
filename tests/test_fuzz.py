"""Every fuzz target (tests/fuzz/targets/*.py) runs briefly in the suite; `scripts/fuzz.py` runs long.

The driver is loaded by path: `tests/` is not a package.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

FUZZ = Path(__file__).parent / "fuzz"
EXAMPLES = 300


def _driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_driver", FUZZ / "driver.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


driver = _driver()


@pytest.mark.parametrize("target", driver.target_names())
def test_target_survives_a_short_fuzz(target: str, tmp_path: Path) -> None:
    report = driver.run(target, EXAMPLES, tmp_path, seed=7)
    assert report.inputs == EXAMPLES
    assert report.findings == [], report.summary()


def test_the_driver_reports_and_saves_what_a_target_lets_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A target whose check raises on some inputs: each distinct failure is reported once, input saved."""
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "broken.py").write_text(
        "SEEDS = [b'key: value']\n"
        "def check(data: bytes) -> None:\n"
        "    if b'\\x00' in data:\n"
        "        raise KeyError('nul')\n"
    )
    monkeypatch.setattr(driver, "TARGETS", tmp_path / "targets")
    monkeypatch.setattr(driver, "TOKENS", (b"\x00",))
    report = driver.run("broken", 200, tmp_path / "found", seed=3)
    assert (report.inputs, len(report.findings)) == (200, 1)
    finding = report.findings[0]
    assert finding.error == "KeyError: 'nul'" and finding.where == "broken.py:4"
    assert b"\x00" in finding.input_file.read_bytes()
    assert "KeyError" in finding.input_file.with_suffix(".txt").read_text()


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (lambda: driver.flip(b"ab", 1, 0), b"ac"),
        (lambda: driver.insert(b"ab", 1, b"[["), b"a[[b"),
        (lambda: driver.splice(b"abc", 1, b"xyz", 2), b"az"),
        (lambda: driver.delete(b"abcd", 1, 2), b"ad"),
        (lambda: driver.duplicate(b"abcd", 1, 2), b"abcbcd"),
        (lambda: driver.truncate(b"abcd", 7), b"ab"),
    ],
)
def test_mutations(mutation: object, expected: bytes) -> None:
    assert mutation() == expected  # type: ignore[operator]
