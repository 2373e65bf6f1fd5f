"""Start-up cost: `--help` and a manifest-only run never import the heavy libraries (SPEC §8).

Read from `sys.modules` at the exit of a fresh interpreter, so nothing this test process imported counts and
every way of importing is seen (`-X importtime` misses `importlib.import_module`, which loads check types).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from report_samples import EXAMPLE, project_copy

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("great_expectations", "pandas", "pyarrow", "bandit", "pyspark", "detect_secrets")
MANIFEST_RULES = ("REL001", "REL002", "REL003", "REL006", "SCA001", "SEC004", "VER001", "VER002", "VER004")
# What a pre-commit run of one manifest has no use for (SPEC §8: nothing on the start-up path imports what
# the run does not use): the rich table is for `check`, the rest serve rules that read other inputs.
NOT_FOR_A_MANIFEST = ("rich", "jsonschema", "pandas", "pyarrow", "great_expectations", "bandit", "pyspark",
                      "detect_secrets", "openapi_spec_validator")  # fmt: skip
# Infrastructure every run needs; any other checker.checks module implements a check type.
CHECKS_CORE = {"checker.checks", "checker.checks.base", "checker.checks.registry", "checker.checks.builtin"}


# `python -m checker ARGS`, writing the names of the loaded modules to $MODULES_OUT when the process exits.
_PROBE = """
import atexit, os, runpy, sys
out = os.environ["MODULES_OUT"]
atexit.register(lambda: open(out, "w", encoding="utf-8").write("\\n".join(sys.modules)))
runpy.run_module("checker", run_name="__main__", alter_sys=True)
"""


def _imported(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    listing = cwd / ".modules-at-exit"
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        env={**(env or os.environ), "MODULES_OUT": str(listing)},
    )  # fmt: skip
    modules = set(listing.read_text(encoding="utf-8").splitlines())
    listing.unlink()
    return proc, modules


def _heavy(modules: set[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in heavy)


def _check_types(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith("checker.checks") and m not in CHECKS_CORE)


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    proc, modules = _imported(["--help"], tmp_path)
    assert proc.returncode == 0
    assert "checker.cli" in modules  # the parse found the import lines
    assert _heavy(modules) == []
    assert sorted(m for m in modules if m.startswith("checker.checks")) == []


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
    assert _heavy(modules, (*HEAVY, "rich")) == []  # rich draws the terminal table only


@pytest.fixture()
def staged_example(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the example (the cache is written into it) and an environment with a private cache key."""
    return project_copy(EXAMPLE, tmp_path), {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}


def test_warm_pre_commit_of_a_manifest_imports_no_check_type_and_nothing_heavy(
    staged_example: tuple[Path, dict[str, str]],
) -> None:
    project, env = staged_example
    cold = subprocess.run([sys.executable, "-m", "checker", "pre-commit", "k8s/deployment.yaml"], cwd=project,
                          env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert cold.returncode == 0, cold.stdout + cold.stderr
    proc, modules = _imported(["pre-commit", "k8s/deployment.yaml"], project, env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout == cold.stdout  # the same report, replayed from the cache
    assert proc.stdout.startswith("readiness: READY (fail-on high)")
    assert "checker.engine.run" in modules
    assert _heavy(modules, NOT_FOR_A_MANIFEST) == []
    assert _check_types(modules) == []


def test_cold_pre_commit_of_a_manifest_imports_only_what_its_rules_use(
    staged_example: tuple[Path, dict[str, str]],
) -> None:
    """Its rules are the manifest rules plus those that may read any YAML or any file: SEC002 scans every file
    (detect_secrets), API001 validates the spec, which may be split over YAML files (openapi_spec_validator,
    which needs jsonschema), REL006 and REL007 judge the project's Dockerfiles too."""
    project, env = staged_example
    proc, modules = _imported(["pre-commit", "k8s/deployment.yaml"], project, env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _heavy(modules, ("rich", "pandas", "pyarrow", "great_expectations", "bandit", "pyspark")) == []
    assert "checker.checks.kubernetes" in modules and "checker.checks.secrets" in modules
    # Check types that no rule reading a manifest uses are never imported.
    assert not {"checker.checks.bandit_check", "checker.checks.data", "checker.checks.versioning"} & modules
