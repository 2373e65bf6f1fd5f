"""Pre-commit selection of the API rules: their inputs are the OpenAPI specs, the files the specs' `$ref`s reach
and the previous release's spec — not every YAML/JSON file. A staged manifest leaves them out of the selection;
a staged spec, fragment, previous spec, unreadable or deleted YAML file brings them back (never less)."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_samples import EXAMPLE, FIXED_NOW, project_copy, write_tree

from checker.engine.run import RunOptions, run

API_RULES = {"API001", "API002", "API003", "API004", "API005", "API006", "API007", "VER006", "SEC006"}
SPEC = """\
openapi: 3.0.3
info: {title: svc, version: 1.0.0}
paths:
  /items:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'schemas/item.yaml#/Item'}
"""
FRAGMENTS = {
    "api/schemas/item.yaml": "Item:\n  type: object\n  properties:\n    tag: {$ref: 'tag.yaml#/Tag'}\n",
    "api/schemas/tag.yaml": "Tag: {type: string}\n",  # reached through item.yaml only
}
MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: svc}\ndata: {level: info}\n"


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _selected(target: Path, *changed: str) -> set[str]:
    options = RunOptions(target=target, changed=changed, skip=("data_compatibility", "SCA006"), clock=lambda: FIXED_NOW)
    return {r.rule_id for r in run(options).results}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    files = {"api/openapi.yaml": SPEC, "api/previous.yaml": SPEC, "k8s/config.yaml": MANIFEST, **FRAGMENTS,
             "readiness.yaml": "api: {previous: {file: api/previous.yaml}}\n"}  # fmt: skip
    return write_tree(tmp_path / "svc", files)


def test_a_staged_manifest_of_the_example_runs_no_api_rule(tmp_path: Path) -> None:
    ran = _selected(project_copy(EXAMPLE, tmp_path), "k8s/deployment.yaml")
    assert not ran & API_RULES
    assert {"REL009", "MON001", "REL002"} <= ran  # probe paths and ServiceMonitors are read from manifests


def test_a_staged_manifest_runs_no_api_rule(project: Path) -> None:
    assert not _selected(project, "k8s/config.yaml") & API_RULES


@pytest.mark.parametrize("path", ["api/openapi.yaml", "api/schemas/item.yaml", "api/schemas/tag.yaml"])
def test_a_staged_spec_or_a_file_its_refs_reach_runs_the_api_rules(project: Path, path: str) -> None:
    assert {"API001", "API002", "API005", "VER006"} <= _selected(project, path)


def test_a_staged_previous_spec_runs_the_breaking_change_rule(project: Path) -> None:
    assert "API005" in _selected(project, "api/previous.yaml")


def test_a_deleted_yaml_file_may_have_been_a_spec(project: Path) -> None:
    (project / "api/openapi.yaml").unlink()
    assert {"API001", "API005"} <= _selected(project, "api/openapi.yaml")


def test_an_unreadable_yaml_file_may_be_a_spec(project: Path) -> None:
    (project / "api/openapi.yaml").write_text("openapi: 3.0.3\npaths: {\n", encoding="utf-8")
    assert "API001" in _selected(project, "api/openapi.yaml")
