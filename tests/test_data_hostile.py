"""Hostile data inputs (datasets, GX suites, MLmodel files, load-test results): each is reported as an
`error` or a finding naming the file (and line), never a traceback, a hang or a silent pass; dataset caps
come from `limits:` in readiness.yaml; reports stay strict JSON (no NaN). Fixtures are built in tmp_path."""

from __future__ import annotations

import gzip
import json
import math
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rulecases import FIXED_NOW

from checker.config import ConfigError
from checker.engine.run import RunOptions, run
from checker.model import RunReport

ROOT = Path(__file__).resolve().parents[1]
COMPARISONS = ("DAT002", "DAT005", "DAT006")
REFERENCE = "amount,country\n" + "".join(f"{i % 17}.5,{'FR' if i % 2 else 'NL'}\n" for i in range(40))
SERVING = "amount,country\n" + "".join(f"{i % 13}.5,{'FR' if i % 3 else 'NL'}\n" for i in range(40))


def _project(root: Path, serving: str | bytes | None = SERVING, serving_path: str = "data/serving.csv", extra: str = "") -> Path:
    """A minimal project: a reference CSV, a serving dataset at `serving_path`, and the config."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "reference.csv").write_text(REFERENCE, encoding="utf-8")
    if serving is not None:
        target = root / serving_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(serving.encode() if isinstance(serving, str) else serving)
    config = f"data:\n  reference: {{path: data/reference.csv}}\n  serving: {{path: {serving_path}}}\n{extra}"
    (root / "readiness.yaml").write_text(config, encoding="utf-8")
    return root


def _run(root: Path, *only: str) -> RunReport:
    return run(RunOptions(target=root, only=only or (*COMPARISONS, "VER001"), clock=lambda: FIXED_NOW))


def _statuses(report: RunReport) -> dict[str, tuple[str, str, str | None, int | None]]:
    """Per rule: status, message and the first finding's path and line."""
    found = {}
    for result in report.results:
        first = result.findings[0] if result.findings else None
        found[result.rule_id] = (result.status.value, result.message, first and first.path, first and first.line)
    return found


def _assert_data_error(report: RunReport, message: str, path: str, line: int | None = None) -> None:
    """Every comparison rule is `error` with `message` on `path` (and `line`); the other rule still ran."""
    found = _statuses(report)
    for rule in COMPARISONS:
        assert found[rule] == ("error", message, path, line), rule
    assert found["VER001"][0] == "fail"  # a non-data rule is evaluated as usual (no version declared)


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON report")

    return json.loads(text, parse_constant=refuse)


# --- corrupt CSV ---------------------------------------------------------------------------------------

CORRUPT_CSV = {
    "ragged_row": (SERVING.replace("\n2.5,", "\n2.5,XX,YY,", 1), "line 4: expected 2 fields, found 4", 4),
    "unbalanced_quote": (SERVING.replace("\n2.5,", '\n"2.5,', 1), "line 4: expected 2 fields, found 1 (an unbalanced quote?)", 4),
    "nul_byte": (SERVING.replace("\n2.5,", "\n2\x00.5,", 1), "line 4: NUL byte; a binary file, not CSV text", 4),
    "not_utf8": (SERVING.encode().replace(b"\n2.5,FR", b"\n2.5,F\xe4", 1), "line 4: not UTF-8 text (byte 0xe4); save it as UTF-8", 4),
    "zero_bytes": (b"", "the file is empty (0 bytes): not even a header row", None),
    "header_only": ("amount,country\n", "the dataset is empty (no rows)", None),
    # pyarrow needs over a minute for 200,000 columns: the header is counted first, against the column cap.
    "wide_header": (",".join(f"c{i}" for i in range(200_000)) + "\n1\n",
                    "line 1: the dataset has 200,000 columns, above limits.max_dataset_columns = 10,000; raise it in readiness.yaml", 1),
}


@pytest.mark.parametrize("case", sorted(CORRUPT_CSV))
def test_corrupt_csv_is_an_error_naming_file_and_line(case: str, tmp_path: Path) -> None:
    content, problem, line = CORRUPT_CSV[case]
    report = _run(_project(tmp_path, content))
    _assert_data_error(report, f"data/serving.csv: {problem}", "data/serving.csv", line)


def _parquet_bytes(rows: int = 100) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"amount": [float(i % 7) for i in range(rows)], "country": ["FR", "NL"] * (rows // 2)}), buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("case", ["cut_in_the_middle", "footer_missing", "magic_wrong"])
def test_truncated_parquet_is_an_error_naming_the_file(case: str, tmp_path: Path) -> None:
    good = _parquet_bytes()
    content = {"cut_in_the_middle": good[: len(good) // 2], "footer_missing": good[:-8],
               "magic_wrong": good[:-4] + b"PAR2"}[case]  # fmt: skip
    report = _run(_project(tmp_path, content, "data/serving.parquet"))
    found = _statuses(report)
    for rule in COMPARISONS:
        status, message, path, _ = found[rule]
        assert (status, path) == ("error", "data/serving.parquet")
        assert message.startswith("data/serving.parquet: not a readable Parquet file: "), message


# --- caps from limits: in readiness.yaml ---------------------------------------------------------------


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("Spark was started although a cap was exceeded")


def _refuse_reading(monkeypatch: pytest.MonkeyPatch, reader: str, name: str) -> None:
    """Make the engine's `reader` fail the test if it is ever asked for the file `name`."""
    from checker.data import arrow_engine

    original = getattr(arrow_engine, reader)

    def guarded(part: Path, *args: Any, **kwargs: Any) -> Any:
        assert part.name != name, f"{name} was read although a cap was exceeded"
        return original(part, *args, **kwargs)

    monkeypatch.setattr(arrow_engine, reader, guarded)


def test_parquet_row_cap_is_judged_from_the_footer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_reading(monkeypatch, "_read_parquet", "serving.parquet")
    project = _project(tmp_path, _parquet_bytes(1000), "data/serving.parquet", "limits: {max_dataset_rows: 500}\n")
    (project / "data" / "reference.csv").write_text("amount,country\n1.5,FR\n", encoding="utf-8")
    report = _run(project)
    _assert_data_error(report, "data/serving.parquet: the dataset has 1,000 rows, above limits.max_dataset_rows = 500; "
                       "raise it in readiness.yaml", "data/serving.parquet")  # fmt: skip


def test_parquet_memory_cap_uses_the_uncompressed_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_reading(monkeypatch, "_read_parquet", "serving.parquet")
    report = _run(_project(tmp_path, _parquet_bytes(200_000), "data/serving.parquet", "limits: {max_dataset_mb: 1}\n"))
    status, message, path, _ = _statuses(report)["DAT002"]
    assert (status, path) == ("error", "data/serving.parquet")
    # 200,000 rows of a double and a text column: 16 bytes a row in memory, although dictionary pages are tiny.
    assert message == ("data/serving.parquet: the dataset needs about 3.1 MB in memory (from its Parquet footer), above "
                       "limits.max_dataset_mb = 1; raise it in readiness.yaml")  # fmt: skip


def test_column_cap_from_the_config_applies_to_parquet_footers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_reading(monkeypatch, "_read_parquet", "serving.parquet")
    project = _project(tmp_path, _parquet_bytes(), "data/serving.parquet", "limits: {max_dataset_columns: 1}\n")
    (project / "data" / "reference.csv").write_text("amount\n1.5\n2.5\n", encoding="utf-8")  # one column: within the cap
    assert _statuses(_run(project))["DAT006"][:3] == (
        "error", "data/serving.parquet: the dataset has 2 columns, above limits.max_dataset_columns = 1; raise it "
        "in readiness.yaml", "data/serving.parquet")  # fmt: skip


def test_csv_row_cap_stops_before_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_reading(monkeypatch, "_read_csv", "serving.csv")
    serving = "amount,country\n" + "1.5,FR\n" * 300
    report = _run(_project(tmp_path, serving, extra="limits: {max_dataset_rows: 100}\n"))
    _assert_data_error(report, "data/serving.csv: the dataset has more than 100 rows, above limits.max_dataset_rows = 100; "
                       "raise it in readiness.yaml", "data/serving.csv")  # fmt: skip


def test_quoted_line_breaks_are_not_counted_as_rows(tmp_path: Path) -> None:
    # 40 records spread over 120 lines: the line count passes the cap of 50, the exact record count does not.
    serving = "amount,country\n" + "".join(f'{i}.5,"F\n\nR"\n' for i in range(40))
    report = _run(_project(tmp_path, serving, extra="limits: {max_dataset_rows: 50}\n"), "DAT002")
    assert _statuses(report)["DAT002"][0] == "pass"


def test_gzip_bomb_stops_at_the_memory_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_reading(monkeypatch, "_read_csv", "serving.csv.gz")
    bomb = gzip.compress(b"amount,country\n" + b"1.5,FR\n" * 1_000_000)  # 7 MB of text in a few kB
    assert len(bomb) < 100_000
    report = _run(_project(tmp_path, bomb, "data/serving.csv.gz", "limits: {max_dataset_mb: 1}\n"))
    _assert_data_error(report, "data/serving.csv.gz: the dataset expands to more than 1 MB of CSV text, above "
                       "limits.max_dataset_mb = 1; raise it in readiness.yaml", "data/serving.csv.gz")  # fmt: skip


def test_spark_engine_checks_parquet_caps_before_starting_spark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.data import spark_engine

    monkeypatch.setattr(spark_engine, "session", _never)
    project = _project(tmp_path, _parquet_bytes(1000), "data/serving.parquet", "limits: {max_dataset_rows: 900}\n")
    (project / "data" / "reference.parquet").write_bytes(_parquet_bytes(2000))  # both over the cap: Spark is never needed
    config = project / "readiness.yaml"
    text = config.read_text(encoding="utf-8").replace("data:\n", "data:\n  engine: spark\n")
    config.write_text(text.replace("reference.csv", "reference.parquet"), encoding="utf-8")
    report = _run(project)
    assert _statuses(report)["DAT002"][:3] == (
        "error", "data/reference.parquet: the dataset has 2,000 rows, above limits.max_dataset_rows = 900; raise it in "
        "readiness.yaml", "data/reference.parquet")  # fmt: skip


# --- dataset shapes and places -------------------------------------------------------------------------


def test_folder_with_mixed_schemas_names_the_odd_part(tmp_path: Path) -> None:
    project = _project(tmp_path, None, "data/serving")
    (project / "data" / "serving").mkdir()
    (project / "data" / "serving" / "part-0.csv").write_text(SERVING, encoding="utf-8")
    (project / "data" / "serving" / "part-1.csv").write_text("user,score\nann,1\n", encoding="utf-8")
    report = _run(project)
    _assert_data_error(report, "data/serving/part-1.csv: its columns differ from data/serving/part-0.csv: lacks "
                       "'amount', 'country'; adds 'user', 'score'", "data/serving/part-1.csv")  # fmt: skip


def test_glob_matching_nothing_is_a_config_error(tmp_path: Path) -> None:
    project = _project(tmp_path, None, "data/serving-*.csv")
    with pytest.raises(ConfigError) as caught:
        _run(project)
    assert caught.value.problems == [f"{project / 'readiness.yaml'}:3:13: data.serving.path: no file matches 'data/serving-*.csv'"]


def test_links_out_of_the_root_and_loops_in_a_dataset_folder_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text(SERVING, encoding="utf-8")
    project = _project(tmp_path / "project", None, "data/serving")
    folder = project / "data" / "serving"
    folder.mkdir()
    os.symlink(outside, folder / "a.csv")
    found = _statuses(_run(project))["DAT002"]
    assert found[:3] == ("error", "data/serving/a.csv: points outside the project root; not read", "data/serving/a.csv")
    (folder / "a.csv").unlink()
    os.symlink("b.csv", folder / "a.csv")
    os.symlink("a.csv", folder / "b.csv")
    found = _statuses(_run(project))["DAT002"]
    assert found[:3] == ("error", "data/serving/a.csv: a broken or looping symlink; not read", "data/serving/a.csv")


FIFO_RUN = """
import json, sys
from pathlib import Path
from checker.engine.run import RunOptions, run
report = run(RunOptions(target=Path(sys.argv[1]), only=("DAT002", "VER001")))
print(json.dumps({r.rule_id: [r.status.value, r.message] for r in report.results}))
"""


@pytest.mark.parametrize("layout", ["file", "folder"])
def test_a_fifo_dataset_is_never_opened(layout: str, tmp_path: Path) -> None:
    project = _project(tmp_path, None, "data/serving.csv" if layout == "file" else "data/serving")
    fifo = project / "data" / ("serving.csv" if layout == "file" else "serving/part-0.csv")
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    # A subprocess: opening a FIFO blocks until a writer appears, and a blocked test must fail, not hang.
    done = subprocess.run([sys.executable, "-c", FIFO_RUN, str(project)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    shown = fifo.relative_to(project).as_posix()
    assert found["DAT002"] == ["error", f"{shown}: not a regular file (a FIFO, socket or device); not read"]
    assert found["VER001"][0] == "fail"


# --- numbers: never NaN in a report --------------------------------------------------------------------


def test_empty_constant_and_infinite_columns_keep_the_report_strict_json(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from checker.reporters.json_report import render

    rows = 60
    reference = {"amount": [float(i) for i in range(rows)], "flat": [1.0] * rows, "wild": [math.inf, -math.inf, math.nan] * 20}
    serving = {"amount": [None] * rows, "flat": [1.0] * rows, "wild": [math.nan, math.inf, 5.0] * 20}
    project = _project(tmp_path, None, "data/serving.parquet")
    pq.write_table(pa.table(reference), project / "data" / "reference.parquet")
    pq.write_table(pa.table(serving, schema=pa.schema([("amount", pa.float64()), ("flat", pa.float64()), ("wild", pa.float64())])),
                   project / "data" / "serving.parquet")  # fmt: skip
    config = project / "readiness.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("reference.csv", "reference.parquet"), encoding="utf-8")
    report = _run(project, "DAT002", "DAT003", "DAT004", "DAT005", "DAT006")
    document = _strict_json(render(report))
    texts = [r["message"] for r in document["results"]] + [f["message"] for r in document["results"] for f in r["findings"]]
    assert not [t for t in texts if "nan" in t.lower().replace("nano", "")], texts
    assert {r["rule_id"]: r["status"] for r in document["results"]}["DAT005"] == "fail"  # the emptied column


def test_a_median_of_an_empty_column_reads_undefined() -> None:
    from checker.data.compare import figure
    from checker.data.gx import _short

    assert figure(None) == "undefined (column is empty)"
    assert figure(math.nan) == "undefined (column is empty)"
    assert figure(2.5) == "2.5"
    assert _short(math.nan) == "undefined (no values to compute it from)"


# --- GX suites -----------------------------------------------------------------------------------------

SUITES = {
    "malformed": ('{"name": "s", "expectations": [\n  {"type": "expect_column_to_exist",\n', 3, "invalid JSON: "),
    "nan_literal": ('{"name": "s", "expectations": [\n  {"type": "expect_column_values_to_be_between",\n'
                    '   "kwargs": {"column": "amount", "min_value": NaN}}\n]}\n', 3,
                    "NaN is not a JSON number; write a finite bound or leave the key out"),
    "deep_kwargs": ('{"name": "s", "expectations": [\n  {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "amount", '
                    '"value_set": ' + "[" * 900 + "]" * 900 + "}}\n]}\n", None,
                    "expectations[0].kwargs.value_set: arguments nested deeper than 32 levels"),
    "wrong_types": ('{"name": "s", "expectations": [\n  {"type": 5, "kwargs": []}\n]}\n', 2,
                    "expectations[0]: an expectation needs a `type` (text) and `kwargs` (an object)"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(SUITES))
def test_hostile_suite_file_is_a_rule_error_with_its_line(case: str, tmp_path: Path) -> None:
    text, line, problem = SUITES[case]
    project = _project(tmp_path, extra="")
    (project / "data" / "suite.json").write_text(text, encoding="utf-8")
    config = project / "readiness.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("{path: data/reference.csv}",
                                                                   "{path: data/reference.csv, suite: data/suite.json}"), encoding="utf-8")  # fmt: skip
    (result,) = _run(project, "DAT001").results
    assert result.status.value == "error"
    finding = result.findings[0]
    assert (finding.path, finding.line) == ("data/suite.json", line)
    assert finding.message.startswith(problem), finding.message


def test_non_finite_inline_expectation_argument_is_a_config_error(tmp_path: Path) -> None:
    project = _project(tmp_path)
    config = project / "readiness.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "{path: data/reference.csv}", "{path: data/reference.csv, expectations: [{type: expect_column_max_to_be_between, "
        "kwargs: {column: amount, max_value: .inf}}]}"), encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        _run(project, "DAT001")
    assert caught.value.problems == [
        f"{config}:2:121: data.reference.expectations[0].kwargs.max_value: inf is not a usable argument; write a "
        "finite number or leave the key out"
    ]


# --- MLmodel files -------------------------------------------------------------------------------------

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdef", "bcdefg")
)
MLMODELS = {
    "alias_bomb": (ALIAS_BOMB, "model/MLmodel: invalid YAML: document expands to too many nodes"),
    "python_tag": ("run_id: !!python/object/apply:os.system ['echo unsafe']\n", "model/MLmodel: invalid YAML: YAML tag"),
    "wrong_types": ("run_id: [1]\nsignature:\n  inputs: 7\n", "model/MLmodel: signature inputs/outputs must be a JSON list of objects"),
    "deep_items": ("run_id: r1\nsignature:\n  inputs: '[{\"name\": \"a\", \"type\": \"array\", \"items\": "
                   + '{"type": "array", "items": ' * 3000 + "{}" + "}" * 3000 + "}]'\n",
                   "model/MLmodel: signature is nested too deeply to read"),
    "nested_arrays": ("run_id: r1\nsignature:\n  inputs: '[{\"name\": \"a\", \"type\": \"array\", \"items\": "
                      + '{"type": "array", "items": ' * 40 + "{}" + "}" * 40 + "}]'\n",
                      "model/MLmodel: signature array `items` nested deeper than 32 levels"),
}  # fmt: skip


class _Tripwire:
    """Unpickling this writes a marker file: the test fails if any model file were ever unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("case", sorted(MLMODELS))
def test_hostile_mlmodel_is_an_error_and_its_pickle_is_never_loaded(case: str, tmp_path: Path) -> None:
    text, problem = MLMODELS[case]
    project = _project(tmp_path / "project", extra="model: {metadata: model/MLmodel}\n")
    (project / "model").mkdir()
    (project / "model" / "MLmodel").write_text(text, encoding="utf-8")
    marker = tmp_path / "unpickled"
    (project / "model" / "model.pkl").write_bytes(pickle.dumps(_Tripwire(marker)))
    found = _statuses(_run(project, "DAT003", "MON005", "VER003"))
    for rule in ("DAT003", "MON005"):
        status, message, path, _ = found[rule]
        assert (status, path) == ("error", "model/MLmodel"), rule
        assert message.startswith(problem), message
    assert found["VER003"][0] in ("fail", "error")
    assert not marker.exists()


# --- load-test results ---------------------------------------------------------------------------------

K6 = '{\n  "metrics": {\n    "http_req_duration": {"avg": 80, "p(95)": %s},\n    "http_reqs": {"count": 900, "rate": %s}\n  }\n}\n'


@pytest.mark.parametrize(("name", "content", "line", "problem"), [
    ("k6.json", K6 % ("NaN", "120"), 3, "http_req_duration.p(95) is NaN, not a finite number"),
    ("k6.json", K6 % ("120", "Infinity"), 4, "http_reqs.rate is Infinity, not a finite number"),
    ("k6.json", K6 % ("120", ""), 4, "invalid JSON: "),
    ("run_stats.csv", 'Type,Name,Request Count,95%,Requests/s\n,Aggregated,10,"12,5\n', 2, "not a readable CSV (row from line 2): "),
    ("run_stats.csv", "Type,Name,Request Count,95%,Requests/s\n,Aggregated,10,inf,5\n", 2, "line 2: 95% is inf, not a finite number"),
    ("run_stats.csv", "Type,Name,Request Count,95%,Requests/s\n,Aggregated,10,12\n", 2, "line 2: 4 fields, but the header has 5"),
])  # fmt: skip
def test_hostile_load_test_results_are_findings_with_lines(name: str, content: str, line: int, problem: str, tmp_path: Path) -> None:
    (tmp_path / "loadtest").mkdir()
    (tmp_path / "loadtest" / name).write_text(content, encoding="utf-8")
    (tmp_path / "readiness.yaml").write_text(
        textwrap.dedent(f"""\
            slo: {{p95_latency_ms: 250, throughput_rps: 10, evidence: loadtest/{name}}}
        """), encoding="utf-8")  # fmt: skip
    (result,) = _run(tmp_path, "SCA006").results
    assert result.status.value == "fail"
    (finding,) = [f for f in result.findings if "cannot be read" in f.message]
    assert (finding.path, finding.line) == (f"loadtest/{name}", line)
    tool = "k6" if name.endswith(".json") else "Locust"
    assert finding.message.startswith(f"{tool} result loadtest/{name} cannot be read: {problem}"), finding.message
