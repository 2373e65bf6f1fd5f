"""Expectation arguments are data, never code (SPEC §9 "Untrusted pull requests", issue 11).

Each hostile case would run a command, fetch a URL or read a file outside the target on a checker that
hands expectations to Great Expectations as written: a marker file that must not appear, a loopback HTTP
server that must see no request, a file outside the target whose access time must not move. Refused suites
never reach GX, so only the allowlist test and the pass case import it (one GX run, several expectations).
The exact config-error lines are in tests/corpus/configs/expectation_*.yaml.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_samples import write_tree

from checker.cli import main
from checker.data.expectation_names import allowlist
from checker.data.expectation_safety import MAX_NESTING, MAX_VALUES, ROW_CONDITIONS_REFUSED, Refusal, refusals
from checker.data.gx import import_gx

REFERENCE = "amount,country,payload\n" + "".join(f"{i}.5,{'FR' if i % 2 else 'DE'},[{i}]\n" for i in range(12))


def _project(root: Path, expectations: list[dict[str, Any]] | None = None, config: str = "", engine: str = "pandas") -> Path:
    """A project with a reference CSV, its suite file (one key per line, to know each argument's line)
    and the config."""
    dataset = "{path: data/reference.csv" + (", suite: data/suite.json}" if expectations is not None else "}")
    files = {"data/reference.csv": REFERENCE, "readiness.yaml": config or f"data:\n  engine: {engine}\n  reference: {dataset}\n"}
    if expectations is not None:
        files["data/suite.json"] = json.dumps({"name": "contract", "expectations": expectations}, indent=1) + "\n"
    return write_tree(root, files)


def _check(project: Path) -> tuple[int, dict[str, Any], str]:
    """`readiness check --only DAT001`: exit code, DAT001's JSON result (or {} when no report) and stderr."""
    out = project.parent / "out"
    args = ["check", str(project), "--only", "DAT001", "--output-dir", str(out), "--format", "json", "--no-cache"]
    result = CliRunner().invoke(main, args)
    report = out / "readiness.json"
    if not report.exists():
        return result.exit_code, {}, result.stderr
    (dat001,) = [r for r in json.loads(report.read_text(encoding="utf-8"))["results"] if r["rule_id"] == "DAT001"]
    return result.exit_code, dat001, result.stderr


def _lines_of(text: str, needle: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]


def _findings(result: dict[str, Any]) -> list[tuple[int, str]]:
    return [(f["line"], f["message"]) for f in result["findings"]]


def _expectation(kind: str = "expect_column_values_to_not_be_null", **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": {"column": "amount", **kwargs}}


# --- code: row conditions (pandas engine) ----------------------------------------------------------------


def _touch(marker: Path) -> str:
    return f"@pd.io.common.os.system('touch {marker}') == 0"


def _row_conditions(markers: Path) -> list[dict[str, Any]]:
    """Every way GX 1.x turns a row condition into a pandas query expression, each touching its marker
    (GX itself rejects the `python` parser, which would stop the whole suite: see REFUSALS)."""
    m = [markers / f"M{i}" for i in range(5)]
    breakout = f"amount` + @pd.io.common.os.system('touch {m[3]}') + `amount"  # backticks are not escaped by GX
    return [
        _expectation(row_condition=_touch(m[0]), condition_parser="pandas"),
        _expectation(row_condition=_touch(m[1])),  # no parser: passed through as written
        _expectation(row_condition={"type": "pass_through", "pass_through_filter": _touch(m[2])}),
        _expectation(row_condition=f'col("{breakout}") == 1', condition_parser="great_expectations"),
        _expectation(row_condition={"type": "comparison", "column": {"name": breakout.replace("M3", "M4")},
                                    "operator": "==", "parameter": 1}),  # fmt: skip
        _expectation("expect_column_values_to_be_between", min_value=0),  # fine on its own: the suite is refused whole
    ]


def test_row_conditions_in_a_suite_file_run_nothing(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    project = _project(tmp_path / "proj", _row_conditions(markers))
    code, result, _ = _check(project)
    assert sorted(os.listdir(markers)) == []
    assert (code, result["status"]) == (1, "error")  # fail closed: not ready
    suite = (project / "data" / "suite.json").read_text(encoding="utf-8")
    lines = _lines_of(suite, '"row_condition"')
    assert [f for f in _findings(result) if ".row_condition:" in f[1]] == [
        (line, f"expectations[{i}].kwargs.row_condition: {ROW_CONDITIONS_REFUSED}") for i, line in enumerate(lines)
    ]
    assert len(lines) == 5
    assert [m.split(":")[0] for _, m in _findings(result) if ".condition_parser:" in m] == [
        f"expectations[{i}].kwargs.condition_parser" for i in (0, 3)
    ]


def test_row_conditions_inline_are_a_config_error(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    config = ("data:\n  reference:\n    path: data/reference.csv\n    expectations:\n"
              "      - type: expect_column_values_to_not_be_null\n"
              f"        kwargs: {{column: amount, row_condition: \"{_touch(marker)}\", condition_parser: pandas}}\n")  # fmt: skip
    code, result, stderr = _check(_project(tmp_path / "proj", config=config))
    assert not marker.exists()
    assert (code, result) == (2, {})  # no report written
    written = config.splitlines()[5]
    where = f"{tmp_path / 'proj' / 'readiness.yaml'}:6"
    assert stderr.splitlines() == [
        f"{where}:{written.index('row_condition') + 1}: data.reference.expectations[0].kwargs.row_condition: "
        f"{ROW_CONDITIONS_REFUSED}",
        f"{where}:{written.index('condition_parser') + 1}: data.reference.expectations[0].kwargs.condition_parser: "
        "`condition_parser` only selects how a row condition is evaluated, and row conditions are refused",
    ]


def test_spark_conditions_are_refused_before_spark_starts(tmp_path: Path) -> None:
    """Spark SQL filters can call Java methods (`reflect`); the Spark engine refuses them the same way."""
    expectations = [
        _expectation(row_condition="reflect('java.lang.System', 'exit', 3) IS NULL", condition_parser="spark"),
        _expectation(row_condition={"type": "pass_through", "pass_through_filter": "java_method('java.lang.System', 'exit', 3) IS NULL"}),
    ]  # fmt: skip
    code, result, _ = _check(_project(tmp_path / "proj", expectations, engine="spark"))
    assert (code, result["status"]) == (1, "error")
    assert [m.split(": ")[0] for _, m in _findings(result)] == [
        "expectations[0].kwargs.row_condition", "expectations[0].kwargs.condition_parser", "expectations[1].kwargs.row_condition",
    ]  # fmt: skip


# --- fetching: json_schema references --------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        type(self).requests.append(self.path)
        body = b'{"type": "array"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 only, recording the paths it is asked for."""
    handler = type("Handler", (_Recorder,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()


def _unread_file(path: Path) -> Path:
    """A schema file whose access time is set far in the past: any read moves it (relatime updates an
    access time older than the modification time). Skips where the file system records no reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"type": "array"}', encoding="utf-8")
    os.utime(path, (0, path.stat().st_mtime))
    path.read_bytes()
    if path.stat().st_atime == 0:
        pytest.skip("this file system does not record reads (noatime)")
    os.utime(path, (0, path.stat().st_mtime))
    return path


def test_json_schema_references_are_never_fetched(tmp_path: Path, loopback: tuple[str, list[str]]) -> None:
    server, requests = loopback
    outside = _unread_file(tmp_path / "outside" / "schema.json")
    schemas: list[dict[str, Any]] = [
        {"$ref": f"{server}/remote.json"},
        {"items": {"$ref": outside.as_uri()}},  # file:///…/outside/schema.json
        {"$id": f"{server}/base/", "items": {"$ref": "relative.json"}},
        {"$schema": f"{server}/meta-schema", "type": "array"},
        {"items": {"$dynamicRef": f"{server}/dynamic.json"}},
    ]
    expectations = [_expectation("expect_column_values_to_match_json_schema", column="payload", json_schema=s) for s in schemas]
    project = _project(tmp_path / "proj", expectations)
    code, result, _ = _check(project)
    assert requests == []
    assert outside.stat().st_atime == 0
    assert (code, result["status"]) == (1, "error")
    suite = (project / "data" / "suite.json").read_text(encoding="utf-8")
    found = [(line, message.split(": ")[0]) for line, message in _findings(result)]
    assert found == [
        (_lines_of(suite, '"$ref"')[0], "expectations[0].kwargs.json_schema.$ref"),
        (_lines_of(suite, '"$ref"')[1], "expectations[1].kwargs.json_schema.items.$ref"),
        (_lines_of(suite, '"$id"')[0], "expectations[2].kwargs.json_schema.$id"),
        (_lines_of(suite, '"$ref"')[2], "expectations[2].kwargs.json_schema.items.$ref"),
        (_lines_of(suite, '"$schema"')[0], "expectations[3].kwargs.json_schema.$schema"),
        (_lines_of(suite, '"$dynamicRef"')[0], "expectations[4].kwargs.json_schema.items.$dynamicRef"),
    ]


# --- the allowlist and plain data ------------------------------------------------------------------------


def test_types_off_the_allowlist_are_refused_at_their_line(tmp_path: Path) -> None:
    expectations = [
        {"type": "expect_query_results_to_match_comparison", "kwargs": {"base_query": "SELECT 1", "comparison_query": "SELECT 1"}},
        {"type": "unexpected_rows_expectation", "kwargs": {"unexpected_rows_query": "SELECT * FROM {batch}"}},
        {"type": "expect_column_values_to_be_nul", "kwargs": {"column": "amount"}},
        _expectation(),
    ]  # fmt: skip
    project = _project(tmp_path / "proj", expectations)
    code, result, _ = _check(project)
    assert (code, result["status"]) == (1, "error")
    suite = (project / "data" / "suite.json").read_text(encoding="utf-8")
    assert _findings(result) == [
        (_lines_of(suite, '"expect_query_results_to_match_comparison"')[0],
         "expectations[0].type: expectation 'expect_query_results_to_match_comparison' is not allowed: it runs SQL "
         "queries (base_query, comparison_query) against data sources; only Great Expectations' built-in column and "
         "table expectations run"),
        (_lines_of(suite, '"unexpected_rows_expectation"')[0],
         "expectations[1].type: expectation 'unexpected_rows_expectation' is not allowed: it runs an SQL query "
         "(unexpected_rows_query); only Great Expectations' built-in column and table expectations run"),
        (_lines_of(suite, '"expect_column_values_to_be_nul"')[0],
         "expectations[2].type: unknown Great Expectations expectation 'expect_column_values_to_be_nul' (did you "
         "mean 'expect_column_values_to_be_null'?)"),
    ]  # fmt: skip


def test_arguments_that_are_not_plain_data_are_refused_at_their_line(tmp_path: Path) -> None:
    expectations = [
        _expectation("expect_column_values_to_be_between", min_value={"$PARAMETER": "9 ** 9 ** 9"}),
        _expectation("expect_column_values_to_be_between", max_value=2**80),
        _expectation("expect_column_values_to_be_in_set", value_set=["DE", {"x": [[[]]]}], colum="country"),
        _expectation("expect_column_values_to_be_of_type", type_="__class__"),
        _expectation(result_format={"result_format": "COMPLETE", "include_unexpected_rows": True}),
    ]
    project = _project(tmp_path / "proj", expectations)
    code, result, _ = _check(project)
    assert (code, result["status"]) == (1, "error")
    suite = (project / "data" / "suite.json").read_text(encoding="utf-8")
    assert _findings(result) == [
        (_lines_of(suite, '"$PARAMETER"')[0], "expectations[0].kwargs.min_value.$PARAMETER: suite parameters "
         "($PARAMETER) are refused: GX evaluates them with its expression parser, and DAT001 supplies none; write "
         "the value itself"),
        (_lines_of(suite, str(2**80))[0], "expectations[1].kwargs.max_value: the integer 12089258196146291747… is "
         "larger than 64 bits"),
        (_lines_of(suite, '"colum"')[0], "expectations[2].kwargs.colum: expect_column_values_to_be_in_set takes no "
         "argument 'colum' (did you mean 'column'?)"),
        (_lines_of(suite, '"type_"')[0], "expectations[3].kwargs.type_: '__class__' is not a type name"),
        (_lines_of(suite, '"result_format": {')[0], "expectations[4].kwargs.result_format: `result_format` is one "
         "of BOOLEAN_ONLY, BASIC, SUMMARY, COMPLETE: DAT001 decides what else a result holds"),
    ]  # fmt: skip


def _deep(levels: int) -> list[Any]:
    """`levels` lists, each inside the next: [[[]]] is 3."""
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


# Each case: (type, kwargs, meta) -> the refusals' locations and the start of the first message.
REFUSALS: dict[str, tuple[str, dict[str, Any], dict[str, Any], list[tuple[Any, ...]], str]] = {
    "python_parser": ("expect_column_values_to_not_be_null", {"column": "a", "row_condition": "a > 1", "condition_parser": "python"},
                      {}, [("kwargs", "row_condition"), ("kwargs", "condition_parser")], ROW_CONDITIONS_REFUSED),
    "parser_only": ("expect_column_values_to_not_be_null", {"column": "a", "condition_parser": "great_expectations"}, {},
                    [("kwargs", "condition_parser")], "`condition_parser` only selects"),
    "nested_parameter": ("expect_column_values_to_be_in_set", {"column": "a", "value_set": [{"$PARAMETER": "x"}]}, {},
                         [("kwargs", "value_set", 0, "$PARAMETER")], "suite parameters"),
    "recursive_ref": ("expect_column_values_to_match_json_schema",
                      {"column": "a", "json_schema": {"anyOf": [{"$recursiveRef": "#"}, {"$anchor": "x"}]}}, {},
                      [("kwargs", "json_schema", "anyOf", 0, "$recursiveRef"), ("kwargs", "json_schema", "anyOf", 1, "$anchor")],
                      "`$recursiveRef` is refused"),
    "url_in_enum": ("expect_column_values_to_match_json_schema",
                    {"column": "a", "json_schema": {"enum": ["ok", "https://example.com/x", "FILE:x", "//host/x"]}}, {},
                    [("kwargs", "json_schema", "enum", i) for i in (1, 2, 3)], "'https://example.com/x' is a URL"),
    "text_and_known_draft": ("expect_column_values_to_match_json_schema",
                             {"column": "a", "json_schema": {"$schema": "http://json-schema.org/draft-07/schema#",
                              "title": "https://example.com", "$comment": "file:x", "$defs": {"d": {"type": "string"}},
                              "properties": {"description": {"type": "string"}}}}, {}, [], ""),
    "too_deep": ("expect_column_values_to_be_in_set", {"column": "a", "value_set": _deep(MAX_NESTING + 1)}, {},
                 [("kwargs", "value_set")], f"arguments nested deeper than {MAX_NESTING} levels"),
    "deep_enough": ("expect_column_values_to_be_in_set", {"column": "a", "value_set": _deep(MAX_NESTING)}, {}, [], ""),
    "too_many": ("expect_column_values_to_be_in_set", {"column": "a", "value_set": list(range(MAX_VALUES))}, {},
                 [("kwargs", "value_set")], f"more than {MAX_VALUES:,} values"),
    "long_text": ("expect_column_values_to_match_regex", {"column": "a", "regex": "a" * 10_001}, {},
                  [("kwargs", "regex")], "a text of more than 10,000 characters"),
    "nan": ("expect_column_values_to_be_between", {"column": "a", "min_value": float("nan")}, {},
            [("kwargs", "min_value")], "nan is not a usable argument"),
    "non_text_key": ("expect_column_kl_divergence_to_be_less_than", {"column": "a", "partition_object": {1: [0.5]}}, {},
                     [("kwargs", "partition_object")], "mapping keys are text; 1 is not"),
    "meta_is_plain_too": ("expect_column_to_exist", {"column": "a"}, {"notes": b"x", "ok": {"$PARAMETER": "not evaluated"}},
                          [("meta", "notes")], "binary data"),
    "private_in_type_list": ("expect_column_values_to_be_in_type_list", {"column": "a", "type_list": ["int64", "_x"]}, {},
                             [("kwargs", "type_list", 1)], "'_x' is not a type name"),
    "internal_fields": ("expect_column_to_exist", {"column": "a", "meta": {}, "batch_id": "b", "windows": []}, {},
                        [("kwargs", k) for k in ("meta", "batch_id", "windows")], "expect_column_to_exist takes no argument 'meta'"),
    "common_arguments": ("expect_column_to_exist", {"column": "a", "catch_exceptions": True, "description": "d", "notes": ["n"],
                         "result_format": "SUMMARY", "severity": "warning"}, {}, [], ""),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusal_rules(case: str) -> None:
    name, kwargs, meta, places, start = REFUSALS[case]
    found: list[Refusal] = refusals(name, kwargs, meta)
    assert [r.at for r in found] == places
    if found:
        assert found[0].message.startswith(start), found[0].message


# --- a normal suite still runs -------------------------------------------------------------------------


def test_a_normal_suite_still_runs_and_passes(tmp_path: Path) -> None:
    """One GX run: a suite file and inline expectations, each kind of argument the rules look at."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "description": "see https://example.com/docs",
              "type": "array", "items": {"$comment": "file: never read", "type": "integer", "minimum": 0}}  # fmt: skip
    expectations = [
        _expectation(),
        _expectation("expect_column_values_to_be_between", min_value=0, max_value=100, mostly=0.95),
        _expectation("expect_column_values_to_be_of_type", type_="float64"),
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "country", "value_set": ["DE", "FR"]},
         "meta": {"notes": "a GX export keeps notes here", "owner": {"team": "payments", "$PARAMETER": "plain data in meta"}}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "country", "regex": "^[A-Z]{2}$", "result_format": "SUMMARY"}},
        {"type": "expect_column_values_to_match_json_schema", "kwargs": {"column": "payload", "json_schema": schema}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 10, "max_value": 1000}},
    ]  # fmt: skip
    project = _project(tmp_path / "proj", expectations)
    config = project / "readiness.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "suite: data/suite.json}", "suite: data/suite.json,\n    expectations: [{type: expect_column_to_exist, "
        "kwargs: {column: payload, column_index: 2}}, {type: expect_column_max_to_be_between, kwargs: {column: amount, "
        "max_value: 20, strict_max: true}}]}"), encoding="utf-8")  # fmt: skip
    code, result, stderr = _check(project)
    assert (code, result["status"], result["message"]) == (0, "pass", "9 expectations hold on data/reference.csv"), stderr


def test_the_allowlist_matches_the_installed_great_expectations() -> None:
    """Every allowed type is a registered GX built-in column or table expectation and takes exactly the
    arguments listed; every other built-in is excluded with a reason. A GX upgrade that drops, adds or
    changes one fails here: read what it evaluates before updating expectation_allowlist.json."""
    import_gx()  # quietly: analytics off, import-time warnings silenced
    from great_expectations.core.metric_domain_types import MetricDomainTypes
    from great_expectations.expectations.expectation import Expectation, QueryExpectation
    from great_expectations.expectations.registry import _registered_expectations, get_expectation_impl

    data = allowlist()
    built_in = {name for name in _registered_expectations
                if get_expectation_impl(name).__module__.startswith("great_expectations.expectations.core.")}  # fmt: skip
    assert set(data["expectations"]) | set(data["excluded"]) == built_in
    assert not set(data["expectations"]) & set(data["excluded"])
    base = set(Expectation.__fields__)
    assert set(data["common_arguments"]) <= base
    not_arguments = {"batch_id", "row_condition", "condition_parser", "library_metadata"}
    domains = {MetricDomainTypes.TABLE, MetricDomainTypes.COLUMN, MetricDomainTypes.COLUMN_PAIR, MetricDomainTypes.MULTICOLUMN}
    for name, arguments in data["expectations"].items():
        impl = get_expectation_impl(name)
        assert impl.domain_type in domains and not issubclass(impl, QueryExpectation), name
        assert sorted(set(impl.__fields__) - base - not_arguments) == arguments, name


def test_accepted_meta_schemas_are_ones_jsonschema_ships_with() -> None:
    """An accepted `$schema` picks a bundled validator class, never a fallback (which could mean a fetch later)."""
    import jsonschema.validators

    from checker.data.expectation_safety import _METASCHEMAS

    for uri in _METASCHEMAS:
        assert jsonschema.validators.validator_for({"$schema": uri}, default=None) is not None, uri
