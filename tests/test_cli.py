"""The command line: exit codes, selection, verdict rules, report files, `rules`, `schema`, `--debug`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from pydantic import Field

from checker.checks import builtin
from checker.checks import registry as registry_module
from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.cli import main
from checker.engine.packs import builtin_pack_dir, pack_files
from checker.engine.run import RunOptions, run
from checker.model import Severity, Status

TEAM_PACK = Path(__file__).parent / "fixtures" / "packs" / "team.yaml"
TIME_FIELDS = {"started_at", "duration_s"}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`proj/` with the team pack configured and one manifest; the working directory is its parent."""
    root = tmp_path / "proj"
    (root / "k8s").mkdir(parents=True)
    (root / "ops").mkdir()
    shutil.copy(TEAM_PACK, root / "ops" / "team.yaml")
    (root / "k8s" / "cm.yaml").write_text("kind: ConfigMap\n# TODO: finish\n", encoding="utf-8")
    (root / "readiness.yaml").write_text("rule_packs: [ops/team.yaml]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _check(*args: str) -> Result:
    return _invoke("check", "proj", "--format", "json", *args)


def _report(path: str = "reports/readiness.json") -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _status(report: dict[str, Any], rule_id: str) -> str:
    return next(r["status"] for r in report["results"] if r["rule_id"] == rule_id)


# --- exit codes and the gate ---------------------------------------------------------------------


def test_exit_codes_and_fail_on(workdir: Path) -> None:
    # TEAM101 (medium) fails: below the default gate (high) the project is ready.
    assert _check("--only", "TEAM101").exit_code == 0
    assert _report()["verdict"] == "ready"
    assert _status(_report(), "TEAM101") == "fail"
    result = _check("--only", "TEAM101", "--fail-on", "medium")
    assert result.exit_code == 1
    assert _report()["verdict"] == "not_ready"
    assert _report()["verdict_reasons"] == ["TEAM101 (medium) failed: No TODO markers in manifests"]
    assert _check("--fail-on", "severe").exit_code == 2


def test_config_fail_on_and_flag_override(workdir: Path) -> None:
    Path("proj/readiness.yaml").write_text("fail_on: medium\nrule_packs: [ops/team.yaml]\n", encoding="utf-8")
    assert _check("--only", "TEAM101").exit_code == 1
    assert _check("--only", "TEAM101", "--fail-on", "high").exit_code == 0


def test_only_and_skip_by_id_and_category(workdir: Path) -> None:
    _check("--only", "TEAM101", "--only", "security", "--skip", "SEC003")
    ids = [r["rule_id"] for r in _report()["results"]]
    assert "TEAM101" in ids and "TEAM100" in ids
    assert "SEC003" not in ids
    assert {r["category"] for r in _report()["results"]} == {"reliability", "security"}
    _check("--skip", "reliability")
    assert "reliability" not in {r["category"] for r in _report()["results"]}


def test_unknown_selection_is_a_usage_error(workdir: Path) -> None:
    result = _check("--only", "NOPE001", "--skip", "sekurity")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "error: unknown rule id or category: NOPE001, sekurity (see `readiness rules list`)\n"
    )


def test_missing_target_directory(workdir: Path) -> None:
    result = _invoke("check", "nowhere")
    assert result.exit_code == 2
    assert result.stderr == "error: nowhere: no such directory\n"


def test_all_skipped_category_is_no_evidence_unless_disabled(workdir: Path) -> None:
    (workdir / "proj" / "k8s" / "cm.yaml").unlink()  # TEAM101 has nothing to read: skipped
    result = _check("--only", "TEAM101")
    assert result.exit_code == 1
    report = _report()
    assert _status(report, "TEAM101") == "skipped"
    assert report["verdict_reasons"] == ["no evidence for reliability: all 1 rules were skipped"]
    Path("proj/readiness.yaml").write_text(
        "rule_packs: [ops/team.yaml]\ncategories:\n  reliability: {enabled: false}\n", encoding="utf-8"
    )
    assert _check("--only", "TEAM101").exit_code == 0
    report = _report()
    assert report["verdict"] == "ready"
    assert report["results"][0]["message"] == "category reliability is disabled in proj/readiness.yaml"
    assert report["score"]["categories"]["reliability"]["enabled"] is False


# --- report files --------------------------------------------------------------------------------


def test_output_dir_is_honoured(workdir: Path) -> None:
    assert _check("--only", "TEAM101", "--output-dir", "elsewhere/nested").exit_code == 0
    assert (workdir / "elsewhere" / "nested" / "readiness.json").is_file()
    assert not (workdir / "reports").exists()


def _without_time(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_time(v) for k, v in value.items() if k not in TIME_FIELDS}
    if isinstance(value, list):
        return [_without_time(v) for v in value]
    return value


def test_two_runs_give_identical_reports_apart_from_time(workdir: Path) -> None:
    _check("--output-dir", "one")
    _check("--output-dir", "two")
    first, second = Path("one/readiness.json").read_text(), Path("two/readiness.json").read_text()
    assert _without_time(json.loads(first)) == _without_time(json.loads(second))
    # Byte-identical layout too: only the time fields' lines may differ.
    differing = [a for a, b in zip(first.splitlines(), second.splitlines()) if a != b]
    assert all(line.strip().startswith(('"started_at"', '"duration_s"')) for line in differing)
    assert len(first.splitlines()) == len(second.splitlines())
    assert sorted(p.name for p in Path("one").iterdir()) == ["readiness.json"]  # no temporary files left


def test_renderer_crash_leaves_no_stale_report(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _check("--only", "TEAM101").exit_code == 0
    assert Path("reports/readiness.json").is_file()
    from checker.reporters import json_report

    def explode(report: object) -> str:
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(json_report, "render", explode)
    result = _check("--only", "TEAM101")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "internal error: RuntimeError: renderer exploded (run with --debug for the traceback)\n"
    )
    assert "Traceback" not in result.output
    assert list(Path("reports").iterdir()) == []

    debug = _check("--only", "TEAM101", "--debug")
    assert isinstance(debug.exception, RuntimeError)  # --debug lets the traceback through
    assert str(debug.exception) == "renderer exploded"


# --- a check that raises -------------------------------------------------------------------------


class ExplodeParams(Params):
    reason: str = Field(default="kaboom")


def _explode(ctx: CheckContext, params: ExplodeParams) -> Outcome:  # type: ignore[override]
    raise RuntimeError(params.reason)


def _registry_with_explode() -> Registry:
    registry = Registry()
    builtin.register_all(registry)
    check_type(registry, "explode", ExplodeParams, "always raises")(_explode)  # type: ignore[arg-type]
    return registry


def _explode_pack(folder: Path) -> Path:
    pack = folder / "explode.yaml"
    pack.write_text(
        "pack: {name: plugin-test}\nrules:\n"
        "  - {id: BOOM001, title: Raises, category: reliability, severity: low, description: d, rationale: r,\n"
        "     remediation: m, check: {type: explode, reason: kaboom}}\n",
        encoding="utf-8",
    )
    return pack


def test_crashing_check_is_an_error_result_and_fails_closed(workdir: Path) -> None:
    options = RunOptions(
        target=workdir / "proj", extra_packs=(_explode_pack(workdir),), only=("BOOM001", "TEAM101"),
        registry=_registry_with_explode(),
    )  # fmt: skip
    report = run(options)
    by_id = {r.rule_id: r for r in report.results}
    assert by_id["BOOM001"].status == Status.ERROR
    assert by_id["BOOM001"].message == "internal error: RuntimeError: kaboom"
    assert by_id["TEAM101"].status == Status.FAIL  # the run went on
    assert report.coverage.errored == 1


def test_crashing_check_exit_code_via_cli(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "_default", _registry_with_explode())
    _explode_pack(workdir)
    result = _check("--rules", "explode.yaml", "--only", "BOOM001", "--fail-on", "low")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert _report()["verdict_reasons"] == ["BOOM001 (low) errored: Raises"]


# --- rules and schema ----------------------------------------------------------------------------


def test_rules_list_and_category_filter(workdir: Path) -> None:
    result = _invoke("rules", "list")
    assert result.exit_code == 0
    assert (
        "REL001   reliability         high      Serving workloads run at least two replicas\n"
        in result.output
    )
    lines = _invoke("rules", "list", "--category", "security").output.splitlines()
    assert lines and all(line.split()[1] == "security" for line in lines)
    team = _invoke("rules", "list", "--rules", "proj/ops/team.yaml", "--category", "reliability").output
    assert "TEAM101  reliability         medium    No TODO markers in manifests\n" in team


def test_rules_show(workdir: Path) -> None:
    result = _invoke("rules", "show", "TEAM101", "--rules", "proj/ops/team.yaml")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "TEAM101: No TODO markers in manifests"
    assert lines[1].startswith("category: reliability    severity: medium    waivable: yes    defined at: ")
    assert "  Finish them." in lines
    assert "  type: file_content" in lines
    missing = _invoke("rules", "show", "NOPE001")
    assert missing.exit_code == 2
    assert missing.stderr == "error: unknown rule id 'NOPE001' (see `readiness rules list`)\n"


def test_schema_is_valid_draft_2020_12_and_accepts_builtin_packs() -> None:
    from jsonschema import Draft202012Validator

    result = _invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)  # against the 2020-12 metaschema
    validator = Draft202012Validator(schema)
    for file in [*pack_files(builtin_pack_dir()), TEAM_PACK]:
        errors = list(validator.iter_errors(yaml.safe_load(file.read_text(encoding="utf-8"))))
        assert errors == [], f"{file.name}: {errors[0].message}"
    bad = {"pack": {"name": "x"}, "rules": [{"id": "X1", "sevrity": "high"}]}
    assert not validator.is_valid(bad)


def test_help_and_version() -> None:
    assert _invoke("--help").exit_code == 0
    version = _invoke("--version")
    assert version.exit_code == 0 and version.output.startswith("readiness, version ")


# --- a check that overruns its time budget ---------------------------------------------------------


class SleepParams(Params):
    seconds: float = 5.0


def _sleep(ctx: CheckContext, params: SleepParams) -> Outcome:  # type: ignore[override]
    import time

    time.sleep(params.seconds)
    return Outcome.passed("woke up")


def test_a_check_over_its_time_budget_is_an_error_and_the_run_goes_on(workdir: Path) -> None:
    registry = Registry()
    builtin.register_all(registry)
    check_type(registry, "sleepy", SleepParams, "sleeps", time_budget_s=0.2)(_sleep)  # type: ignore[arg-type]
    pack = workdir / "sleepy.yaml"
    pack.write_text(
        "pack: {name: budget-test}\nrules:\n"
        "  - {id: SLOW001, title: Sleeps, category: reliability, severity: low, description: d, rationale: r,\n"
        "     remediation: m, check: {type: sleepy, seconds: 5}}\n",
        encoding="utf-8",
    )
    options = RunOptions(target=workdir / "proj", extra_packs=(pack,), only=("SLOW001", "TEAM101"),
                         registry=registry, fail_on=Severity.LOW)  # fmt: skip
    report = run(options)
    by_id = {r.rule_id: r for r in report.results}
    assert by_id["SLOW001"].status == Status.ERROR
    assert by_id["SLOW001"].message == "the rule exceeded its time budget of 0.2 s"
    assert by_id["TEAM101"].status == Status.FAIL  # the next rule still ran
    assert "SLOW001 (low) errored: Sleeps" in report.verdict_reasons  # fail closed


@pytest.mark.parametrize(("flag", "name", "error"), [
    ("--config", "readiness.yaml", "{fifo}:1:1: (file): not a regular file (a FIFO, device or socket is never read)"),
    ("--baseline", "baseline.json", "error: {fifo}: not a regular file (a FIFO, device or socket is never read)"),
])  # fmt: skip
def test_a_fifo_named_by_a_flag_is_refused_without_blocking(tmp_path: Path, flag: str, name: str, error: str) -> None:
    """Opening a FIFO for reading blocks until a writer comes: refused instead. A subprocess, so that a blocked
    read fails the test by its timeout rather than hanging the suite."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / name
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(tmp_path), flag, str(fifo), "--output-dir", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert (proc.returncode, proc.stderr) == (2, error.format(fifo=fifo) + "\n")
