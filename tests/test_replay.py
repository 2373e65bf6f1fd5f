"""The pre-commit fast path: an unchanged tree replays the last result without running the engine."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from report_samples import EXAMPLE, project_copy

from checker import replay
from checker.cli import main
from checker.commands import precommit


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example project as its own git work tree, with one failing manifest (REL001)."""
    root = project_copy(EXAMPLE, tmp_path)
    manifest = root / "k8s" / "hpa.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("minReplicas: 3", "minReplicas: 1"), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    return root


def _pre_commit(*args: str) -> Result:
    return CliRunner().invoke(main, ["pre-commit", "k8s/hpa.yaml", *args])


def _engine_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> int:
        raise AssertionError("the engine ran although nothing changed")

    monkeypatch.setattr(precommit, "run_pre_commit", fail)


def test_an_unchanged_tree_replays_output_and_exit_code(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _pre_commit()
    assert first.exit_code == 1 and "REL001" in first.output
    _engine_must_not_run(monkeypatch)
    second = _pre_commit()
    assert (second.exit_code, second.output) == (first.exit_code, first.output)


def test_any_changed_file_runs_the_engine_again(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pre_commit()
    calls: list[tuple[object, ...]] = []
    real = precommit.run_pre_commit
    monkeypatch.setattr(precommit, "run_pre_commit", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    (repo / "k8s" / "pdb.yaml").write_text("# not the staged file, but an input of REL004\n", encoding="utf-8")
    assert _pre_commit().exit_code == 1 and len(calls) == 1
    (repo / "new-file.yaml").write_text("a: 1\n", encoding="utf-8")  # an added file counts too
    _pre_commit()
    assert len(calls) == 2


def test_other_arguments_are_another_invocation(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pre_commit()
    assert _pre_commit("--fail-on", "critical").exit_code == 0  # not the replayed exit code 1


def test_a_forged_record_committed_in_the_tree_is_not_believed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    command = ["pre-commit", "k8s/hpa.yaml", "--config=", "--fail-on="]
    key = replay.fingerprint(repo, command)
    record = repo / replay.RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text("0" * 64 + "\n" + json.dumps({"key": key, "output": "all good\n", "exit_code": 0}), encoding="utf-8")
    outcome = _pre_commit()
    assert outcome.exit_code == 1 and "all good" not in outcome.output


def test_no_cache_never_replays(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pre_commit()
    calls: list[object] = []
    real = precommit.run_pre_commit
    monkeypatch.setattr(precommit, "run_pre_commit", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    _pre_commit("--no-cache")
    assert len(calls) == 1


def test_outside_a_git_work_tree_there_is_no_fingerprint(tmp_path: Path) -> None:
    assert replay.fingerprint(tmp_path, ["pre-commit"]) is None
