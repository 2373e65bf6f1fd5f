"""SOURCE_DATE_EPOCH as reproducible-builds.org defines it: empty means unset; a malformed value is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_samples import EXAMPLE

from checker.cli import main


def test_an_empty_epoch_is_unset_and_the_data_suite_runs(tmp_path: Path) -> None:
    # numpy's f2py reads it at import with int(...): left empty, DAT001 crashed inside numpy.
    outcome = CliRunner(env={"SOURCE_DATE_EPOCH": ""}).invoke(main, [
        "check", str(EXAMPLE), "--only", "DAT001", "--no-cache", "--format", "json", "--output-dir", str(tmp_path)])  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    report = json.loads((tmp_path / "readiness.json").read_text(encoding="utf-8"))
    (result,) = report["results"]
    assert (result["rule_id"], result["status"]) == ("DAT001", "pass"), result["message"]
    assert not report["started_at"].startswith("1970")  # the current time, not epoch 0


@pytest.mark.parametrize("value", ["yesterday", "-1", "1.5"])
def test_a_malformed_epoch_is_a_usage_error(value: str, tmp_path: Path) -> None:
    outcome = CliRunner(env={"SOURCE_DATE_EPOCH": value}).invoke(main, ["check", str(tmp_path), "--format", "json",
                                                                        "--output-dir", str(tmp_path / "out")])  # fmt: skip
    assert outcome.exit_code == 2
    assert outcome.output == (f"error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, not "
                              f"{value!r} (unset it, or set it empty, for the current time)\n")  # fmt: skip
    assert not (tmp_path / "out").exists()
