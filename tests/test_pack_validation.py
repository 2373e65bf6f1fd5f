"""Rule-pack validation: every problem at once, each as `file:line:col: field.path: message`, exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from own_words import own_lines
from click.testing import CliRunner

from checker.checks.registry import default_registry
from checker.cli import main
from checker.engine.packs import builtin_pack_dir, pack_files
from checker.packs.loader import PackError, load_packs

PACKS = Path(__file__).parent / "fixtures" / "packs"
OPS = "'exists', 'absent', '==', '!=', 'in', 'not_in', 'matches', 'not_matches', 'contains', 'not_contains', '>', '>=', '<', '<='"


def _builtin_source(rule_id: str) -> str:
    rules = load_packs(pack_files(builtin_pack_dir()), default_registry(), display_root=Path.cwd())
    return next(r.source for r in rules if r.id == rule_id)


def _expected(invalid: str, broken: str, rel001: str) -> list[str]:
    check_types = ", ".join(repr(c.name) for c in default_registry())
    return [
        f"{invalid}:8:5: rules[0].sevrity: unknown key (did you mean 'severity'?)",
        f"{invalid}:16:5: rules[1].severity: 3 is not one of 'critical', 'high', 'medium', 'low', 'info'",
        f"{invalid}:23:7: rules[1].check.assert: 'x' is not of type 'object'",
        f"{invalid}:24:5: rules[2].id: duplicate rule id 'TEAM001' (first defined at {invalid}:5:5)",
        f"{invalid}:39:13: rules[3].check.type: 'file_exist' is not one of {check_types}",
        f"{invalid}:50:37: rules[4].check.assert.op: 'greater' is not one of {OPS}",
        f"{invalid}:61:7: rules[5].check.pattern: invalid regular expression '(a)\\\\1': invalid escape sequence: \\1",
        (
            f"{invalid}:72:50: rules[6].check.assert.value: invalid regular expression '(a)\\\\1': "
            "invalid escape sequence: \\1"
        ),
        (
            f"{invalid}:80:14: rules[7].params.max_psi: no check of this rule takes a parameter 'max_psi' "
            "(its checks take: paths)"
        ),
        f"{invalid}:82:5: rules[8].id: duplicate rule id 'REL001' {rel001}",
        f"{invalid}:94:5: rules[9].severity: duplicate key (first written at line 93, column 5)",
        f"{broken}:6:1: (yaml): syntax error (parser: …)",
    ]


@pytest.fixture
def packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture packs copied into the working directory, so paths print relative and short."""
    for name in ("invalid.yaml", "syntax_error.yaml", "team.yaml"):
        shutil.copy(PACKS / name, tmp_path / name)
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_rules_validate_reports_every_problem_sorted(packs: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "validate", "invalid.yaml", "syntax_error.yaml"])
    builtin = _builtin_source("REL001")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert own_lines(result.stderr.splitlines()) == _expected(
        "invalid.yaml", "syntax_error.yaml", f"(a built-in rule, {builtin})"
    )


def test_check_with_invalid_rules_reports_the_same_problems(packs: Path) -> None:
    args = [
        "check",
        "project",
        "--rules",
        "invalid.yaml",
        "--rules",
        "syntax_error.yaml",
        "--output-dir",
        "out",
    ]
    result = CliRunner().invoke(main, args)
    builtin = _builtin_source("REL001")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert own_lines(result.stderr.splitlines()) == _expected(
        "invalid.yaml", "syntax_error.yaml", f"(first defined at {builtin})"
    )
    assert not (packs / "out" / "readiness.json").exists()


def test_valid_pack_validates(packs: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "validate", "team.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 2 rules in 1 files\n"


def test_pack_error_carries_structured_problems(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_packs([PACKS / "invalid.yaml"], display_root=PACKS)
    problems = caught.value.problems
    assert problems == sorted(problems)
    assert [(p.line, p.column, p.path) for p in problems][:3] == [
        (8, 5, "rules[0].sevrity"),
        (16, 5, "rules[1].severity"),
        (23, 7, "rules[1].check.assert"),
    ]


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        pytest.param(
            "{type: kubernetes, scope: pods, assert: {path: x}}",
            "13:31: rules[0].check.scope: 'pods' is not one of 'containers', 'workloads', 'resources'",
            id="enum",
        ),
        pytest.param(
            "{type: file_exists, paths: []}",
            "13:32: rules[0].check.paths: [] must not be empty",
            id="min-items",
        ),
        pytest.param(
            "{all: [{type: file_exists, paths: [a]}, {type: file_content, files: [b], pattern: '(?=x)'}]}",
            "13:85: rules[0].check.all[1].pattern: invalid regular expression '(?=x)': "
            "invalid perl operator: (?=",
            id="lookahead-inside-all",
        ),
        pytest.param(
            "{type: document_query, files: [a.yaml], assert: {all: [{path: a, op: bigger}]}}",
            f"13:77: rules[0].check.assert.all[0].op: 'bigger' is not one of {OPS}",
            id="op-inside-all-condition",
        ),
        pytest.param(
            "{type: file_exists, paths: [a], extra: 1}",
            "13:44: rules[0].check.extra: unknown key (allowed: type, paths)",
            id="unknown-check-key",
        ),
    ],
)
def test_check_definition_errors(tmp_path: Path, check: str, expected: str) -> None:
    pack = tmp_path / "one.yaml"
    pack.write_text(
        "pack:\n  name: one\nrules:\n  - id: ONE001\n    title: t\n    category: security\n"
        "    severity: low\n    description: d\n    rationale: r\n    remediation: m\n"
        "    # the check under test follows\n\n"
        f"    check: {check}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as caught:
        load_packs([pack], display_root=tmp_path)
    assert [str(p) for p in caught.value.problems] == [f"one.yaml:{expected}"]


def test_unreadable_and_non_mapping_packs(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    (tmp_path / "latin1.yaml").write_bytes("pack: {name: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(PackError) as caught:
        load_packs(
            [tmp_path / "list.yaml", tmp_path / "latin1.yaml", tmp_path / "gone.yaml"], display_root=tmp_path
        )
    lines = [str(p) for p in caught.value.problems]
    assert lines[0].startswith("gone.yaml:1:1: (file): cannot read rule pack: ")
    assert lines[1] == "latin1.yaml:1:17: (file): not valid UTF-8: byte 0xe9 (invalid continuation byte)"
    assert lines[2] == "list.yaml:1:1: (root): a rule pack is a mapping with `pack:` and `rules:`, not a list"


def test_rules_validate_missing_file_is_exit_2(packs: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "validate", "nope.yaml"])
    assert result.exit_code == 2
    assert result.stderr.startswith("nope.yaml:1:1: (file): cannot read rule pack: ")
