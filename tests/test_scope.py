"""SPEC §10 *Scope*: tests, samples, docs, vendored code and CI files are out of scope — read by SEC002 only —,
`scope: {include, exclude}` moves files across, and every report says how many files were out of scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.config import LoadedConfig, ProjectConfig
from checker.engine.changed import relevant_rules
from checker.engine.packs import load_rules
from checker.engine.run import RunOptions, run
from checker.checks.registry import default_registry
from checker.model import RunReport, Status
from checker.project.index import ProjectIndex
from checker.project.scope import Decision, Scope
from checker.reporters import compact, renderers
from checker.reporters.terminal import render as terminal

FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
UNPINNED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME}
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app:latest
"""


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _run(root: Path, *only: str) -> RunReport:
    return run(RunOptions(target=root, only=only, clock=lambda: FIXED_NOW, isolate=False))


# --- the decision ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        ("tests/deploy.yaml", "tests"),
        ("services/api/test/fixtures/deploy.yaml", "test"),  # any depth; the outermost folder counts
        ("examples/demo/docs/deploy.yaml", "examples"),
        (".github/workflows/ci.yaml", ".github"),
        ("third_party/chart/values.yaml", "third_party"),
        ("pkg/__tests__/x.json", "__tests__"),
        ("src/testing/helpers.py", None),  # not one of the names
        ("tests", None),  # a file named like a folder is not below one
        ("deploy/test_deployment.yaml", None),  # file names never decide
        ("Docs/guide.yaml", None),  # the names are case-sensitive
    ],
)
def test_default_folders_at_any_depth(path: str, folder: str | None) -> None:
    decision = Scope().decide(path)
    assert (decision.folder if decision else None) == folder


def test_include_wins_over_the_folders_and_exclude_over_both() -> None:
    scope = Scope(include=["examples/reference-service/**"], exclude=["examples/reference-service/legacy/**",
                                                                    "deploy/legacy/"])  # fmt: skip
    assert scope.decide("examples/reference-service/k8s/deployment.yaml") is None
    assert scope.decide("examples/other/k8s/deployment.yaml") == Decision("examples")
    assert scope.decide("examples/reference-service/legacy/old.yaml") == Decision("scope.exclude")
    assert scope.decide("deploy/legacy/old.yaml") == Decision("scope.exclude")
    assert scope.decide("deploy/current.yaml") is None


def test_files_the_config_names_are_in_scope_wherever_they_live() -> None:
    config = ProjectConfig.model_validate({"data": {"reference": {"path": "tests/data/train.csv"}},
                                           "model": {"metadata": "examples/model/MLmodel"}})  # fmt: skip
    scope = Scope.of(config)
    assert scope.decide("tests/data/train.csv") is None
    assert scope.decide("examples/model/MLmodel") is None
    assert scope.decide("tests/data/other.csv") == Decision("tests")


def test_only_an_openapi_spec_below_docs_stays_in_scope(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "docs/api/openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths: {}\n",
        "docs/api/schemas.yaml": "Prediction: {type: object}\n",
        "docs/examples/openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths: {}\n",
        "docs/swagger.json": '{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}',
    })  # fmt: skip
    index = ProjectIndex.build(root)
    assert [p for p in sorted(index.files) if index.in_scope(p)] == ["docs/api/openapi.yaml", "docs/swagger.json"]
    assert index.out_of_scope_counts == {"docs": 2}  # the fragment, and the spec below docs/examples/
    assert index.problems == []


def test_out_of_scope_files_are_no_rule_input_but_sec002_reads_them(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "k8s/api.yaml": UNPINNED.replace("NAME", "api").replace(":latest", ":1.0.0"),
        "tests/e2e/api.yaml": UNPINNED.replace("NAME", "e2e"),
        "examples/demo.yaml": UNPINNED.replace("NAME", "demo"),
        "vendor/lib/deploy.yaml": UNPINNED.replace("NAME", "vendored"),
        "hack/env.sh": 'export API_TOKEN="q8Zp3LrT7vXw2Nc9Kd4Bf6Hj1Mg5Sa0Ye"\n',
        "docs/tool.py": "print('not service code')\n",
        "src/app.py": "import logging\nlogging.getLogger(__name__).info('up')\n",
    })  # fmt: skip
    report = _run(root, "REL006", "SEC002", "MON004", "SCA001")
    by_id = {r.rule_id: r for r in report.results}
    assert by_id["REL006"].status == Status.PASS and by_id["REL006"].message == "1 image references pinned"
    assert by_id["MON004"].status == Status.PASS
    assert [(f.path, f.line) for f in by_id["SEC002"].findings] == [("hack/env.sh", 1)]
    assert report.coverage.out_of_scope == {"docs": 1, "examples": 1, "hack": 1, "tests": 1, "vendor": 1}


def test_include_brings_a_reference_example_back_into_scope(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "examples/reference/k8s/api.yaml": UNPINNED.replace("NAME", "reference"),
        "examples/other/k8s/api.yaml": UNPINNED.replace("NAME", "other"),
        "readiness.yaml": "scope:\n  include: [examples/reference/**]\n",
    })  # fmt: skip
    report = _run(root, "REL006")
    (finding,) = report.results[0].findings
    assert finding.path == "examples/reference/k8s/api.yaml"
    assert report.coverage.out_of_scope == {"examples": 1}
    assert [(c.change, c.weakens) for c in report.gate_changes] == [("files matching 'examples/reference/**' in scope", False)]


def test_exclude_takes_files_out_and_is_a_loosening_gate_change(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "deploy/legacy/api.yaml": UNPINNED.replace("NAME", "legacy"),
        "readiness.yaml": "scope:\n  exclude: [deploy/legacy/**]\n",
    })  # fmt: skip
    report = _run(root, "REL006")
    assert report.results[0].status == Status.SKIPPED
    assert report.coverage.out_of_scope == {"scope.exclude": 1}
    (change,) = report.gate_changes
    assert (change.change, change.where, change.weakens) == (
        "files matching 'deploy/legacy/**' out of scope", f"{root}/readiness.yaml:2:13", True)


# --- the config key ----------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "k8s").mkdir()
    (root / "k8s" / "api.yaml").write_text(UNPINNED.replace("NAME", "api"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def _check(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", "proj", "--output-dir", "out", "--format", "json", "--no-cache",
                                       "--only", "REL006", *args])  # fmt: skip
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.splitlines()


def test_scope_patterns_are_validated_at_their_key(project: Path) -> None:
    (project / "readiness.yaml").write_text(
        "scope:\n  include: [/etc/**, '!tests/**']\n  exclude: [../outside/**]\n  exlude: [x]\n", encoding="utf-8"
    )
    code, lines = _check()
    assert code == 2
    assert lines == [
        "proj/readiness.yaml:2:22: scope.include[1]: '!tests/**': a scope pattern cannot be negated; put it in the "
        "other list",
        "proj/readiness.yaml:4:3: scope.exlude: unknown key (did you mean 'exclude'?)",
    ]
    (project / "readiness.yaml").write_text("scope:\n  include: [/etc/**]\n  exclude: [../outside/**]\n", encoding="utf-8")
    code, lines = _check()
    assert code == 2
    assert lines == [
        "proj/readiness.yaml:2:13: scope.include[0]: path '/etc/**' must be relative to the project root",
        "proj/readiness.yaml:3:13: scope.exclude[0]: path '../outside/**' leaves the project root",
    ]


def test_an_empty_scope_section_means_the_defaults(project: Path) -> None:
    (project / "readiness.yaml").write_text("scope:\n  # include: [examples/app/**]\n", encoding="utf-8")
    assert _check()[0] == 1


def test_a_policy_refuses_the_projects_scope_exclude_unless_project_may_lists_it(project: Path, tmp_path: Path) -> None:
    (project / "readiness.yaml").write_text("scope:\n  exclude: [k8s/**]\n  include: [tests/**]\n", encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text("fail_on: high\n", encoding="utf-8")
    code, lines = _check("--policy", policy.name)
    assert code == 2
    assert lines == ["proj/readiness.yaml:2:13: scope.exclude[0]: files matching 'k8s/**' out of scope: the policy "
                     "policy.yaml does not let the project config weaken the gate (its `project_may:` would need "
                     "'scope.exclude')"]  # fmt: skip
    policy.write_text("project_may: [scope.exclude]\nscope: {exclude: ['vendor/**']}\n", encoding="utf-8")
    assert _check("--policy", policy.name)[0] == 1  # k8s/ excluded: reliability has no evidence left
    report = json.loads(Path("out/readiness.json").read_text(encoding="utf-8"))
    assert report["coverage"]["out_of_scope"] == {"scope.exclude": 1}


# --- every report says what was out of scope -----------------------------------------------------------


def test_every_format_shows_out_of_scope_counts_and_templates(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "k8s/api.yaml": UNPINNED.replace("NAME", "api"),
        "tests/api.yaml": UNPINNED.replace("NAME", "test"),
        "docs/a.yaml": "a: 1\n", "docs/b.yaml": "b: 1\n",
        "deploy/job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata: {name: {{ name }}}\n",
    })  # fmt: skip
    report = _run(root, "REL006")
    # GitLab Code Quality is a bare list of issues: it has no place for a run's coverage.
    outputs = {name: render(report) for name, render in renderers().items() if name != "codequality"}
    outputs |= {"compact": compact.render(report), "verbose terminal": terminal(report, verbose=True)}
    for name, text in outputs.items():
        if name in ("json", "sarif"):
            coverage = json.loads(text)
            coverage = coverage["coverage"] if name == "json" else coverage["runs"][0]["properties"]["coverage"]
            assert coverage["out_of_scope"] == {"docs": 2, "tests": 1}, name
            assert coverage["not_evaluated"] == [{"path": "deploy/job.yaml", "reason": "template"}], name
        elif name == "junit":
            assert '<property name="out_of_scope.docs" value="2" />' in text
            assert '<property name="not_evaluated" value="deploy/job.yaml (template)" />' in text
        else:
            assert "3 files out of scope (docs 2, tests 1)" in text, name
            listed = "Not evaluated (1)" in text and "deploy/job.yaml" in text  # the Markdown and HTML lists
            assert "1 file not evaluated (template)" in text or listed, name


# --- pre-commit --------------------------------------------------------------------------------------


def test_a_staged_out_of_scope_file_reruns_only_the_rules_that_read_every_file(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"k8s/api.yaml": UNPINNED.replace("NAME", "api"),
                            "tests/e2e/api.yaml": UNPINNED.replace("NAME", "e2e"),
                            "docs/api/openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths: {}\n"})
    index = ProjectIndex.build(root)
    loaded = LoadedConfig(ProjectConfig())
    rules = load_rules(root, loaded, (), default_registry())
    staged = [r.id for r in relevant_rules(rules, ["tests/e2e/api.yaml"], index, default_registry(), loaded)]
    assert "SEC002" in staged and not [r for r in staged if r.startswith(("REL", "SCA", "API"))]
    assert "REL006" in [r.id for r in relevant_rules(rules, ["k8s/api.yaml"], index, default_registry(), loaded)]
    api = [r.id for r in relevant_rules(rules, ["docs/api/openapi.yaml"], index, default_registry(), loaded)]
    assert "API001" in api  # the spec below docs/ is in scope
