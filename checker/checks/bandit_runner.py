"""Bandit through its Python API: no subprocess per file, files spread over worker processes, and a
content-hash cache so that an unchanged file is never analysed twice.

Bandit parses each file into an AST and runs its plugins on it; nothing of the project is imported or
executed. A worker process holds one `BanditManager` and analyses whole chunks of files. The cache maps
sha256(file bytes) to bandit's issues for one bandit version and one set of skipped tests; severity
and confidence thresholds are applied on reading, so changing them needs no new analysis. It is JSON,
never pickle: a cache file in a checked-out repository is untrusted input too (signed, size-capped, never
read through a link: checker.signing). The hard-coded-password tests quote the value they found; it is
masked as soon as bandit reports it, so neither the cache nor any report holds it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, NamedTuple, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

CACHE_FORMAT: Literal[2] = 2  # 2: password values masked; a format-1 file is read as empty and replaced
MAX_CACHE_BYTES = 64 * 1024 * 1024  # a larger cache file is not read (and not written)
PASSWORD_TESTS = frozenset({"B105", "B106", "B107"})  # "Possible hardcoded password: '<the value>'"
_QUOTED_VALUE = re.compile(r"(?s)(.*?: ')(.*)'")
# Below this many files per worker, starting worker processes costs more than it saves.
MIN_FILES_PER_WORKER = 40
CHUNKS_PER_WORKER = 4

Level = Literal["LOW", "MEDIUM", "HIGH", "UNDEFINED"]


class BanditIssue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    test_id: str  # e.g. "B602"
    test_name: str  # e.g. "subprocess_popen_with_shell_equals_true"
    severity: Level
    confidence: Level
    line: int
    text: str


class FileAnalysis(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    issues: tuple[BanditIssue, ...] = ()
    skipped: str | None = None  # why bandit could not analyse the file (a syntax error, say)


class CacheFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal[2]
    bandit: str
    skip_tests: list[str]
    files: dict[str, FileAnalysis]  # sha256 of the file's bytes -> analysis


@dataclass(frozen=True)
class BanditRun:
    files: dict[str, FileAnalysis]  # relative path -> analysis
    analysed: int  # files bandit analysed in this run
    cached: int  # files answered from the cache


def bandit_version() -> str:
    from bandit import __version__  # type: ignore[import-untyped]

    return str(__version__)


def run_bandit(
    root: Path, paths: Sequence[str], skip_tests: Sequence[str] = (), jobs: int = 1, cache_dir: Path | None = None,
    ignore_nosec: bool = False,
) -> BanditRun:
    """Analyse `paths` (relative to `root`): cached files from the cache, the rest on `jobs` workers.

    `ignore_nosec` makes bandit report lines marked `# nosec` too (`--no-inline-waivers`).
    """
    profile = Profile(tuple(skip_tests), ignore_nosec)
    digests = {path: _digest(root, path) for path in paths}
    cache = _load_cache(cache_dir, profile) if cache_dir else {}
    pending = sorted({digest: path for path, digest in digests.items() if digest and digest not in cache}.items())
    fresh = _analyse(root, [path for _, path in pending], profile, jobs)
    new_entries = {digest: fresh[path] for digest, path in pending}
    results = {**cache, **new_entries}
    if cache_dir and (new_entries or set(cache) - set(digests.values())):
        _store_cache(cache_dir, profile, {d: results[d] for d in digests.values() if d in results})
    files = {path: results.get(digest, _unreadable()) if digest else _unreadable() for path, digest in digests.items()}
    return BanditRun(files=files, analysed=len(pending), cached=len(paths) - len(pending))


def _digest(root: Path, path: str) -> str | None:
    """The file's hash; None for one that cannot be read or is no longer a regular file inside the target."""
    from checker.project.safe_open import Refused, open_regular

    digest = hashlib.sha256()
    try:
        with open_regular(root, path) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (OSError, Refused):
        return None
    return digest.hexdigest()


def _unreadable() -> FileAnalysis:
    return FileAnalysis(skipped="cannot read the file")


# --- analysis -----------------------------------------------------------------------------------------


class Profile(NamedTuple):
    """What changes bandit's answer for the same file: the tests left out, and whether `# nosec` counts."""

    skip_tests: tuple[str, ...] = ()
    ignore_nosec: bool = False


def _analyse(root: Path, paths: list[str], profile: Profile, jobs: int) -> dict[str, FileAnalysis]:
    if not paths:
        return {}
    workers = max(1, min(jobs, len(paths) // MIN_FILES_PER_WORKER))
    absolute = [str(root / p) for p in paths]
    found = None
    if workers > 1:
        try:
            found = _in_workers(absolute, profile, workers)
        except (BrokenProcessPool, OSError):
            found = None  # workers could not start (e.g. a `__main__` that spawn cannot import): one process
    if found is None:
        found = analyse_files(absolute, profile)
    return {p: FileAnalysis.model_validate(found[a]) for p, a in zip(paths, absolute)}


def _in_workers(paths: list[str], profile: Profile, workers: int) -> dict[str, dict[str, Any]]:
    # "spawn": the checker runs rules in threads, and forking a threaded process can deadlock.
    size = max(1, -(-len(paths) // (workers * CHUNKS_PER_WORKER)))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    found: dict[str, dict[str, Any]] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for part in pool.map(analyse_files, chunks, [profile] * len(chunks)):
            found.update(part)
    return found


DEFAULT_PROFILE = Profile()
_managers: dict[Profile, Any] = {}
# Bandit keeps every AST node it visits in a class-level dict; clearing it per batch bounds memory.
BATCH = 50


def analyse_files(paths: list[str], profile: Profile = DEFAULT_PROFILE) -> dict[str, dict[str, Any]]:
    """Bandit's issues for each file (absolute paths), as plain data. Runs in a worker or in-process."""
    manager = _manager(Profile(*profile))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(paths), BATCH):
        found.update(_analyse_batch(manager, paths[start:start + BATCH]))
    return found


def _analyse_batch(manager: Any, paths: list[str]) -> dict[str, dict[str, Any]]:
    from bandit.core import metrics  # type: ignore[import-untyped]

    manager.files_list, manager.results, manager.skipped = list(paths), [], []
    manager.metrics = metrics.Metrics()
    try:
        manager.run_tests()
    finally:
        manager.b_ma.nodes.clear()
    found: dict[str, dict[str, Any]] = {p: {"issues": []} for p in paths}
    for issue in manager.get_issue_list():
        found[issue.fname]["issues"].append(_issue_data(issue))
    for path, reason in manager.skipped:
        found[path]["skipped"] = str(reason)
    return found


def _manager(profile: Profile) -> Any:
    """One BanditManager per process and profile: loading bandit's plugins is the costly part."""
    if profile not in _managers:
        # Bandit logs every file it cannot parse (reported as skipped files instead), and stevedore logs
        # each optional bandit formatter it cannot load; neither is for the user's terminal.
        for name in ("bandit", "stevedore"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        from bandit.core import config, manager  # type: ignore[import-untyped]

        _managers[profile] = manager.BanditManager(
            config.BanditConfig(), "file", quiet=True, profile={"exclude": list(profile.skip_tests)},
            ignore_nosec=profile.ignore_nosec,
        )  # fmt: skip
    return _managers[profile]


def _issue_data(issue: Any) -> dict[str, Any]:
    return {
        "test_id": issue.test_id, "test_name": issue.test, "severity": issue.severity,
        "confidence": issue.confidence, "line": int(issue.lineno or 0), "text": masked_text(issue.test_id, issue.text),
    }  # fmt: skip


def masked_text(test_id: str, text: str) -> str:
    """Bandit's message with the password it quotes masked like every other secret (SEC002's `mask`)."""
    if test_id not in PASSWORD_TESTS:
        return text
    from checker.checks.secret_names import mask

    quoted = _QUOTED_VALUE.fullmatch(text)
    if quoted is None:  # a wording this code does not know: nothing of it is shown
        return "Possible hardcoded password (value masked)"
    return f"{quoted[1]}{mask(quoted[2])}'"


# --- cache ----------------------------------------------------------------------------------------------


def _cache_file(cache_dir: Path, profile: Profile) -> Path:
    key = ",".join(sorted(profile.skip_tests)) + (";ignore-nosec" if profile.ignore_nosec else "")
    return cache_dir / f"bandit-{bandit_version()}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"


def _load_cache(cache_dir: Path, profile: Profile) -> dict[str, FileAnalysis]:
    """Cached analyses; a missing, corrupt, foreign or forged cache file is simply empty.

    The cache sits in the checked project, so a pull request could commit one claiming "no issues":
    only a file signed with this user's key (checker.cache) is believed.
    """
    from checker.signing import read_signed

    payload = read_signed(_cache_file(cache_dir, profile), max_bytes=MAX_CACHE_BYTES)
    if payload is None:
        return {}
    try:
        data = CacheFile.model_validate_json(payload)
    except (ValidationError, ValueError):
        return {}
    if data.bandit != bandit_version() or sorted(data.skip_tests) != sorted(profile.skip_tests):
        return {}
    return data.files


def _store_cache(cache_dir: Path, profile: Profile, files: dict[str, FileAnalysis]) -> None:
    """Write atomically and signed; a read-only project simply gets no cache."""
    from checker.signing import write_signed

    data = CacheFile(format=CACHE_FORMAT, bandit=bandit_version(), skip_tests=sorted(profile.skip_tests), files=files)
    payload = json.dumps(data.model_dump(mode="json", exclude_defaults=True), separators=(",", ":"))
    if len(payload) > MAX_CACHE_BYTES:
        return  # it would never be read back
    try:
        write_signed(_cache_file(cache_dir, profile), payload.encode("utf-8"))
    except OSError:
        return
