"""The whole engine on realistic repository shapes (tests/fixtures/trees/, described in its README.md).

Each test copies a tree into a temporary directory first, so that what counts as a tracked file follows the
tree's own `.gitignore` and not this repository's git index.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from checker.engine.run import RunOptions, run
from checker.model import Finding, RuleResult, RunReport, Status

TREES = Path(__file__).parent / "fixtures" / "trees"
FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
# Rules about probes, replicas, disruption, autoscaling, spreading and rollback: serving workloads only.
PROBE_RULES = ("REL001", "REL002", "REL003", "REL004", "REL005", "REL008", "REL010", "REL011", "SCA003",
               "SCA004")  # fmt: skip
CONTAINER_RULES = ("SCA001", "SCA002", "SEC003", "SEC004", "SEC005", "REL006")


def copy_tree(name: str, tmp_path: Path, *, git: bool = False) -> Path:
    target = tmp_path / name
    shutil.copytree(TREES / name, target)
    if git:
        # Untracked files that .gitignore does not exclude count as tracked (SPEC §7): no commit needed.
        subprocess.run(["git", "init", "-q", str(target)], check=True, capture_output=True)
    return target


def check(target: Path, *only: str) -> RunReport:
    return run(RunOptions(target=target, only=only, clock=lambda: FIXED_NOW))


def result(report: RunReport, rule_id: str) -> RuleResult:
    (found,) = [r for r in report.results if r.rule_id == rule_id]
    return found


def findings_under(report: RunReport, *prefixes: str) -> list[tuple[str, Finding]]:
    return [
        (r.rule_id, f) for r in report.results for f in r.findings
        if f.path is not None and f.path.startswith(prefixes)
    ]  # fmt: skip


def errors(report: RunReport) -> list[str]:
    return [f"{r.rule_id}: {r.message}" for r in report.results if r.status == Status.ERROR]


# --- monorepo/ ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> RunReport:
    return check(copy_tree("monorepo", tmp_path_factory.mktemp("trees")))


@pytest.mark.parametrize("git", [True, False], ids=["git-work-tree", "gitignore-walk"])
def test_monorepo_ignored_build_folder_is_never_read(tmp_path: Path, git: bool) -> None:
    report = check(copy_tree("monorepo", tmp_path, git=git))
    assert not errors(report)
    assert findings_under(report, "build/") == []
    assert [p for p in report.input_problems if p.path.startswith("build/")] == []


def test_monorepo_build_folder_would_fail_if_read(tmp_path: Path) -> None:
    """Control for the test above: without the .gitignore, build/deployment.yaml is judged and fails."""
    target = copy_tree("monorepo", tmp_path)
    (target / ".gitignore").unlink()
    report = check(target, "REL006", "SEC007")
    assert {rule for rule, _ in findings_under(report, "build/")} == {"REL006", "SEC007"}


def test_monorepo_has_no_errors_and_no_findings_from_helm_ci_or_docs(monorepo: RunReport) -> None:
    assert not errors(monorepo)
    assert findings_under(monorepo, "deploy/helm/", ".github/", ".gitlab-ci.yml", "docs/", "README.md") == []
    assert [p.path for p in monorepo.input_problems if p.path.startswith("deploy/helm/")] == []
    assert result(monorepo, "REL006").status == Status.PASS  # no CI job images, no markdown snippet


def test_monorepo_only_the_gateway_lacks_autoscaling_pdb_and_spreading(monorepo: RunReport) -> None:
    for rule_id in ("SCA003", "REL004", "REL008"):
        found = result(monorepo, rule_id)
        assert found.status == Status.FAIL
        assert [(f.path, "'ml-gateway'" in f.message) for f in found.findings] == [
            ("deploy/kustomize/base/deployment.yaml", True)
        ]
    assert result(monorepo, "REL001").message == "3 serving workloads checked"


def test_monorepo_kustomize_patches_are_not_workloads(monorepo: RunReport) -> None:
    # The staging patch sets replicas: 1 and the prod patch has a container without image or probes.
    assert findings_under(monorepo, "deploy/kustomize/overlays/") == []
    for rule_id in ("REL001", "REL002", "REL003", "REL006", "SCA001", "SEC003"):
        assert result(monorepo, rule_id).status == Status.PASS, rule_id


def test_monorepo_batch_jobs_get_container_rules_but_not_probe_rules(tmp_path: Path) -> None:
    target = copy_tree("monorepo", tmp_path)
    cronjob = target / "batch" / "retrain-cronjob.yaml"
    text = cronjob.read_text(encoding="utf-8")
    cronjob.write_text(text.replace('requests: {cpu: "2", memory: 8Gi}', "requests: {}"), encoding="utf-8")
    report = check(target, "SCA001", *PROBE_RULES)
    (finding,) = result(report, "SCA001").findings
    assert (finding.path, finding.line) == ("batch/retrain-cronjob.yaml", 34)  # the empty `requests:`
    assert "container 'retrain' in CronJob 'ranker-retrain'" in finding.message
    assert findings_under(report, "batch/") == [("SCA001", finding)]
    for rule_id in ("REL002", "REL003", "REL010"):  # the jobs have no probes, and need none
        assert result(report, rule_id).status == Status.PASS, rule_id


def test_rendered_helm_test_hook_pod_is_not_judged(tmp_path: Path) -> None:
    """`helm template` output committed outside the chart: the test hook is not part of the service."""
    target = copy_tree("monorepo", tmp_path)
    hook = target / "deploy" / "rendered" / "test-connection.yaml"
    hook.parent.mkdir()
    hook.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ml-platform-test-connection\n"
        "  annotations:\n    helm.sh/hook: test\nspec:\n  restartPolicy: Never\n"
        "  containers:\n    - name: wget\n      image: busybox\n",
        encoding="utf-8",
    )
    report = check(target, *CONTAINER_RULES, *PROBE_RULES)
    assert findings_under(report, "deploy/rendered/") == []
    assert result(report, "SCA001").status == Status.PASS


# --- argo-rollout/ -----------------------------------------------------------------------------------


def test_argo_rollout_passes_scalability_and_reliability(tmp_path: Path) -> None:
    report = check(copy_tree("argo-rollout", tmp_path), "scalability", "reliability")
    assert not errors(report)
    failed = {r.rule_id: [f.message for f in r.findings] for r in report.results if r.status == Status.FAIL}
    assert failed == {}
    # One serving workload: the Rollout; the Deployment it borrows the template from is not judged itself.
    assert result(report, "REL001").message == "1 serving workloads checked"


def test_argo_rollout_container_findings_land_once_on_the_template_file(tmp_path: Path) -> None:
    target = copy_tree("argo-rollout", tmp_path)
    deployment = target / "deployment.yaml"
    text = deployment.read_text(encoding="utf-8")
    pinned = "image: registry.example.com/ml/recommender:3.1.0"
    assert pinned in text
    latest = "image: registry.example.com/ml/recommender:latest"
    deployment.write_text(text.replace(pinned, latest), encoding="utf-8")
    (finding,) = result(check(target, "REL006"), "REL006").findings
    assert (finding.path, finding.line) == ("deployment.yaml", 33)
    assert "in Rollout 'recommender'" in finding.message and ":latest" in finding.message


def test_argo_rollout_fails_absent_version_and_changelog(tmp_path: Path) -> None:
    report = check(copy_tree("argo-rollout", tmp_path), "VER001", "VER002")
    assert result(report, "VER001").status == Status.FAIL
    assert result(report, "VER002").status == Status.FAIL


# --- broken/ -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> RunReport:
    return check(copy_tree("broken", tmp_path_factory.mktemp("trees")))


UNREADABLE_YAML = ["alias-bomb.yaml", "model.yaml", "notes.yaml", "syntax-error.yaml"]


def test_broken_files_are_listed_as_input_problems(broken: RunReport) -> None:
    problems = {p.path: p for p in broken.input_problems}
    assert problems["syntax-error.yaml"].line == 13
    assert "invalid YAML" in problems["syntax-error.yaml"].message
    assert "alias bomb" in problems["alias-bomb.yaml"].message
    assert "binary" in problems["model.yaml"].message
    assert "not UTF-8" in problems["notes.yaml"].message
    assert problems["pyproject.toml"].line == 3
    assert "empty.yaml" not in problems


def test_broken_tree_still_judges_the_valid_deployment(broken: RunReport) -> None:
    """The valid deployment is judged; the YAML files that could not be read are findings of every rule that
    needed them, so no rule passes as if they were fine (issue 7: never a silent pass)."""
    for rule_id in ("SCA003", "REL004", "REL008"):
        found = result(broken, rule_id)
        assert found.status == Status.FAIL, rule_id
        judged = [(f.path, "'survivor'" in f.message) for f in found.findings if f.path == "ok.yaml"]
        assert judged == [("ok.yaml", True)], rule_id
        assert [f.path for f in found.findings if f.path != "ok.yaml"] == UNREADABLE_YAML, rule_id
    for rule_id in (*CONTAINER_RULES, "REL001", "REL002", "REL003", "REL010"):
        found = result(broken, rule_id)  # ok.yaml passes them, the unreadable files keep them from passing
        assert found.status == Status.ERROR, rule_id
        assert found.message.startswith("could not read 4 input file(s): alias-bomb.yaml (invalid YAML: "), rule_id
        assert [f.path for f in found.findings] == UNREADABLE_YAML, rule_id


def test_broken_pyproject_fails_closed(broken: RunReport) -> None:
    for rule_id in ("VER001", "VER004"):
        found = result(broken, rule_id)
        assert found.status == Status.FAIL, rule_id
        assert [(f.path, f.line) for f in found.findings] == [("pyproject.toml", 3)], rule_id
        assert "invalid TOML" in found.findings[0].message


# --- ml-operator/ ------------------------------------------------------------------------------------
# An operator repository (SPEC §10): what is deployed lives in config/ and deploy/; config/samples, test/e2e,
# hack, docs (but its OpenAPI spec), benchmarks, vendor and .github are out of scope; deploy/nonchart holds
# templates that nothing renders.

ML_OPERATOR_EXPECTED = {
    "pass": ["SCA001", "SCA002", "SCA003", "SCA005", "SCA007", "REL002", "REL003", "REL004", "REL005", "REL006",
             "REL008", "REL009", "REL010", "REL011", "MON001", "MON002", "MON003", "MON004", "VER001", "VER002",
             "VER004", "VER005", "VER006", "VER007", "API001", "API002", "API003", "API004", "API006", "SEC001",
             "SEC003", "SEC004", "SEC006", "SEC007"],
    "fail": ["SCA004", "REL001", "REL012", "SEC002", "SEC005"],
    "skipped": ["SCA006", "REL007", "MON005", "VER003", "API005", "API007", "SEC008"],
}  # fmt: skip


@pytest.fixture(scope="module")
def ml_operator(tmp_path_factory: pytest.TempPathFactory) -> RunReport:
    target = copy_tree("ml-operator", tmp_path_factory.mktemp("trees"))
    return run(RunOptions(target=target, skip=("data_compatibility",), clock=lambda: FIXED_NOW))


def _statuses(report: RunReport) -> dict[str, str]:
    """Each rule's status; a rule this table does not know (added later) must be skipped on this tree."""
    expected = {rule: status for status, rules in ML_OPERATOR_EXPECTED.items() for rule in rules}
    return {r.rule_id: r.status.value for r in report.results if r.rule_id in expected or r.status != Status.SKIPPED}


def test_ml_operator_statuses_per_rule(ml_operator: RunReport) -> None:
    expected = {rule: status for status, rules in ML_OPERATOR_EXPECTED.items() for rule in rules}
    assert _statuses(ml_operator) == expected


def test_ml_operator_lists_what_was_not_read(ml_operator: RunReport) -> None:
    coverage = ml_operator.coverage
    assert coverage.out_of_scope == {".github": 1, "benchmarks": 1, "docs": 2, "hack": 1, "samples": 1, "test": 2,
                                     "vendor": 1}  # fmt: skip
    assert [(n.path, n.reason) for n in coverage.not_evaluated] == [
        ("deploy/nonchart/canary-job.yaml.j2", "template"), ("deploy/nonchart/configmap.yaml", "template")
    ]
    assert ml_operator.input_problems == ()  # the Jinja ConfigMap is a template, not a broken file


def test_ml_operator_findings_come_from_deployed_resources_only(ml_operator: RunReport) -> None:
    out_of_scope = ("config/samples/", "test/", "docs/", "vendor/", "benchmarks/", ".github/")
    assert findings_under(ml_operator, *out_of_scope) == []
    (secret,) = result(ml_operator, "SEC002").findings  # SEC002 alone still reads hack/
    assert (secret.path, secret.line) == ("hack/dev-cluster.env", 2)


def test_ml_operator_the_transformer_is_the_single_point_of_failure(ml_operator: RunReport) -> None:
    """The predictor runs 2–6 replicas; the transformer has no minReplicas, so KServe runs one."""
    for rule_id in ("REL001", "SCA004"):
        (finding,) = result(ml_operator, rule_id).findings
        assert (finding.path, finding.line) == ("deploy/inferenceservice.yaml", 25), rule_id
        assert "InferenceService 'fraud-model' transformer (spec.transformer)" in finding.message
        assert "spec.transformer.minReplicas is not set; it defaults to 1" in finding.message
    assert result(ml_operator, "REL001").message == "1 of 4 serving workloads fail"  # operator, predictor, transformer, gpu


def test_ml_operator_model_spec_runs_as_the_runtime_container(ml_operator: RunReport) -> None:
    """The predictor's model spec sets resources only: probes, non-root and capabilities come from the
    ClusterServingRuntime it names, so the container rules pass on it (and REL006 judges the runtime's image)."""
    for rule_id in ("REL002", "REL003", "REL010", "SEC003", "SEC004", "SEC005"):
        assert not [f for f in result(ml_operator, rule_id).findings if "spec.predictor.model" in f.message], rule_id
    assert result(ml_operator, "REL006").message == "5 image references pinned"


def test_ml_operator_ray_head_is_a_pod_template_not_a_serving_workload(ml_operator: RunReport) -> None:
    (finding,) = result(ml_operator, "SEC005").findings
    assert finding.path == "deploy/rayservice.yaml"
    assert finding.message.startswith(
        "container 'ray-head' (spec.rayClusterConfig.headGroupSpec.template.spec.containers[0]) in RayService 'llm'"
    )
    assert result(ml_operator, "REL010").message == "4 containers of serving workloads checked"  # no head group


def test_ml_operator_on_a_git_work_tree_gives_the_same_statuses(tmp_path: Path) -> None:
    target = copy_tree("ml-operator", tmp_path, git=True)
    report = run(RunOptions(target=target, skip=("data_compatibility",), clock=lambda: FIXED_NOW))
    assert _statuses(report) == {rule: status for status, rules in ML_OPERATOR_EXPECTED.items() for rule in rules}
