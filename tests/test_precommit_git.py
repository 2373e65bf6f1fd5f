"""The hook as pre-commit runs it (`pass_filenames: false`, `always_run: true`): `readiness pre-commit` asks git
for the staged paths, deletions included, and checks each against its nearest enclosing project."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_samples import write_tree

from checker.cli import main

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME}
spec:
  replicas: 2
  selector: {matchLabels: {app: NAME}}
  template:
    metadata: {labels: {app: NAME}}
    spec:
      containers:
        - name: NAME
          image: registry.example.com/NAME:1.0.0
"""
ALERTS = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: scorer}
spec:
  groups:
    - name: scorer
      rules:
        - alert: ScorerDown
          expr: up == 0
          labels: {severity: critical}
          annotations: {runbook_url: https://runbooks.example.com/scorer}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _repo(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "initial")
    return root


def _hook(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["pre-commit", "--no-cache", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_commit_that_only_deletes_the_alert_rules_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path / "repo", {"k8s/deploy.yaml": DEPLOYMENT.replace("NAME", "scorer"), "k8s/alerts.yaml": ALERTS})
    _git(repo, "rm", "-q", "k8s/alerts.yaml")
    code, output = _hook(repo, monkeypatch)
    assert code == 1
    assert "MON002" in output and "nothing to check" not in output


def test_nothing_staged_is_nothing_to_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path / "repo", {"k8s/deploy.yaml": DEPLOYMENT.replace("NAME", "scorer")})
    assert _hook(repo, monkeypatch) == (0, "readiness: nothing to check (no staged file is an input of any rule)\n")


def test_outside_a_git_work_tree_without_files_is_nothing_to_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path / "plain", {"k8s/deploy.yaml": DEPLOYMENT.replace("NAME", "scorer")})
    code, output = _hook(tmp_path / "plain", monkeypatch)
    assert (code, output.startswith("readiness: nothing to check (no files given")) == (0, True)


def test_each_staged_file_is_checked_with_its_nearest_project_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """services/a turns reliability off in its own config; services/b does not: the same replica problem fails
    only b's check, and each project is reported once under its own heading."""
    one_replica = DEPLOYMENT.replace("replicas: 2", "replicas: 1")
    repo = _repo(tmp_path / "repo", {
        "services/a/readiness.yaml": "categories:\n  reliability: {enabled: false}\n",
        "services/a/k8s/deploy.yaml": DEPLOYMENT.replace("NAME", "a"),
        "services/b/pyproject.toml": "[tool.readiness]\nservice = \"b\"\n",
        "services/b/k8s/deploy.yaml": DEPLOYMENT.replace("NAME", "b"),
    })  # fmt: skip
    for name in ("a", "b"):
        (repo / "services" / name / "k8s" / "deploy.yaml").write_text(one_replica.replace("NAME", name), encoding="utf-8")
    _git(repo, "add", "-A")
    code, output = _hook(repo, monkeypatch)
    assert code == 1
    sections = output.split("readiness: project ")[1:]
    assert [s.splitlines()[0] for s in sections] == ["services/a", "services/b"]
    assert "REL001" not in sections[0] and "REL001" in sections[1]
    assert "k8s/deploy.yaml" in sections[1]


def test_files_outside_every_project_belong_to_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.commands.precommit import projects_of

    write_tree(tmp_path, {"svc/readiness.yaml": "service: svc\n", "svc/k8s/x.yaml": "a: 1\n", "other/y.yaml": "b: 2\n",
                          "svc/deep/pyproject.toml": "[project]\nname = 'no-config-here'\n"})  # fmt: skip
    monkeypatch.chdir(tmp_path)
    groups = projects_of((Path("svc/k8s/x.yaml"), Path("other/y.yaml"), Path("svc/deep/z.py")))
    assert groups == {Path("svc"): (Path("svc/k8s/x.yaml"), Path("svc/deep/z.py")), Path("."): (Path("other/y.yaml"),)}


def test_asking_git_for_staged_files_runs_none_of_the_repositorys_programs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook's own git call is hostile input too: an fsmonitor set in the checked tree's .git/config must
    not run when `readiness pre-commit` lists the staged paths."""
    repo = _repo(tmp_path / "repo", {"k8s/deploy.yaml": DEPLOYMENT.replace("NAME", "scorer"), "k8s/alerts.yaml": ALERTS})
    marker = tmp_path / "fsmonitor-ran"
    hook = repo / "fsmonitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    hook.chmod(0o755)
    _git(repo, "rm", "-q", "k8s/alerts.yaml")
    _git(repo, "config", "core.fsmonitor", str(hook))  # after the test's own git calls, which would run it
    code, output = _hook(repo, monkeypatch)
    assert (code, "MON002" in output) == (1, True)
    assert not marker.exists()


def test_the_staged_list_is_read_without_the_engine() -> None:
    """The replay fast path keys on the staged list: working it out imports no model, engine or report code."""
    import subprocess
    import sys

    probe = ("import sys; import checker.commands.staged; "
             "print(sorted(m for m in ('pydantic', 'checker.engine', 'checker.model', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
