"""Start-up cost: `--help` and a manifest-only run never import the heavy libraries (SPEC §8).

Measured with `python -X importtime` in a fresh interpreter, so nothing this test process imported counts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("great_expectations", "pandas", "pyarrow", "bandit", "pyspark", "detect_secrets")
MANIFEST_RULES = ("REL001", "REL002", "REL003", "REL006", "SCA001", "SEC004", "VER001", "VER002", "VER004")


def _imported(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "checker", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    return proc, modules


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    proc, modules = _imported(["--help"], tmp_path)
    assert proc.returncode == 0
    assert "checker.cli" in modules  # the parse found the import lines
    assert _heavy(modules) == []


@pytest.mark.parametrize("command", [["rules", "list"], ["schema"]])
def test_rule_commands_import_nothing_heavy(tmp_path: Path, command: list[str]) -> None:
    proc, modules = _imported(command, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _heavy(modules) == []


def test_manifest_only_run_imports_nothing_heavy(tmp_path: Path) -> None:
    only = [arg for rule in MANIFEST_RULES for arg in ("--only", rule)]
    args = [
        "check",
        str(ROOT / "examples" / "fraud-scorer"),
        *only,
        "--output-dir",
        str(tmp_path / "out"),
        "--format",
        "json",
    ]
    proc, modules = _imported(args, tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert (tmp_path / "out" / "readiness.json").is_file()
    assert "checker.engine.run" in modules
    assert _heavy(modules) == []
