"""The checker's own files in a hostile tree (SPEC §9 "Own files", issue 11 point 3).

A pull request controls the checkout, so it can commit `.readiness-cache`, `reports` or any entry in them as a
symlink to a folder outside the target, a FIFO or a device. None of them may be followed, block the run or be
read whole: the output folder is a one-line error (exit 2), the cache is ignored (or replaced inside it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from report_samples import write_tree

from checker import replay
from checker.cache import CACHE_DIR, CACHE_FILE, ResultCache
from checker.checks import bandit_runner
from checker.cli import main
from checker.signing import user_key, write_signed

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 120  # a safeguard against a hung child, not a timing assertion
PROJECT = {
    "app/main.py": "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n",
    "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: scorer}\nspec:\n  replicas: 1\n"
    "  selector: {matchLabels: {app: scorer}}\n  template:\n    metadata: {labels: {app: scorer}}\n"
    "    spec: {containers: [{name: scorer, image: scorer:1.0.0}]}\n",
}
RULES = ("--only", "SEC001", "--only", "REL001")  # bandit's cache and the result cache, in well under a second


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`proj/` (the checked tree, also the working directory, as in CI) and an empty `outside/` beside it."""
    root = write_tree(tmp_path / "proj", PROJECT)
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(root)
    return root


def _check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", ".", *RULES, "--format", "json", "--format", "markdown", *args])


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def _bandit_cache_name() -> str:
    return bandit_runner._cache_file(Path("."), bandit_runner.Profile()).name


# --- the cache folder ------------------------------------------------------------------------------------


def test_a_committed_cache_symlink_is_never_followed(project: Path) -> None:
    outside = project.parent / "outside"
    (project / CACHE_DIR).symlink_to(outside, target_is_directory=True)
    for _ in range(2):  # a cold and a warm run: neither writes the result cache, bandit's or a .gitignore there
        result = _check()
        assert result.exit_code == 1, result.output
    assert _tree(outside) == []
    assert f"readiness: note: {CACHE_DIR} is a symlink, not a folder: no cache in this run\n" in result.stderr
    assert (project / CACHE_DIR).is_symlink()  # a tracked file of the tree: left as it is


def test_a_committed_cache_symlink_gets_no_pre_commit_record(project: Path) -> None:
    outside = project.parent / "outside"
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / CACHE_DIR).symlink_to(outside, target_is_directory=True)
    result = CliRunner().invoke(main, ["pre-commit", "k8s/deployment.yaml"])
    assert result.exit_code == 1, result.output
    assert _tree(outside) == []


def test_links_inside_the_cache_folder_are_replaced_never_followed(project: Path) -> None:
    outside = project.parent / "outside"
    (outside / "victim.json").write_text("keep me\n", encoding="utf-8")
    (outside / "bandit").mkdir()
    cache = project / CACHE_DIR
    cache.mkdir()
    (cache / CACHE_FILE).symlink_to(outside / "victim.json")
    (cache / ".gitignore").symlink_to(outside / "created-through-a-link")  # a dangling link: write_text followed it
    (cache / "bandit").symlink_to(outside / "bandit", target_is_directory=True)
    assert _check().exit_code == 1
    assert _tree(outside) == ["bandit", "victim.json"] and (outside / "victim.json").read_text() == "keep me\n"
    for entry in (CACHE_FILE, ".gitignore", f"bandit/{_bandit_cache_name()}"):
        assert (cache / entry).is_file() and not (cache / entry).is_symlink(), entry
    assert not (cache / "bandit").is_symlink()


def test_fifos_in_the_cache_folder_do_not_hang_the_run(project: Path, tmp_path: Path) -> None:
    cache = project / CACHE_DIR
    (cache / "bandit").mkdir(parents=True)
    fifos = [cache / CACHE_FILE, cache / ".gitignore", cache / "bandit" / _bandit_cache_name()]
    for fifo in fifos:
        os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    command = [sys.executable, "-m", "checker", "check", ".", *RULES, "--format", "json"]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 1, done.stderr
    assert all(fifo.is_file() for fifo in fifos)  # replaced by the files the run wrote


def test_a_fifo_as_the_pre_commit_record_does_not_hang_the_hook(project: Path, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / CACHE_DIR).mkdir()
    os.mkfifo(project / replay.RECORD)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    command = [sys.executable, "-m", "checker", "pre-commit", "k8s/deployment.yaml"]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 1, done.stderr
    assert (project / replay.RECORD).is_file()


def _sparse(path: Path, size: int) -> None:
    """A file that claims `size` bytes without using the disk for them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)


def _peak_bytes(action: object) -> int:
    tracemalloc.start()
    try:
        action()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


OVERSIZED = 3 * 1024**3  # read whole, this would take seconds and 3 GB


def test_an_oversized_result_cache_is_not_read(project: Path) -> None:
    _sparse(project / CACHE_DIR / CACHE_FILE, OVERSIZED)
    peak = _peak_bytes(lambda: ResultCache.open(project, "9.9.9"))
    assert peak < 8 * 1024 * 1024


def test_an_oversized_bandit_cache_is_not_read(project: Path) -> None:
    cache_dir = project / CACHE_DIR / "bandit"
    _sparse(cache_dir / _bandit_cache_name(), OVERSIZED)
    found: list[object] = []
    peak = _peak_bytes(lambda: found.append(bandit_runner._load_cache(cache_dir, bandit_runner.Profile())))
    assert found == [{}] and peak < 8 * 1024 * 1024


def test_an_oversized_pre_commit_record_is_not_read(project: Path) -> None:
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    _sparse(project / replay.RECORD, OVERSIZED)
    found: list[object] = []
    peak = _peak_bytes(lambda: found.append(replay.replay(project, ["pre-commit"])))
    assert found == [None] and peak < 8 * 1024 * 1024


def test_a_signed_file_over_its_cap_is_not_believed(project: Path) -> None:
    from checker.signing import read_signed

    path = project / CACHE_DIR / "big.json"
    write_signed(path, b"x" * 2048, user_key())
    assert read_signed(path, max_bytes=4096) == b"x" * 2048
    assert read_signed(path, max_bytes=1024) is None


def test_cache_temporaries_of_a_killed_run_are_removed(project: Path) -> None:
    cache = project / CACHE_DIR
    cache.mkdir()
    leftover = cache / f".{CACHE_FILE}.k1ll3d00.tmp"
    leftover.write_text("half a cache", encoding="utf-8")
    assert _check().exit_code == 1
    assert not leftover.exists()


# --- the output folder -----------------------------------------------------------------------------------


def test_a_reports_symlink_is_a_one_line_error(project: Path) -> None:
    outside = project.parent / "outside"
    (project / "reports").symlink_to(outside, target_is_directory=True)
    result = _check("--output-dir", "reports")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write report reports: a symlink, not a folder (never followed)\n"
    assert _tree(outside) == []


def test_a_symlink_deeper_in_the_output_path_is_refused_too(project: Path) -> None:
    outside = project.parent / "outside"
    (project / "build").symlink_to(outside, target_is_directory=True)
    result = _check("--output-dir", str(project / "build" / "reports"))  # absolute, inside the target
    assert result.exit_code == 2
    assert result.stderr == f"error: cannot write report {project / 'build'}: a symlink, not a folder (never followed)\n"
    assert _tree(outside) == []


def test_a_fifo_as_the_output_folder_is_a_one_line_error(project: Path) -> None:
    os.mkfifo(project / "reports")
    result = _check("--output-dir", "reports")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write report reports: a FIFO, not a folder (never followed)\n"


def test_a_report_name_taken_by_a_symlink_is_refused_and_its_target_unchanged(project: Path) -> None:
    victim = project.parent / "outside" / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (project / "reports").mkdir()
    (project / "reports" / "readiness.json").symlink_to(victim)
    result = _check("--output-dir", "reports")
    assert result.exit_code == 2
    assert result.stderr == ("error: cannot write report reports/readiness.json: a symlink, not a regular file "
                             "(never written through)\n")  # fmt: skip
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert (project / "reports" / "readiness.json").is_symlink()
    assert sorted(p.name for p in (project / "reports").iterdir()) == ["readiness.json"]  # no report, no temporary


def test_report_temporaries_of_a_killed_run_are_removed_by_the_next_run(project: Path) -> None:
    reports = project / "reports"
    reports.mkdir()
    leftovers = [".readiness.json.a1b2c3d4.tmp", ".readiness.html.x_9kq2m7.tmp"]  # ours, even of another format
    foreign = [".notes.md.a1b2c3d4.tmp", "readiness.json.bak"]  # not ours: kept
    for name in leftovers + foreign:
        (reports / name).write_text("left behind\n", encoding="utf-8")
    assert _check("--output-dir", "reports").exit_code == 1
    assert sorted(p.name for p in reports.iterdir()) == sorted([*foreign, "readiness.json", "readiness.md"])


def test_the_output_folder_is_created_component_by_component(project: Path) -> None:
    assert _check("--output-dir", "out/ci/reports").exit_code == 1
    assert sorted(p.name for p in (project / "out" / "ci" / "reports").iterdir()) == ["readiness.json", "readiness.md"]
