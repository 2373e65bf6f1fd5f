"""`readiness schema --config`: the JSON Schema of readiness.yaml, for editors — generated from the config model,
described key by key, and in agreement with the model on real and broken configs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from checker.cli import main
from checker.config import ConfigError, ProjectConfig, load_config
from checker.config_schema import DESCRIPTIONS, ROOT_MODEL, build_config_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = build_config_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CONFIGS = sorted(p for p in [*ROOT.glob("examples/*/readiness.yaml"), ROOT / "tests/golden/failing-project/readiness.yaml"])


class _EditorYaml(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2): `2027-03-31` is a string, not a date."""


_EditorYaml.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _problems(text: str) -> list[str]:
    """Each error where it is, not "not valid under any of the given schemas" of a `section: null` choice."""
    doc = yaml.load(text, Loader=_EditorYaml)  # noqa: S506 - a SafeLoader subclass
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in _leaves(VALIDATOR.iter_errors(doc))]


def _leaves(errors: Any) -> list[jsonschema.ValidationError]:
    found = []
    for error in errors:
        found += _leaves(error.context) if error.context else [error]
    return found


def _model_accepts(text: str) -> bool:
    try:
        ProjectConfig.model_validate(yaml.load(text, Loader=_EditorYaml))  # noqa: S506
    except ValueError:
        return False
    return True


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every key the schema describes, as `<model>.<key>`."""
    found = {f"{ROOT_MODEL}.{key}": prop for key, prop in schema["properties"].items()}
    for name, model in schema["$defs"].items():
        found |= {f"{name}.{key}": prop for key, prop in model.get("properties", {}).items()}
    return found


def test_the_schema_is_valid_and_follows_the_model() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["title"] == "readiness.yaml" and SCHEMA["additionalProperties"] is False
    assert set(SCHEMA["properties"]) == set(ProjectConfig.model_fields)  # a key added to the model is here
    assert set(SCHEMA["$defs"]["Limits"]["properties"]) == set(ProjectConfig.model_fields["limits"].annotation.model_fields)


def test_every_key_has_a_description_and_none_is_stale() -> None:
    keys = _properties(SCHEMA)
    undescribed = sorted(key for key, prop in keys.items() if not prop.get("description"))
    assert not undescribed, f"add a description for these keys (checker/config_schema.py DESCRIPTIONS): {undescribed}"
    assert not sorted(set(DESCRIPTIONS) - set(keys)), "DESCRIPTIONS names keys the model no longer has"
    assert "title" not in json.dumps({k: {x: y for x, y in p.items() if x == "title"} for k, p in keys.items()})


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_committed_configs_are_valid(config: Path) -> None:
    assert _problems(config.read_text(encoding="utf-8")) == []


def test_the_readme_configuration_example_is_valid() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration (`readiness.yaml`)", 1)[1]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    example = next(block for block in blocks if block.startswith("service:"))  # the example with every section
    assert _problems(example) == []


def test_what_readiness_init_writes_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "fraud-scorer"
    shutil.copytree(ROOT / "examples" / "fraud-scorer", project, ignore=shutil.ignore_patterns(".readiness-cache"))
    (project / "readiness.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "fraud-scorer"])
    assert result.exit_code == 0, result.output
    text = (project / "readiness.yaml").read_text(encoding="utf-8")
    assert re.search(r"(?m)^slo:\s*$", text) or re.search(r"(?m)^\w+:\s*$", text)  # sections left empty
    assert _problems(text) == []
    load_config(project)  # and the checker agrees


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("fail_onn: high\n", "Additional properties are not allowed ('fail_onn' was unexpected)"),
        ("fail_on: severe\n", "fail_on: 'severe' is not one of ['critical', 'high', 'medium', 'low', 'info']"),
        ("categories: {securty: {enabled: false}}\n", "categories: 'securty' is not"),
        ("waivers: [{rule: SEC005, expires: 2027-03-31}]\n", "waivers.0: 'reason' is a required property"),
        ("limits: {max_file_mb: 0}\n", "limits.max_file_mb: 0 is less than or equal to the minimum of 0"),
        ("data: {serving: [{suite: s.json}]}\n", "data.serving"),
        ("data: {reference: {path: d.csv, expectations: [{type: expect_the_moon}]}}\n",
         "data.reference.expectations.0.type: 'expect_the_moon' is not one of"),
        ("rules: {REL008: {enabled: maybe}}\n", "rules.REL008.enabled: 'maybe' is not of type 'boolean'"),
    ],
    ids=["typo", "severity", "category", "waiver-reason", "limit", "serving-path", "expectation", "rule-enabled"],
)
def test_broken_configs_are_refused_like_the_model_refuses_them(text: str, where: str) -> None:
    problems = _problems(text)
    assert any(where in p or p.startswith(where) for p in problems), problems
    assert not _model_accepts(text)


@pytest.mark.parametrize(
    "text",
    [
        "slo:\nmodel:\napi:\ndata:\nlimits:\nscope:\nrules:\nwaivers:\ncategories:\nrule_packs:\n",
        "data: {serving: {path: a.csv}}\n",
        "data: {serving: [{path: a.csv}, {path: b.parquet}]}\n",
        "api: {previous: {git: v1.3.0, path: api/openapi.yaml}}\n",
        "categories: {monitoring: {enabled: false}}\nrules: {DAT006: {severity: high, params: {max_psi: 0.1}}}\n",
        "waivers: [{rule: SEC005, reason: legacy, expires: 2027-03-31, path: 'k8s/*.yaml'}]\n",
    ],
    ids=["empty-sections", "one-serving-set", "serving-list", "previous-git", "overrides", "waiver"],
)
def test_valid_configs_are_accepted_like_the_model_accepts_them(text: str) -> None:
    assert _problems(text) == []
    assert _model_accepts(text)


def test_the_command_prints_the_committed_schema() -> None:
    result = CliRunner().invoke(main, ["schema", "--config"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == SCHEMA
    assert result.output == (ROOT / "docs" / "readiness.schema.json").read_text(encoding="utf-8")
    rule_packs = CliRunner().invoke(main, ["schema"])
    assert json.loads(rule_packs.output)["title"] == "readiness rule pack"  # without --config: unchanged


def test_the_readme_shows_the_editor_line() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in readme
    assert "readiness schema --config" in readme
    line = next(x for x in readme.splitlines() if x.startswith("# yaml-language-server: $schema="))
    assert line.endswith("docs/readiness.schema.json") or line.endswith("readiness.schema.json")


def test_a_config_error_the_schema_cannot_see_is_still_the_checkers(tmp_path: Path) -> None:
    """Paths are checked against the project (they must exist): the schema leaves that to the checker."""
    (tmp_path / "readiness.yaml").write_text("api: {spec: api/missing.yaml}\n", encoding="utf-8")
    assert _problems("api: {spec: api/missing.yaml}\n") == []
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path)
