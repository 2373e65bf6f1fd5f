"""Broken project configuration: exit 2, one `file:line:col: key.path: message` line per problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from own_words import own_lines
from click.testing import CliRunner

from checker.cli import main
from checker.config import ConfigError, load_config

TEAM_PACK = Path(__file__).parent / "fixtures" / "packs" / "team.yaml"
SEVERITIES = "'critical', 'high', 'medium', 'low', 'info'"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "ops").mkdir(parents=True)
    shutil.copy(TEAM_PACK, root / "ops" / "team.yaml")
    (root / "Dockerfile").write_text("FROM python:3.12-slim\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def _check(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", "proj", "--output-dir", "out", "--format", "json", *args])
    assert "Traceback" not in result.output
    return result.exit_code, own_lines(result.stderr.splitlines())


def _write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


def test_structural_errors_all_at_once(project: Path) -> None:
    _write(project, "readiness.yaml", (
        "service: fraud\n"
        "servce: typo\n"
        "slo:\n"
        "  p95_latency: 250\n"
        "  throughput_rps: fast\n"
        "fail_on: severe\n"
        "categories:\n"
        "  monitoring: {enabeld: false}\n"
        "rules:\n"
        "  REL001: {severity: urgent}\n"
        "waivers:\n"
        "  - rule: REL002\n"
        "    owner: me\n"
    ))  # fmt: skip
    code, lines = _check()
    assert code == 2
    assert lines == [
        "proj/readiness.yaml:2:1: servce: unknown key (did you mean 'service'?)",
        "proj/readiness.yaml:4:3: slo.p95_latency: unknown key (did you mean 'p95_latency_ms'?)",
        "proj/readiness.yaml:5:3: slo.throughput_rps: 'fast' is not of type 'number'",
        f"proj/readiness.yaml:6:1: fail_on: 'severe' is not one of {SEVERITIES}",
        "proj/readiness.yaml:8:16: categories.monitoring.enabeld: unknown key (did you mean 'enabled'?)",
        f"proj/readiness.yaml:10:12: rules.REL001.severity: 'urgent' is not one of {SEVERITIES}",
        "proj/readiness.yaml:12:5: waivers[0].expires: required key is missing",
        "proj/readiness.yaml:12:5: waivers[0].reason: required key is missing",
    ]
    assert not (project.parent / "out" / "readiness.json").exists()


def test_invalid_yaml(project: Path) -> None:
    _write(project, "readiness.yaml", "service: x\nslo: {p95_latency_ms: 1\nfail_on: high\n")
    code, lines = _check()
    assert (code, lines) == (2, ["proj/readiness.yaml:3:8: (yaml): syntax error (parser: …)"])


def test_duplicate_key_and_non_mapping(project: Path) -> None:
    _write(project, "readiness.yaml", "service: a\nfail_on: high\nservice: b\n")
    assert _check() == (2, ["proj/readiness.yaml:3:1: service: duplicate key (first written at line 1, column 1)"])
    _write(project, "readiness.yaml", "- service\n")
    assert _check() == (2, ["proj/readiness.yaml:1:1: (root): the config must be a mapping of keys"])


def test_rule_and_waiver_governance(project: Path) -> None:
    _write(project, "readiness.yaml", (
        "rule_packs: [ops/team.yaml]\n"
        "rules:\n"
        "  NOPE001: {enabled: false}\n"
        "  TEAM101: {params: {patern: FIXME}}\n"
        "  REL001: {params: {max_psi: 0.1}}\n"
        "waivers:\n"
        "  - rule: XYZ999\n"
        "    reason: no such rule\n"
        "    expires: 2030-01-01\n"
        "  - rule: TEAM100\n"
        "    reason: not waivable\n"
        "    expires: 2030-01-01\n"
    ))  # fmt: skip
    code, lines = _check()
    assert code == 2
    assert lines == [
        "proj/readiness.yaml:3:3: rules.NOPE001: unknown rule id 'NOPE001'",
        "proj/readiness.yaml:4:22: rules.TEAM101.params.patern: TEAM101 has no parameter 'patern' (parameters: pattern)",
        "proj/readiness.yaml:5:21: rules.REL001.params.max_psi: REL001 has no parameter 'max_psi' (parameters: none)",
        "proj/readiness.yaml:7:5: waivers[0].rule: unknown rule id 'XYZ999'",
        "proj/readiness.yaml:10:5: waivers[1].rule: TEAM100 is not waivable (waivable: false)",
    ]


def test_non_waivable_rule_from_rules_flag(project: Path) -> None:
    _write(project, "readiness.yaml", "waivers:\n  - {rule: TEAM100, reason: r, expires: 2030-01-01}\n")
    code, lines = _check("--rules", "proj/ops/team.yaml")
    assert (code, lines) == (
        2,
        ["proj/readiness.yaml:2:6: waivers[0].rule: TEAM100 is not waivable (waivable: false)"],
    )


def test_bad_parameter_value(project: Path) -> None:
    _write(
        project,
        "readiness.yaml",
        "rule_packs: [ops/team.yaml]\nrules:\n  TEAM101: {params: {pattern: '(a)\\1'}}\n",
    )
    code, lines = _check()
    assert code == 2
    assert lines == [
        (
            "proj/readiness.yaml:3:22: rules.TEAM101.params.pattern: "
            "invalid regular expression '(a)\\\\1': invalid escape sequence: \\1"
        )
    ]


def test_paths_must_exist_and_stay_inside(project: Path) -> None:
    (project.parent / "outside.yaml").write_text("pack: {name: x}\nrules: []\n", encoding="utf-8")
    _write(project, "readiness.yaml", (
        "rule_packs: [../outside.yaml, missing.yaml]\n"
        "model:\n"
        "  metadata: /etc/MLmodel\n"
        "api:\n"
        "  spec: api/openapi.yaml\n"
        "data:\n"
        "  reference: {path: data/*.parquet}\n"
    ))  # fmt: skip
    code, lines = _check()
    assert code == 2
    assert lines == [
        "proj/readiness.yaml:1:14: rule_packs[0]: path '../outside.yaml' leaves the project root",
        "proj/readiness.yaml:1:31: rule_packs[1]: path 'missing.yaml' does not exist",
        "proj/readiness.yaml:3:3: model.metadata: path '/etc/MLmodel' must be relative to the project root",
        "proj/readiness.yaml:5:3: api.spec: path 'api/openapi.yaml' does not exist",
        "proj/readiness.yaml:7:15: data.reference.path: no file matches 'data/*.parquet'",
    ]


def test_missing_explicit_config(project: Path) -> None:
    assert _check("--config", "nope.yaml") == (2, ["nope.yaml:1:1: (file): config file not found"])


PYPROJECT = """\
[project]
name = "fraud"
version = "1.0.0"

[tool.readiness]
service = "fraud"
servce = "typo"
fail_on = "severe"

[tool.readiness.slo]
p95_latency = 250

[tool.readiness.rules.REL002]
enabled = false

[tool.readiness.rules.REL001]
severity = "urgent"

[[tool.readiness.waivers]]
rule = "REL002"
reason = "r"
expires = 2030-01-01

[[tool.readiness.waivers]]
rule = "REL003"
"""


def test_pyproject_errors_name_the_line_of_the_key(project: Path) -> None:
    _write(project, "pyproject.toml", PYPROJECT)
    code, lines = _check()
    assert code == 2
    assert lines == [
        "proj/pyproject.toml:7:1: tool.readiness.servce: unknown key (did you mean 'service'?)",
        f"proj/pyproject.toml:8:1: tool.readiness.fail_on: 'severe' is not one of {SEVERITIES}",
        "proj/pyproject.toml:11:1: tool.readiness.slo.p95_latency: unknown key (did you mean 'p95_latency_ms'?)",
        f"proj/pyproject.toml:17:1: tool.readiness.rules.REL001.severity: 'urgent' is not one of {SEVERITIES}",
        "proj/pyproject.toml:24:1: tool.readiness.waivers[1].expires: required key is missing",
        "proj/pyproject.toml:24:1: tool.readiness.waivers[1].reason: required key is missing",
    ]


def test_pyproject_semantic_errors_and_invalid_toml(project: Path) -> None:
    _write(
        project,
        "pyproject.toml",
        '[tool.readiness]\nrule_packs = ["gone.yaml"]\n\n[tool.readiness.rules.NOPE9]\nenabled = false\n',
    )
    assert _check() == (
        2,
        ["proj/pyproject.toml:2:1: tool.readiness.rule_packs[0]: path 'gone.yaml' does not exist"],
    )
    _write(project, "pyproject.toml", "[tool.readiness.rules.NOPE9]\nenabled = false\n")
    assert _check() == (2, ["proj/pyproject.toml:1:1: tool.readiness.rules.NOPE9: unknown rule id 'NOPE9'"])
    _write(project, "pyproject.toml", "[tool.readiness\nservice = 'x'\n")
    code, lines = _check()
    assert code == 2
    assert lines == [
        (
            "proj/pyproject.toml:1:16: (toml): invalid TOML: Expected ']' at the end of a table declaration "
            "(at line 1, column 16)"
        )
    ]


def test_pyproject_without_section_or_broken_elsewhere_is_no_config(project: Path) -> None:
    _write(project, "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_config(project).file == str(project / "pyproject.toml")
    _write(project, "pyproject.toml", "[project\nname = 'x'\n")
    assert (
        load_config(project).file is None
    )  # a broken pyproject without our section is the project's problem


def test_readiness_yaml_wins_over_pyproject(project: Path) -> None:
    _write(project, "pyproject.toml", '[tool.readiness]\nservice = "from-toml"\n')
    _write(project, "readiness.yaml", "service: from-yaml\n")
    assert load_config(project).config.service == "from-yaml"


def test_config_error_problems_are_sorted_by_position() -> None:
    error = ConfigError(["b.yaml:1:1: x: m", "a.yaml:10:1: x: m", "a.yaml:9:3: x: m", "a.yaml:9:1: x: m"])
    assert error.problems == ["a.yaml:9:1: x: m", "a.yaml:9:3: x: m", "a.yaml:10:1: x: m", "b.yaml:1:1: x: m"]


def test_previous_git_revision_may_not_look_like_an_option(project: Path) -> None:
    """The revision is handed to `git`: `--output=…` would be read as an option, not a revision."""
    _write(project, "readiness.yaml", "api:\n  previous: {git: '--output=/tmp/x', path: api.yaml}\n")
    code, errors = _check()
    assert code == 2
    assert errors == ["proj/readiness.yaml:2:14: api.previous.git: '--output=/tmp/x' is not a git revision "
                      "(no leading '-', spaces or control characters)"]  # fmt: skip
