"""git on a hostile checkout (SPEC §9 Untrusted pull requests, issue 11 point 2): the tree's `.git`, a folder
laid out as a repository, a partial clone's promisor remote or the inherited environment must never make git
run a program, fetch, or read a repository other than the target's own.

Each attack points a program at a marker file that must not exist afterwards; each test also checks that the
checker still did its job (git's file list, the walk it falls back to, or an `error` naming the reason).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_samples import write_tree

from checker.cli import main
from checker.engine.run import RunOptions, run
from checker.model import RuleResult, Status
from checker.project import gitcmd
from checker.project.discover import discover

SPEC_V1 = """\
openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /items:
    get:
      responses: {'200': {description: ok}}
    post:
      responses: {'200': {description: ok}}
"""
SPEC_V2 = SPEC_V1.replace("    post:\n      responses: {'200': {description: ok}}\n", "")  # POST removed: breaking
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1.0"}]
"""
PREVIOUS = "api:\n  spec: api/openapi.yaml\n  previous: {git: v1, path: api/openapi.yaml}\n"


def _env() -> dict[str, str]:
    """The tests' own git: no user or inherited config (a test may have set GIT_DIR in os.environ)."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return {**keep, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=_env(), timeout=60)


def _repo(root: Path, files: dict[str, str]) -> Path:
    """A repository with `files` committed and tagged v1."""
    write_tree(root, files)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "v1")
    _git(root, "tag", "v1")
    return root


def _hostile(marker: Path) -> str:
    """A shell command that leaves the marker behind (and fails, so git carries on as without it)."""
    return f"touch {shlex.quote(str(marker))}; false"


def _set(repo: Path, key: str, value: str) -> None:
    _git(repo, "config", key, value)


def _only(target: Path, rule: str) -> RuleResult:
    (result,) = run(RunOptions(target=target, only=(rule,))).results
    return result


def _exclude_via_git(repo: Path, name: str) -> None:
    """A file only git hides (`.git/info/exclude` is not read by the fallback walk): tells git's list from the walk's."""
    write_tree(repo, {name: "x\n"})
    (repo / ".git/info").mkdir(exist_ok=True)
    (repo / ".git/info/exclude").write_text(f"{name}\n", encoding="utf-8")


# --- (a), (b) the repository's own config ---------------------------------------------------------


def test_fsmonitor_in_git_config_is_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    repo = _repo(tmp_path / "repo", {"k8s/deploy.yaml": DEPLOYMENT})
    _set(repo, "core.fsmonitor", _hostile(marker))
    _exclude_via_git(repo, "scratch.txt")
    files = discover(repo).files
    assert not marker.exists()
    assert files == ["k8s/deploy.yaml"]  # git's view: scratch.txt hidden by info/exclude
    result = CliRunner().invoke(main, ["check", str(repo), "--only", "REL001", "--output-dir", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_fsmonitor_set_by_an_included_file_of_the_tree_is_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    repo = _repo(tmp_path / "repo", {"app.py": "print(1)\n", "ops/git.cfg": f"[core]\n\tfsmonitor = {_hostile(marker)}\n"})
    _set(repo, "include.path", "../ops/git.cfg")  # relative to .git/config
    _set(repo, "includeIf.gitdir:/.path", str(repo / "ops/git.cfg"))
    files = discover(repo).files
    assert not marker.exists()
    assert files == ["app.py", "ops/git.cfg"]


def test_hooks_pager_askpass_and_signature_programs_are_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    repo = _repo(tmp_path / "repo", {"api/openapi.yaml": SPEC_V1})
    write_tree(repo, {"hooks/post-index-change": f"#!/bin/sh\n{_hostile(marker)}\n", "api/openapi.yaml": SPEC_V2,
                      "readiness.yaml": PREVIOUS})  # fmt: skip
    (repo / "hooks/post-index-change").chmod(0o755)
    for key in ("core.hooksPath", "core.pager", "pager.show", "core.askPass", "gpg.program", "credential.helper"):
        _set(repo, key, str(repo / "hooks") if key == "core.hooksPath" else _hostile(marker))
    _set(repo, "log.showSignature", "true")
    result = _only(repo, "API005")
    assert result.status == Status.FAIL and "POST /items" in result.findings[0].message
    assert not marker.exists()


# --- (c) a committed folder laid out as a bare repository -------------------------------------------


def _bare_layout(folder: Path, worktree: str, marker: Path) -> None:
    write_tree(folder, {"HEAD": "ref: refs/heads/main\n", "objects/.keep": "", "refs/heads/.keep": "",
                        "config": f"[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = {worktree}\n"
                                  f"\tfsmonitor = {_hostile(marker)}\n"})  # fmt: skip


@pytest.mark.parametrize("worktree", [".", ".."])
@pytest.mark.parametrize("checked", ["folder", "parent"])
def test_an_embedded_bare_repository_is_never_used(tmp_path: Path, worktree: str, checked: str) -> None:
    marker = tmp_path / "marker"
    repo = tmp_path / "repo"
    _bare_layout(repo / "vendor/evil", worktree, marker)
    _repo(repo, {"app.py": "print(1)\n"})  # the layout is committed in the outer repository
    target = repo / "vendor/evil" if checked == "folder" else repo
    files = discover(target).files
    assert not marker.exists()
    inside = ["HEAD", "config", "objects/.keep", "refs/heads/.keep"]
    assert files == (inside if checked == "folder" else ["app.py", *[f"vendor/evil/{p}" for p in inside]])


def test_a_bare_layout_outside_any_repository_is_walked(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    target = tmp_path / "tarball"
    _bare_layout(target, ".", marker)
    files = discover(target).files
    assert not marker.exists()
    assert files == ["HEAD", "config", "objects/.keep", "refs/heads/.keep"]  # the walk's list
    with pytest.raises(gitcmd.GitError, match="not inside a git work tree"):
        gitcmd.locate(target)


# --- (d) a `.git` that points elsewhere -----------------------------------------------------------


def _hostile_repo(root: Path, marker: Path) -> Path:
    repo = _repo(root, {"elsewhere.txt": "x\n"})
    _set(repo, "core.fsmonitor", _hostile(marker))
    return repo


@pytest.mark.parametrize("kind", ["gitdir file", "symlink"])
def test_a_dot_git_pointing_elsewhere_is_refused(tmp_path: Path, kind: str) -> None:
    marker = tmp_path / "marker"
    elsewhere = _hostile_repo(tmp_path / "elsewhere", marker)
    target = write_tree(tmp_path / "target", {"app.py": "print(1)\n", "api/openapi.yaml": SPEC_V2, "readiness.yaml": PREVIOUS})
    if kind == "symlink":
        (target / ".git").symlink_to(elsewhere / ".git")
    else:
        (target / ".git").write_text(f"gitdir: {elsewhere / '.git'}\n", encoding="utf-8")
    files = discover(target).files
    assert not marker.exists()
    walked = ["api/openapi.yaml", "app.py", "readiness.yaml"]  # not elsewhere's files (a `.git` file is one of the walk's)
    assert files == ([".git", *walked] if kind == "gitdir file" else walked)
    result = _only(target, "API005")
    assert result.status == Status.ERROR
    assert ".git is " in result.message and "never used" in result.message and "as a file instead" in result.message
    assert not marker.exists()


@pytest.mark.parametrize("entry", ["commondir", "info/exclude"])
def test_a_dot_git_folder_that_reads_elsewhere_or_holds_a_fifo_is_refused(tmp_path: Path, entry: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    repo = _repo(tmp_path / "repo", {"app.py": "print(1)\n", "notes.txt": "x\n"})
    (repo / ".git/info").mkdir(exist_ok=True)
    if entry == "commondir":
        (repo / ".git/commondir").write_text(str(_repo(tmp_path / "other", {"x": "1"}) / ".git"), encoding="utf-8")
    else:
        (repo / ".git/info/exclude").unlink(missing_ok=True)
        os.mkfifo(repo / ".git/info/exclude")  # git's blocking open would hang until its timeout
    monkeypatch.setattr(gitcmd, "TIMEOUT_S", 20.0)
    started = time.monotonic()
    with pytest.raises(gitcmd.GitError, match="commondir|not a regular file"):
        gitcmd.locate(repo)
    assert discover(repo).files == ["app.py", "notes.txt"]
    assert time.monotonic() - started < 5


def test_a_fifo_gitignore_costs_at_most_the_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `.gitignore` FIFO (a tarball can hold one; git cannot commit it) blocks `ls-files`: stopped, then walked."""
    repo = _repo(tmp_path / "repo", {"app.py": "print(1)\n"})
    os.mkfifo(repo / ".gitignore")
    monkeypatch.setattr(gitcmd, "TIMEOUT_S", 0.5)
    started = time.monotonic()
    assert gitcmd.git_files(repo) is None
    assert "app.py" in discover(repo).files
    assert time.monotonic() - started < 6


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to chown a folder to another user")
def test_a_dot_git_of_another_user_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", {"app.py": "print(1)\n"})
    _exclude_via_git(repo, "scratch.txt")
    for folder, _, names in os.walk(repo / ".git"):
        for name in [folder, *(os.path.join(folder, n) for n in names)]:
            os.lchown(name, 4242, 4242)
    with pytest.raises(gitcmd.GitError, match="belongs to uid 4242"):
        gitcmd.locate(repo)
    assert discover(repo).files == ["app.py", "scratch.txt"]  # the walk: info/exclude not read


# --- (e) the inherited environment ----------------------------------------------------------------


def test_git_variables_in_the_environment_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    elsewhere = _hostile_repo(tmp_path / "elsewhere", marker)
    repo = _repo(tmp_path / "repo", {"app.py": "print(1)\n"})
    monkeypatch.setenv("GIT_DIR", str(elsewhere / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(elsewhere))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.fsmonitor")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", _hostile(marker))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", f"'core.fsmonitor'='{_hostile(marker)}'")
    files = discover(repo).files
    assert not marker.exists()
    assert files == ["app.py"]


def test_a_git_program_of_the_tree_on_a_relative_path_entry_is_not_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    repo = _repo(tmp_path / "repo", {"app.py": "print(1)\n", "git": f"#!/bin/sh\n{_hostile(marker)}\n"})
    (repo / "git").chmod(0o755)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("PATH", f".{os.pathsep}{os.environ['PATH']}")
    assert discover(repo).files == ["app.py", "git"]
    assert not marker.exists()


# --- (f) a partial clone: the missing blob is never fetched ----------------------------------------


def _partial_clone(tmp_path: Path) -> Path:
    """A blob:none clone whose v1 spec blob is missing (only HEAD's blobs came with the checkout)."""
    source = _repo(tmp_path / "source", {"api/openapi.yaml": SPEC_V1})
    _set(source, "uploadpack.allowFilter", "true")
    write_tree(source, {"api/openapi.yaml": SPEC_V2})
    _git(source, "commit", "-q", "-am", "v2")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", f"file://{source}", str(clone)], check=True,
                   capture_output=True, env=_env(), timeout=60)  # fmt: skip
    write_tree(clone, {"readiness.yaml": PREVIOUS})
    return clone


def _promisor(clone: Path, attack: str, marker: Path) -> None:
    hostile = _hostile(marker)
    if attack == "ext":
        _set(clone, "remote.origin.url", f"ext::sh -c touch% {marker}")
        _set(clone, "protocol.ext.allow", "always")
    elif attack == "sshCommand":
        _set(clone, "remote.origin.url", "ssh://git.example.invalid/repo")
        _set(clone, "core.sshCommand", hostile)
        _set(clone, "protocol.ssh.allow", "always")
    else:  # the local transport runs remote.*.uploadpack
        _set(clone, "remote.origin.uploadpack", f"{hostile}; git-upload-pack")
        _set(clone, "protocol.file.allow", "always")


@pytest.mark.parametrize("attack", ["ext", "sshCommand", "uploadpack"])
def test_a_partial_clone_never_fetches_the_missing_blob(tmp_path: Path, attack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    clone = _partial_clone(tmp_path)
    _promisor(clone, attack, marker)
    result = _only(clone, "API005")
    assert not marker.exists()
    assert result.status == Status.ERROR
    assert "api/openapi.yaml at git revision v1: its content is not in this clone" in result.message
    monkeypatch.chdir(clone)
    diffed = CliRunner().invoke(main, ["api-diff", "v1:api/openapi.yaml", "api/openapi.yaml"])
    assert not marker.exists()
    assert diffed.exit_code == 2
    assert diffed.output.startswith("error: api/openapi.yaml: api/openapi.yaml at git revision v1: its content is not")
    assert diffed.output.count("\n") == 1
    assert not marker.exists()


# --- (g) textconv, external diff, filters ---------------------------------------------------------


def test_textconv_external_diff_and_filters_are_not_run(tmp_path: Path) -> None:
    """Defence in depth: `cat-file blob` never runs these, and neither did `show REV:path` without --textconv."""
    marker = tmp_path / "marker"
    repo = _repo(tmp_path / "repo", {"api/openapi.yaml": SPEC_V1, ".gitattributes": "* diff=evil filter=evil\n"})
    for key in ("diff.evil.textconv", "diff.evil.command", "diff.external", "filter.evil.smudge",
                "filter.evil.clean", "filter.evil.process"):  # fmt: skip
        _set(repo, key, _hostile(marker))
    _set(repo, "filter.evil.required", "true")
    write_tree(repo, {"api/openapi.yaml": SPEC_V2, "readiness.yaml": PREVIOUS})
    result = _only(repo, "API005")
    assert result.status == Status.FAIL and "POST /items" in result.findings[0].message  # the blob as committed
    assert ".gitattributes" in discover(repo).files
    assert not marker.exists()


# --- (h) size caps --------------------------------------------------------------------------------


def test_a_huge_blob_at_the_revision_is_capped_by_max_file_mb(tmp_path: Path) -> None:
    padding = "x" * (1536 * 1024)
    repo = _repo(tmp_path / "repo", {"api/openapi.yaml": SPEC_V1.replace("title: t", f"title: {padding}")})
    write_tree(repo, {"api/openapi.yaml": SPEC_V2, "readiness.yaml": PREVIOUS + "limits: {max_file_mb: 1}\n"})
    result = _only(repo, "API005")
    assert result.status == Status.ERROR
    assert "api/openapi.yaml at git revision v1 is larger than 1 MB (limits.max_file_mb); not read" in result.message


def test_api_diff_caps_a_blob_like_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    padding = "x" * (9 * 1024 * 1024)  # above the default 8 MB
    repo = _repo(tmp_path / "repo", {"api/openapi.yaml": SPEC_V1.replace("title: t", f"title: {padding}")})
    write_tree(repo, {"api/openapi.yaml": SPEC_V2})
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["api-diff", "v1:api/openapi.yaml", "api/openapi.yaml"])
    assert result.exit_code == 2
    assert result.output == ("error: api/openapi.yaml: api/openapi.yaml at git revision v1 is larger than 8 MB "
                             "(limits.max_file_mb); not read\n")  # fmt: skip


def test_a_symlink_at_the_revision_is_not_followed(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", {"secret.yaml": SPEC_V1})
    (repo / "api").mkdir()
    (repo / "api/openapi.yaml").symlink_to("../secret.yaml")
    _git(repo, "add", "api/openapi.yaml")
    _git(repo, "commit", "-q", "-m", "link")
    _git(repo, "tag", "-f", "v1")
    (repo / "api/openapi.yaml").unlink()
    write_tree(repo, {"api/openapi.yaml": SPEC_V2, "readiness.yaml": PREVIOUS})
    result = _only(repo, "API005")
    assert result.status == Status.ERROR and "a symlink at that revision: not followed" in result.message


# --- the boundary itself --------------------------------------------------------------------------


def test_git_sees_only_the_fixed_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path / "repo", {"app.py": "print(1)\n"})
    write_tree(tmp_path, {"global.cfg": "[user]\n\tname = from-global\n"})
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "global.cfg"))
    monkeypatch.setenv("GIT_EXEC_PATH", str(tmp_path))
    located = gitcmd.locate(repo)
    exec_path = gitcmd.run(located, ["--exec-path"], 4096).stdout.decode().strip()
    assert exec_path and exec_path != str(tmp_path)
    listing = "\n" + gitcmd.run(located, ["config", "--list", "--show-scope"], 65536).stdout.decode()
    assert "from-global" not in listing and "\nglobal\t" not in listing and "\nsystem\t" not in listing
    assert "command\tcore.fsmonitor=false" in listing and "command\tprotocol.allow=never" in listing
    env = gitcmd.environment(located.root, "/usr/bin")
    assert (env["GIT_ALLOW_PROTOCOL"], env["GIT_CEILING_DIRECTORIES"]) == ("", str(tmp_path))


def test_a_monorepo_subfolder_uses_the_checkouts_git_directory(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", {"services/x/app.py": "print(1)\n", "services/y/app.py": "print(2)\n"})
    assert gitcmd.locate(repo / "services/x") == gitcmd.Repo(str(repo.resolve()), "services/x")
    assert gitcmd.git_files(repo / "services/x") == ["app.py"]
