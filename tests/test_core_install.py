"""The core install (SPEC §11): no Great Expectations, pandas, pyarrow, scipy or Spark. It starts, runs every
rule but the data rules' engines exactly as the full install does, and a data rule whose inputs exist is
`error` with the install command (fail closed) — `skipped` where the project has no data."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from report_samples import project_copy

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fraud-scorer"
ENGINES = ("great_expectations", "pandas", "pyarrow", "scipy", "numpy", "pyspark", "py4j")
HINT = "pip install 'readiness-checker[data]'"

# Runs the CLI in a fresh interpreter where the data engines cannot be imported, as after `pip install
# readiness-checker` without extras.
CORE_ONLY = f"""
import importlib.abc, sys
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {ENGINES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, NotInstalled())
from checker.cli import main
main()
"""


def _check(project: Path, out: Path, core_only: bool) -> dict:
    prefix = [sys.executable, "-c", CORE_ONLY] if core_only else [sys.executable, "-m", "checker"]
    proc = subprocess.run([*prefix, "check", str(project), "--no-cache", "--format", "json", "--output-dir", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads((out / "readiness.json").read_text(encoding="utf-8"))


def test_the_core_dependencies_hold_no_data_engine() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"]).lower()
    assert not [name for name in ("great-expectations", "pandas", "pyarrow", "scipy", "pyspark") if name in core]
    assert {"data", "spark", "all"} <= set(project["optional-dependencies"])


def test_the_core_alone_runs_every_other_rule_and_names_the_extra(tmp_path: Path) -> None:
    project = project_copy(EXAMPLE, tmp_path)
    full = _check(project, tmp_path / "full", core_only=False)
    core = _check(project, tmp_path / "core", core_only=True)
    assert full["verdict"] == "ready" and core["verdict"] == "not_ready"  # fail closed without the engines
    full_by_id = {r["rule_id"]: r for r in full["results"]}
    needs_data = {r["rule_id"] for r in core["results"] if HINT in r["message"]}
    assert needs_data >= {"DAT001", "DAT002", "DAT003", "DAT004", "DAT005", "DAT006"}
    assert all(r["category"] == "data_compatibility" or r["rule_id"] == "SEC009" for r in core["results"]
               if r["rule_id"] in needs_data)  # fmt: skip
    for result in core["results"]:
        if result["rule_id"] in needs_data:
            assert result["status"] == "error" and full_by_id[result["rule_id"]]["status"] != "error"
        else:  # every other rule judged exactly as with the full install
            assert (result["status"], result["message"]) == (
                full_by_id[result["rule_id"]]["status"], full_by_id[result["rule_id"]]["message"]
            ), result["rule_id"]


def test_without_data_the_core_skips_the_data_rules(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "k8s").mkdir(parents=True)
    (project / "k8s" / "app.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n", encoding="utf-8"
    )
    core = _check(project, tmp_path / "out", core_only=True)
    data_rules = [r for r in core["results"] if r["category"] == "data_compatibility"]
    assert data_rules and {r["status"] for r in data_rules} == {"skipped"}
    assert not [r for r in core["results"] if HINT in r["message"]]


@pytest.mark.parametrize("module", ["great_expectations", "pyarrow.parquet", "pandas"])
def test_the_hint_names_the_extra(module: str) -> None:
    from checker.extras import missing_engine_message

    exc = ModuleNotFoundError(f"No module named {module!r}", name=module)
    assert missing_engine_message(exc) == (
        f"this rule needs the 'data' extra ({module.split('.')[0]} is not installed): {HINT}"
    )
    assert missing_engine_message(ModuleNotFoundError("No module named 'yaml'", name="yaml")) is None
