"""The breaking-change engine (API005, `readiness api-diff`): a table of spec pairs, one per breaking kind of
SPEC §7 and a set of evolutions that must not be reported; hostile specs; git revisions; CLI exit codes."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.apidiff import ChangeKind, diff
from checker.cli import main
from checker.engine.run import RunOptions, run
from checker.model import Status
from checker.project.openapi import FileSource, load_spec

BASE = """\
openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
        '404': {description: missing}
    post:
      operationId: createItem
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewItem'}
          application/xml:
            schema: {$ref: '#/components/schemas/NewItem'}
      responses:
        '201': {description: created}
  /old:
    get:
      operationId: old
      responses: {'200': {description: ok}}
components:
  schemas:
    Item:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, format: int32}
        name: {type: string}
        note: {type: string}
    NewItem:
      type: object
      required: [name]
      properties:
        name: {type: string, maxLength: 50}
        kind: {type: string, enum: [a, b]}
        size: {type: integer}
        when: {type: string, format: date}
"""

OLD_PATH = """\
  /old:
    get:
      operationId: old
      responses: {'200': {description: ok}}
"""
POST_OP = BASE[BASE.index("    post:\n"):BASE.index("  /old:\n")]
ITEM_NOTE = "        note: {type: string}\n"
ITEM_SECRET = "        secret: {type: string, writeOnly: true}\n"
ITEM_LABELS = "        labels: {type: object, additionalProperties: {type: string}}\n"
JSON_BODY = "/paths/~1items/post/requestBody/content/application~1json/schema"
ITEM = "/paths/~1items/get/responses/200/content/application~1json/schema"


@dataclass
class Case:
    name: str
    new: list[tuple[str, str]]  # text replacements turning BASE into the new spec
    kind: ChangeKind | None = None  # None: nothing may be reported
    pointer: str = ""
    file: str = "new.yaml"
    line: int | None = None
    old: list[tuple[str, str]] = field(default_factory=list)


BREAKING = [
    Case("path_removed", [(OLD_PATH, "")], ChangeKind.PATH_REMOVED, "/paths/~1old", "old.yaml", 26),
    Case("operation_removed", [(POST_OP, "")], ChangeKind.OPERATION_REMOVED, "/paths/~1items/post", "old.yaml", 16),
    Case("parameter_added_required",
         [("maximum: 100}}\n", "maximum: 100}}\n        - {name: tenant, in: header, required: true, schema: {type: string}}\n")],
         ChangeKind.PARAMETER_ADDED_REQUIRED, "/paths/~1items/get/parameters/1", "new.yaml", 9),
    Case("parameter_became_required", [("in: query, schema", "in: query, required: true, schema")],
         ChangeKind.PARAMETER_BECAME_REQUIRED, "/paths/~1items/get/parameters/0", "new.yaml", 8),
    Case("body_became_required", [("      requestBody:\n", "      requestBody:\n        required: true\n")],
         ChangeKind.BODY_BECAME_REQUIRED, "/paths/~1items/post/requestBody", "new.yaml", 18),
    Case("property_added_required",
         [("required: [name]\n", "required: [name, owner]\n"), ("        size: {type: integer}\n",
          "        size: {type: integer}\n        owner: {type: string}\n")],
         ChangeKind.PROPERTY_ADDED_REQUIRED, f"{JSON_BODY}/properties/owner", "new.yaml", 46),
    Case("property_became_required", [("required: [name]\n", "required: [name, size]\n")],
         ChangeKind.PROPERTY_BECAME_REQUIRED, f"{JSON_BODY}/properties/size", "new.yaml", 45),
    Case("request_type_changed", [("size: {type: integer}", "size: {type: string}")],
         ChangeKind.REQUEST_TYPE_CHANGED, f"{JSON_BODY}/properties/size", "new.yaml", 45),
    Case("request_format_changed", [("format: date}", "format: date-time}")],
         ChangeKind.REQUEST_FORMAT_CHANGED, f"{JSON_BODY}/properties/when", "new.yaml", 46),
    Case("request_enum_narrowed", [("enum: [a, b]", "enum: [a]")],
         ChangeKind.REQUEST_ENUM_NARROWED, f"{JSON_BODY}/properties/kind", "new.yaml", 44),
    Case("request_max_length_tightened", [("maxLength: 50", "maxLength: 20")],
         ChangeKind.REQUEST_CONSTRAINT_TIGHTENED, f"{JSON_BODY}/properties/name", "new.yaml", 43),
    Case("request_maximum_tightened", [("maximum: 100", "maximum: 10")],
         ChangeKind.REQUEST_CONSTRAINT_TIGHTENED, "/paths/~1items/get/parameters/0/schema", "new.yaml", 8),
    Case("request_pattern_tightened", [("name: {type: string, maxLength: 50}", "name: {type: string, maxLength: 50, pattern: '^[a-z]+$'}")],
         ChangeKind.REQUEST_CONSTRAINT_TIGHTENED, f"{JSON_BODY}/properties/name", "new.yaml", 43),
    Case("request_media_type_removed",
         [("          application/xml:\n            schema: {$ref: '#/components/schemas/NewItem'}\n", "")],
         ChangeKind.REQUEST_MEDIA_TYPE_REMOVED, "/paths/~1items/post/requestBody/content/application~1xml",
         "old.yaml", 22),
    Case("response_property_removed", [("        note: {type: string}\n", "")],
         ChangeKind.RESPONSE_PROPERTY_REMOVED, f"{ITEM}/properties/note", "old.yaml", 38),
    Case("response_optional_property_removed_even_if_optional", [("        note: {type: string}\n", "        notes: {type: string}\n")],
         ChangeKind.RESPONSE_PROPERTY_REMOVED, f"{ITEM}/properties/note", "old.yaml", 38),
    Case("response_success_status_removed", [("'201': {description: created}", "'202': {description: accepted}")],
         ChangeKind.RESPONSE_SUCCESS_STATUS_REMOVED, "/paths/~1items/post/responses/201", "old.yaml", 25),
    Case("response_type_changed", [("id: {type: integer, format: int32}", "id: {type: string}")],
         ChangeKind.RESPONSE_TYPE_CHANGED, f"{ITEM}/properties/id", "new.yaml", 36),
    Case("response_format_changed", [("format: int32}", "format: int64}")],
         ChangeKind.RESPONSE_FORMAT_CHANGED, f"{ITEM}/properties/id", "new.yaml", 36),
    Case("response_property_no_longer_required", [("required: [id, name]", "required: [id]")],
         ChangeKind.RESPONSE_PROPERTY_NO_LONGER_REQUIRED, f"{ITEM}/properties/name", "new.yaml", 37),
    Case("response_map_value_type_changed",
         [(ITEM_NOTE, ITEM_NOTE + ITEM_LABELS.replace("{type: string}}", "{type: integer}}"))],
         ChangeKind.RESPONSE_TYPE_CHANGED, f"{ITEM}/properties/labels/additionalProperties", "new.yaml", 39,
         old=[(ITEM_NOTE, ITEM_NOTE + ITEM_LABELS)]),
    Case("request_map_value_type_changed",
         [("        size: {type: integer}\n", "        size: {type: integer}\n" + ITEM_LABELS.replace("{type: string}}", "{type: boolean}}"))],
         ChangeKind.REQUEST_TYPE_CHANGED, f"{JSON_BODY}/properties/labels/additionalProperties", "new.yaml", 46,
         old=[("        size: {type: integer}\n", "        size: {type: integer}\n" + ITEM_LABELS)]),
    Case("response_property_became_write_only", [("note: {type: string}", "note: {type: string, writeOnly: true}")],
         ChangeKind.RESPONSE_PROPERTY_REMOVED, f"{ITEM}/properties/note", "old.yaml", 38),
    Case("renamed_path_parameter_type_changed",
         [("  /old:\n    get:\n", "  /old/{item_id}:\n    get:\n      parameters:\n"
           "        - {name: item_id, in: path, required: true, schema: {type: string}}\n")],
         ChangeKind.REQUEST_TYPE_CHANGED, "/paths/~1old~1{item_id}/get/parameters/0/schema", "new.yaml", 29,
         old=[("  /old:\n    get:\n", "  /old/{id}:\n    get:\n      parameters:\n"
               "        - {name: id, in: path, required: true, schema: {type: integer}}\n")]),
    Case("response_media_type_removed", [("            application/json:\n              schema: {$ref: '#/components/schemas/Item'}",
                                          "            text/csv:\n              schema: {type: string}")],
         ChangeKind.RESPONSE_MEDIA_TYPE_REMOVED, "/paths/~1items/get/responses/200/content/application~1json",
         "old.yaml", 13),
]

NON_BREAKING = [
    Case("new_optional_request_property", [("size: {type: integer}", "size: {type: integer}\n        colour: {type: string}")]),
    Case("new_endpoint", [("components:\n", "  /new:\n    get:\n      responses: {'200': {description: ok}}\ncomponents:\n")]),
    Case("new_response_property", [("note: {type: string}", "note: {type: string}\n        tags: {type: array, items: {type: string}}")]),
    Case("request_enum_widened", [("enum: [a, b]", "enum: [a, b, c]")]),
    Case("error_status_removed", [("        '404': {description: missing}\n", "")]),
    Case("request_type_widened_integer_to_number", [("size: {type: integer}", "size: {type: number}")]),
    Case("new_optional_parameter", [("maximum: 100}}\n", "maximum: 100}}\n        - {name: q, in: query, schema: {type: string}}\n")]),
    Case("request_constraint_relaxed", [("maxLength: 50", "maxLength: 100"), ("maximum: 100", "maximum: 1000")]),
    Case("request_property_no_longer_required", [("required: [name]\n", "required: []\n")]),
    Case("response_property_became_required", [("required: [id, name]", "required: [id, name, note]")]),
    Case("request_format_widened", [("size: {type: integer}", "size: {type: integer, format: int64}")],
         old=[("size: {type: integer}", "size: {type: integer, format: int32}")]),
    Case("sunset_operation_removed", [(OLD_PATH, "")],
         old=[("      operationId: old\n", "      operationId: old\n      deprecated: true\n      x-sunset: '2020-01-31'\n")]),
    Case("path_parameter_renamed", [("  /old:\n", "  /old/{b}:\n")], old=[("  /old:\n", "  /old/{a}:\n")]),
    # a path is its template shape: renaming a declared path parameter is no new required parameter
    Case("path_parameter_renamed_with_its_declaration",
         [("  /old:\n    get:\n", "  /old/{item_id}:\n    get:\n      parameters:\n"
           "        - {name: item_id, in: path, required: true, schema: {type: integer}}\n")]
         , old=[("  /old:\n    get:\n", "  /old/{id}:\n    get:\n      parameters:\n"
                 "        - {name: id, in: path, required: true, schema: {type: integer}}\n")]),
    Case("path_parameter_renamed_on_the_path_item",
         [("  /old:\n    get:\n", "  /old/{item_id}:\n    parameters:\n"
           "      - {name: item_id, in: path, required: true, schema: {type: integer}}\n    get:\n")],
         old=[("  /old:\n    get:\n", "  /old/{id}:\n    parameters:\n"
               "      - {name: id, in: path, required: true, schema: {type: integer}}\n    get:\n")]),
    # a writeOnly property is not part of a response: it may stop being required, change or go
    Case("response_write_only_property_no_longer_required", [(ITEM_NOTE, ITEM_NOTE + ITEM_SECRET)],
         old=[(ITEM_NOTE, ITEM_NOTE + ITEM_SECRET), ("required: [id, name]", "required: [id, name, secret]")]),
    Case("response_write_only_property_removed", [], old=[(ITEM_NOTE, ITEM_NOTE + ITEM_SECRET)]),
    Case("response_write_only_property_type_changed", [(ITEM_NOTE, ITEM_NOTE + ITEM_SECRET.replace("string", "integer"))],
         old=[(ITEM_NOTE, ITEM_NOTE + ITEM_SECRET)]),
    Case("response_map_value_type_unchanged", [(ITEM_NOTE, ITEM_NOTE + ITEM_LABELS)], old=[(ITEM_NOTE, ITEM_NOTE + ITEM_LABELS)]),
    Case("schema_inlined_instead_of_ref", [("schema: {$ref: '#/components/schemas/Item'}",
                                            ("schema: {type: object, required: [id, name], properties: {id: {type: integer, format: int32}, "
                                             "name: {type: string}, note: {type: string}}}"))]),
]


def _apply(text: str, replacements: list[tuple[str, str]]) -> str:
    for before, after in replacements:
        assert before in text, f"fixture edit does not apply: {before!r}"
        text = text.replace(before, after, 1)
    return text


def _diff(tmp_path: Path, case: Case, today: date = date(2026, 11, 25)) -> list:
    (tmp_path / "old.yaml").write_text(_apply(BASE, case.old), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(_apply(BASE, case.new), encoding="utf-8")
    source = FileSource(tmp_path)
    return diff(load_spec(source, "old.yaml"), load_spec(source, "new.yaml"), today)


@pytest.mark.parametrize("case", BREAKING, ids=lambda c: c.name)
def test_breaking_change_is_detected_at_its_place(case: Case, tmp_path: Path) -> None:
    changes = _diff(tmp_path, case)
    assert {c.kind for c in changes} == {case.kind}, [c.message for c in changes]
    located = [(c.pointer, c.location.file, c.location.line) for c in changes]
    assert (case.pointer, case.file, case.line) in located
    assert all(c.why and c.message for c in changes)


@pytest.mark.parametrize("case", NON_BREAKING, ids=lambda c: c.name)
def test_compatible_evolution_is_not_reported(case: Case, tmp_path: Path) -> None:
    assert _diff(tmp_path, case) == []


def test_every_breaking_kind_has_a_case() -> None:
    assert {c.kind for c in BREAKING if c.kind} == set(ChangeKind)


def test_removed_operation_before_its_sunset_still_breaks(tmp_path: Path) -> None:
    case = Case("x", [(OLD_PATH, "")], old=[("      operationId: old\n",
                                             "      operationId: old\n      deprecated: true\n      x-sunset: '2099-01-31'\n")])
    assert [c.kind for c in _diff(tmp_path, case)] == [ChangeKind.PATH_REMOVED]


def test_change_in_a_referenced_file_is_located_in_that_file(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    schemas = "Item:\n  type: object\n  properties:\n    id: {type: integer}\n    name: {type: string}\n"
    spec = BASE.replace("schema: {$ref: '#/components/schemas/Item'}", "schema: {$ref: 'schemas/item.yaml#/Item'}")
    (tmp_path / "old.yaml").write_text(spec, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(spec.replace("schemas/item.yaml", "schemas/item2.yaml"), encoding="utf-8")
    (tmp_path / "schemas/item.yaml").write_text(schemas, encoding="utf-8")
    (tmp_path / "schemas/item2.yaml").write_text(schemas.replace("integer", "string"), encoding="utf-8")
    source = FileSource(tmp_path)
    (change,) = diff(load_spec(source, "old.yaml"), load_spec(source, "new.yaml"))
    assert change.kind == ChangeKind.RESPONSE_TYPE_CHANGED
    assert (change.new.file, change.new.line) == ("schemas/item2.yaml", 4)
    assert change.pointer == f"{ITEM}/properties/id"


SWAGGER = """\
swagger: "2.0"
info: {title: t, version: 1.0.0}
paths:
  /items:
    post:
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: '#/definitions/Item'}}
      responses:
        '200': {description: ok, schema: {$ref: '#/definitions/Item'}}
definitions:
  Item:
    type: object
    properties:
      id: {type: integer}
      name: {type: string}
"""


def test_swagger_2_specs_are_compared(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(SWAGGER, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(SWAGGER.replace("      name: {type: string}\n", ""), encoding="utf-8")
    source = FileSource(tmp_path)
    (change,) = diff(load_spec(source, "old.yaml"), load_spec(source, "new.yaml"))
    assert change.kind == ChangeKind.RESPONSE_PROPERTY_REMOVED
    assert (change.old.file, change.old.line) == ("old.yaml", 15)


def test_recursive_schemas_terminate(tmp_path: Path) -> None:
    tree = BASE.replace("        note: {type: string}\n", "        note: {type: string}\n        children: {type: array, items: {$ref: '#/components/schemas/Item'}}\n")
    (tmp_path / "old.yaml").write_text(tree, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(tree.replace("required: [id, name]", "required: [id]"), encoding="utf-8")
    source = FileSource(tmp_path)
    changes = diff(load_spec(source, "old.yaml"), load_spec(source, "new.yaml"))
    assert {c.kind for c in changes} == {ChangeKind.RESPONSE_PROPERTY_NO_LONGER_REQUIRED}


# --- API005 through the engine: previous spec from a file or a git revision -----------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


def _api005(target: Path):
    report = run(RunOptions(target=target, only=("API005",)))
    (result,) = report.results
    return result


def _git_project(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "svc/api").mkdir(parents=True)
    (repo / "svc/api/openapi.yaml").write_text(BASE, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "release")
    _git(repo, "tag", "v1.0.0")
    return repo / "svc"


def test_previous_spec_from_a_git_revision(tmp_path: Path) -> None:
    target = _git_project(tmp_path)
    (target / "api/openapi.yaml").write_text(_apply(BASE, [("        note: {type: string}\n", "")]), encoding="utf-8")
    (target / "readiness.yaml").write_text("api:\n  spec: api/openapi.yaml\n  previous: {git: v1.0.0, path: api/openapi.yaml}\n")
    result = _api005(target)
    assert result.status == Status.FAIL
    (finding,) = result.findings
    assert "property 'note' was removed" in finding.message and "@v1.0.0" in finding.message
    # the old file is not in the working tree at that line: the finding points at the current schema
    assert (finding.path, finding.line) == ("api/openapi.yaml", 32)


def test_unchanged_spec_against_git_revision_passes(tmp_path: Path) -> None:
    target = _git_project(tmp_path)
    (target / "readiness.yaml").write_text("api:\n  previous: {git: v1.0.0, path: api/openapi.yaml}\n")
    result = _api005(target)
    assert result.status == Status.PASS, result.message


def test_missing_git_revision_is_an_error_with_a_hint(tmp_path: Path) -> None:
    target = _git_project(tmp_path)
    (target / "readiness.yaml").write_text("api:\n  previous: {git: v0.9.0, path: api/openapi.yaml}\n")
    result = _api005(target)
    assert result.status == Status.ERROR
    assert "v0.9.0" in result.message and "git fetch --tags --unshallow" in result.message


def test_previous_spec_missing_at_revision_is_an_error(tmp_path: Path) -> None:
    target = _git_project(tmp_path)
    (target / "readiness.yaml").write_text("api:\n  previous: {git: v1.0.0, path: api/gone.yaml}\n")
    result = _api005(target)
    assert result.status == Status.ERROR
    assert "api/gone.yaml does not exist at git revision v1.0.0" in result.message


# --- the command ------------------------------------------------------------------------------------


def test_api_diff_command_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("old.yaml").write_text(BASE, encoding="utf-8")
    Path("same.yaml").write_text(BASE, encoding="utf-8")
    Path("new.yaml").write_text(_apply(BASE, [(OLD_PATH, "")]), encoding="utf-8")
    runner = CliRunner()
    none = runner.invoke(main, ["api-diff", "old.yaml", "same.yaml"])
    assert (none.exit_code, none.output) == (0, "no breaking changes between old.yaml and same.yaml\n")
    breaking = runner.invoke(main, ["api-diff", "old.yaml", "new.yaml"])
    assert breaking.exit_code == 1
    assert "BREAKING  path-removed: path /old was removed" in breaking.output
    assert "old: old.yaml:26" in breaking.output and "1 breaking change between" in breaking.output
    missing = runner.invoke(main, ["api-diff", "old.yaml", "nope.yaml"])
    assert missing.exit_code == 2 and "nope.yaml: no such file" in missing.output


def test_api_diff_command_reads_git_revisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _git_project(tmp_path)
    (target / "api/openapi.yaml").write_text(_apply(BASE, [(POST_OP, "")]), encoding="utf-8")
    monkeypatch.chdir(target)
    result = CliRunner().invoke(main, ["api-diff", "v1.0.0:api/openapi.yaml", "api/openapi.yaml"])
    assert result.exit_code == 1
    assert "operation POST /items was removed" in result.output and "api/openapi.yaml:16@v1.0.0" in result.output
    unknown = CliRunner().invoke(main, ["api-diff", "v7:api/openapi.yaml", "api/openapi.yaml"])
    assert unknown.exit_code == 2 and "git fetch --tags --unshallow" in unknown.output


def test_api_diff_refuses_a_revision_that_looks_like_an_option(tmp_path: Path) -> None:
    target = _git_project(tmp_path)
    result = CliRunner().invoke(main, ["api-diff", "--", "--output=/tmp/x:api/openapi.yaml", str(target / "api/openapi.yaml")])
    assert result.exit_code == 2
    assert "'--output=/tmp/x' is not a git revision" in result.output


def test_api_diff_names_a_spec_that_is_not_a_regular_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.chdir(tmp_path)
    Path("new.yaml").write_text(BASE, encoding="utf-8")
    os.mkfifo("old.yaml")
    result = CliRunner().invoke(main, ["api-diff", "old.yaml", "new.yaml"])
    assert result.exit_code == 2
    assert "old.yaml: not a regular file (a FIFO, device or socket is never read)" in result.output


def test_a_ref_to_a_fifo_beside_a_spec_file_is_refused_not_blocked_on(tmp_path: Path) -> None:
    """Specs given as files are read like project files: a FIFO that a `$ref` names is never opened (a
    subprocess, so that a blocked read fails by its timeout rather than hanging the suite)."""
    import os
    import sys

    (tmp_path / "old.yaml").write_text(BASE.replace("{$ref: '#/components/schemas/Item'}", "{$ref: 'common.yaml#/Item'}", 1), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(BASE, encoding="utf-8")
    os.mkfifo(tmp_path / "common.yaml")
    proc = subprocess.run([sys.executable, "-m", "checker", "api-diff", "old.yaml", "new.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})  # fmt: skip
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == "error: old.yaml:14: cannot read common.yaml: a FIFO, not a regular file; not read\n"


def test_api_diff_refuses_to_compare_past_a_broken_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The diff walks around a `$ref` it cannot follow, so a breaking change behind it would go unseen."""
    monkeypatch.chdir(tmp_path)
    Path("old.yaml").write_text(BASE.replace("{$ref: '#/components/schemas/Item'}", "{$ref: 'common.yaml#/Item'}", 1),
                                encoding="utf-8")  # fmt: skip
    Path("new.yaml").write_text(BASE, encoding="utf-8")
    result = CliRunner().invoke(main, ["api-diff", "old.yaml", "new.yaml"])
    assert (result.exit_code, result.output) == (2, "error: old.yaml:14: cannot read common.yaml: No such file or directory\n")


def test_api_diff_command_compares_paths_by_template_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    declared = "  /old/{NAME}:\n    get:\n      parameters:\n        - {name: NAME, in: path, required: true, schema: {type: integer}}\n"
    Path("old.yaml").write_text(BASE.replace("  /old:\n    get:\n", declared.replace("NAME", "id")), encoding="utf-8")
    Path("new.yaml").write_text(BASE.replace("  /old:\n    get:\n", declared.replace("NAME", "item_id")), encoding="utf-8")
    result = CliRunner().invoke(main, ["api-diff", "old.yaml", "new.yaml"])
    assert (result.exit_code, result.output) == (0, "no breaking changes between old.yaml and new.yaml\n")
