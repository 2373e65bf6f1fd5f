"""SEC001's bandit runner: in-process by default, workers for big trees, a JSON content-hash cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.checks import bandit_runner
from checker.checks.bandit_runner import run_bandit

SHELL_CALL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True){suffix}\n"


def _write(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return sorted(files)


def _issues(run: bandit_runner.BanditRun) -> list[tuple[str, str, int]]:
    """Issues other than B404 (`import subprocess`, low severity), which every sample file has."""
    return sorted((path, i.test_id, i.line) for path, a in run.files.items() for i in a.issues if i.test_id != "B404")


def test_small_tree_runs_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started for a small tree")

    monkeypatch.setattr(bandit_runner, "ProcessPoolExecutor", no_pool)
    paths = _write(tmp_path, {f"pkg/m{i}.py": SHELL_CALL.format(suffix="") + f"# {i}\n" for i in range(5)})
    result = run_bandit(tmp_path, paths, jobs=4)
    assert _issues(result) == [(p, "B602", 5) for p in paths]
    assert (result.analysed, result.cached) == (5, 0)


def test_workers_find_the_same_issues_as_one_process(tmp_path: Path) -> None:
    # Distinct contents: identical files share one cache entry and would be analysed once.
    files = {f"pkg/m{i:03}.py": SHELL_CALL.format(suffix="" if i % 3 else "  # nosec") + f"# {i}\n" for i in range(90)}
    paths = _write(tmp_path, files)
    assert len(paths) // bandit_runner.MIN_FILES_PER_WORKER >= 2  # really uses two workers
    parallel = run_bandit(tmp_path, paths, jobs=2)
    single = run_bandit(tmp_path, paths, jobs=1)
    assert _issues(parallel) == _issues(single)
    assert len(_issues(single)) == 60 and (parallel.analysed, single.analysed) == (90, 90)


def test_unchanged_files_come_from_the_cache(tmp_path: Path) -> None:
    root, cache = tmp_path / "project", tmp_path / "project" / ".readiness-cache" / "bandit"
    paths = _write(root, {"a.py": SHELL_CALL.format(suffix=""), "b.py": "print('ok')\n"})
    first = run_bandit(root, paths, cache_dir=cache)
    second = run_bandit(root, paths, cache_dir=cache)
    assert (first.analysed, second.analysed, second.cached) == (2, 0, 2)
    assert _issues(second) == _issues(first) == [("a.py", "B602", 5)]
    (root / "b.py").write_text("import subprocess\nsubprocess.call('ls', shell=True)\n", encoding="utf-8")
    third = run_bandit(root, paths, cache_dir=cache)
    assert (third.analysed, third.cached) == (1, 1)
    assert ("b.py", "B602", 2) in _issues(third)
    (cache_file,) = cache.glob("*.json")
    signature, _, payload = cache_file.read_text(encoding="utf-8").partition("\n")
    assert len(signature) == 64 and json.loads(payload)["format"] == bandit_runner.CACHE_FORMAT  # signed JSON, never pickle


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    paths = _write(tmp_path / "p", {"a.py": SHELL_CALL.format(suffix="")})
    run_bandit(tmp_path / "p", paths, cache_dir=cache)
    (cache_file,) = cache.glob("*.json")
    cache_file.write_text('{"format": 1, "files": "not a mapping"', encoding="utf-8")
    again = run_bandit(tmp_path / "p", paths, cache_dir=cache)
    assert (again.analysed, _issues(again)) == (1, [("a.py", "B602", 5)])


def test_nosec_is_honoured(tmp_path: Path) -> None:
    paths = _write(tmp_path, {
        "plain.py": SHELL_CALL.format(suffix="  # nosec"),
        "specific.py": SHELL_CALL.format(suffix="  # nosec B602"),
        "other_test.py": SHELL_CALL.format(suffix="  # nosec B101"),
    })  # fmt: skip
    assert _issues(run_bandit(tmp_path, paths)) == [("other_test.py", "B602", 5)]


def test_skip_tests_are_not_run_and_key_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    paths = _write(tmp_path / "p", {"a.py": SHELL_CALL.format(suffix="")})
    assert _issues(run_bandit(tmp_path / "p", paths, skip_tests=["B602"], cache_dir=cache)) == []
    with_all = run_bandit(tmp_path / "p", paths, cache_dir=cache)
    assert with_all.analysed == 1 and _issues(with_all) == [("a.py", "B602", 5)]


def test_syntax_error_is_reported_as_skipped(tmp_path: Path) -> None:
    paths = _write(tmp_path, {"broken.py": "def f(:\n"})
    result = run_bandit(tmp_path, paths)
    assert result.files["broken.py"].skipped == "syntax error while parsing AST from file"


def test_a_forged_cache_committed_in_the_project_is_not_believed(tmp_path: Path) -> None:
    """A pull request could commit a cache claiming "no issues": only this user's signed cache counts."""
    paths = _write(tmp_path, {"a.py": SHELL_CALL.format(suffix="")})
    cache_dir = tmp_path / ".readiness-cache" / "bandit"
    run_bandit(tmp_path, paths, cache_dir=cache_dir)
    (cache_file,) = cache_dir.glob("bandit-*.json")
    _, _, payload = cache_file.read_text(encoding="utf-8").partition("\n")
    data = json.loads(payload)
    for entry in data["files"].values():
        entry["issues"] = []
    cache_file.write_text("0" * 64 + "\n" + json.dumps(data), encoding="utf-8")
    rerun = run_bandit(tmp_path, paths, cache_dir=cache_dir)
    assert rerun.analysed == 1 and ("a.py", "B602", 5) in _issues(rerun)
