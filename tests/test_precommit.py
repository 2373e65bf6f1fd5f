"""Pre-commit mode (--changed, `readiness pre-commit`), the content-hash cache, and `readiness init`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from report_samples import EXAMPLE, FIXED_NOW, project_copy

from checker.cache import CACHE_DIR, CACHE_FILE
from checker.cli import main
from checker.config import load_config
from checker.engine import results as engine_results
from checker.engine.run import RunOptions, run
from checker.model import RunReport

MANIFEST_RULES = {"SCA001", "SCA002", "SCA003", "REL001", "REL002", "REL003", "REL004", "REL005", "REL008", "REL010",
                  "REL011", "SEC003", "SEC004", "SEC005", "SEC007"}  # fmt: skip
NOT_MANIFEST_RULES = {"VER001", "VER002", "VER004", "SEC001", "SEC008", "MON004", "MON005", "DAT001", "DAT002"}


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture()
def example(tmp_path: Path) -> Path:
    return project_copy(EXAMPLE, tmp_path)


@pytest.fixture()
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Rule ids actually evaluated (not replayed from the cache), in order. The lead hands the cache misses to
    `_evaluate` (which runs them in a worker process), so they are counted here, in this process."""
    seen: list[str] = []
    original = engine_results._evaluate

    def counting(rules, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend(rule.id for rule in rules)
        return original(rules, *args, **kwargs)

    monkeypatch.setattr(engine_results, "_evaluate", counting)
    return seen


def _run(target: Path, changed: tuple[str, ...] | None = None, cache: bool = False, skip_data: bool = True) -> RunReport:
    skip = ("data_compatibility", "SCA006") if skip_data else ()  # datasets are slow and not what is tested here
    return run(RunOptions(target=target, changed=changed, use_cache=cache, skip=skip, clock=lambda: FIXED_NOW))


def _outcomes(report: RunReport) -> list[tuple[str, str, tuple]]:
    return [(r.rule_id, r.status.value, r.findings) for r in report.results]


def test_changing_one_manifest_runs_only_the_rules_that_read_manifests(example: Path) -> None:
    ran = {r.rule_id for r in _run(example, changed=("k8s/deployment.yaml",), skip_data=False).results}
    assert MANIFEST_RULES <= ran
    assert not ran & NOT_MANIFEST_RULES
    everything = {r.rule_id for r in _run(example).results}
    assert ran < everything


def test_a_python_change_runs_the_code_rules_not_the_manifest_rules(example: Path) -> None:
    ran = {r.rule_id for r in _run(example, changed=("src/fraud_scorer/app.py",)).results}
    assert {"SEC001", "MON004", "VER001"} <= ran
    assert not ran & {"REL001", "REL002", "SCA001", "SEC004", "SEC007"}


def test_the_config_file_makes_every_rule_relevant(example: Path) -> None:
    assert [r.rule_id for r in _run(example, changed=("readiness.yaml",)).results] == [
        r.rule_id for r in _run(example).results
    ]


def test_pre_commit_with_no_relevant_file_has_nothing_to_check(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (example / "notes.log").write_text("scratch\n", encoding="utf-8")
    (example / ".gitignore").write_text("*.log\n", encoding="utf-8")
    monkeypatch.chdir(example)
    outcome = CliRunner().invoke(main, ["pre-commit", "notes.log", "../outside.yaml"])
    assert outcome.exit_code == 0
    assert outcome.output == "readiness: nothing to check (no staged file is an input of any rule)\n"
    assert not (example / "reports").exists()


def test_pre_commit_fails_on_a_staged_manifest_problem(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = example / "k8s" / "deployment.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("readinessProbe:", "readinessProbeX:"), encoding="utf-8")
    monkeypatch.chdir(example)
    outcome = CliRunner().invoke(main, ["pre-commit", "k8s/deployment.yaml"])
    assert outcome.exit_code == 1
    assert "REL002" in outcome.output and "has no readinessProbe" in outcome.output
    assert "VER001" not in outcome.output


def test_warm_run_replays_unchanged_rules_and_reruns_changed_inputs(example: Path, evaluations: list[str]) -> None:
    cold = _run(example, cache=True)
    assert set(evaluations) == {r.rule_id for r in cold.results}
    assert (example / CACHE_DIR / CACHE_FILE).is_file()
    evaluations.clear()
    warm = _run(example, cache=True)
    assert evaluations == []
    assert warm.results == cold.results
    manifest = example / "k8s" / "deployment.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    _run(example, cache=True)
    assert MANIFEST_RULES <= set(evaluations)
    assert not set(evaluations) & {"VER001", "VER002", "VER004", "SEC001", "MON004"}


def test_a_forged_or_corrupt_cache_is_ignored(example: Path, evaluations: list[str]) -> None:
    cold = _run(example, cache=True)
    cache_file = example / CACHE_DIR / CACHE_FILE
    mac, _, payload = cache_file.read_bytes().partition(b"\n")
    forged = payload.replace(b'"status":"pass"', b'"status":"skipped"')
    assert forged != payload
    cache_file.write_bytes(mac + b"\n" + forged)  # a pull request cannot sign for this user
    evaluations.clear()
    again = _run(example, cache=True)
    assert set(evaluations) == {r.rule_id for r in cold.results}  # nothing replayed
    assert _outcomes(again) == _outcomes(cold)
    cache_file.write_bytes(b"\x00not json")
    assert _outcomes(_run(example, cache=True)) == _outcomes(cold)


def test_no_cache_writes_no_cache(example: Path, tmp_path: Path) -> None:
    outcome = CliRunner().invoke(main, ["check", str(example), "--skip", "data_compatibility", "--no-cache",
                                        "--format", "json", "--output-dir", str(tmp_path / "out"), "--jobs", "2"])  # fmt: skip
    assert outcome.exit_code in (0, 1), outcome.output
    assert not (example / CACHE_DIR).exists()


def test_init_writes_a_valid_config_with_discovered_inputs(example: Path) -> None:
    (example / "readiness.yaml").unlink()
    outcome = CliRunner().invoke(main, ["init", str(example)])
    assert outcome.exit_code == 0, outcome.output
    config = load_config(example).config
    assert config.service == "fraud-scorer"
    assert config.api.spec == "api/openapi.yaml"
    assert config.api.previous is not None and config.api.previous.file == "api/previous/openapi-1.3.0.yaml"
    assert config.model.metadata == "model/MLmodel"
    assert config.slo.evidence == "loadtest/k6-summary.json" and config.slo.p95_latency_ms is None
    assert config.data.reference is not None and config.data.reference.path == "data/reference.csv"
    assert config.data.reference.suite == "data/reference_suite.json"
    assert [s.path for s in config.data.serving_sets] == ["data/serving_sample.csv"]
    assert "# waivers:" in (example / "readiness.yaml").read_text(encoding="utf-8")


def test_init_passes_over_json_nested_beyond_reading(example: Path) -> None:
    """`init` sniffs JSON files for k6 summaries and GX suites: one nested 100,000 deep is not either."""
    (example / "readiness.yaml").unlink()
    (example / "data" / "deep.json").write_text("[" * 100_000, encoding="utf-8")
    outcome = CliRunner().invoke(main, ["init", str(example)])
    assert outcome.exit_code == 0, outcome.output
    config = load_config(example).config
    assert config.data.reference is not None and config.data.reference.suite == "data/reference_suite.json"


def test_init_refuses_to_overwrite(example: Path) -> None:
    before = (example / "readiness.yaml").read_text(encoding="utf-8")
    outcome = CliRunner().invoke(main, ["init", str(example)])
    assert outcome.exit_code == 2
    assert outcome.output == f"error: {example / 'readiness.yaml'} already exists; not overwritten (edit it, or remove it first)\n"
    assert (example / "readiness.yaml").read_text(encoding="utf-8") == before


def test_pre_commit_hooks_file_declares_both_hooks() -> None:
    import re

    import yaml
    from report_samples import ROOT

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    readiness = hooks["readiness"]  # the hook asks git itself: pre-commit never passes a deleted file
    assert (readiness["entry"], readiness["pass_filenames"], readiness["always_run"]) == ("readiness pre-commit", False, True)
    validate = hooks["readiness-validate-rules"]
    assert validate["entry"] == "readiness rules validate"
    assert re.search(validate["files"], "rules/security.yaml") and re.search(validate["files"], "ops/rule-packs/x.yml")
    assert not re.search(validate["files"], "k8s/deployment.yaml")


def test_init_on_a_project_with_little_to_discover_gives_a_config_that_runs(tmp_path: Path) -> None:
    """A new user's first two commands: `init`, then `check` — no config error from the generated file."""
    project = tmp_path / "svc"
    (project / "k8s").mkdir(parents=True)
    (project / "k8s" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc}\n",
                                                 encoding="utf-8")  # fmt: skip
    assert CliRunner().invoke(main, ["init", str(project)]).exit_code == 0
    assert "slo:" in (project / "readiness.yaml").read_text(encoding="utf-8")
    assert load_config(project).config.slo.p95_latency_ms is None
    outcome = CliRunner().invoke(main, ["check", str(project), "--no-cache", "--format", "json",
                                        "--output-dir", str(tmp_path / "out")])  # fmt: skip
    assert outcome.exit_code == 1, outcome.output  # not ready (no evidence), but not a config error (2)
