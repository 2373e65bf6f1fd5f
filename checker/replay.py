"""The pre-commit fast path: replay the last pre-commit run when none of its inputs changed.

A commit hook runs again and again on the same tree (a rejected commit retried, `pre-commit run` twice).
When every tracked file, the checker, the installed packages, the date and the command line are exactly as
they were, the result cannot differ, so the stored output and exit code are replayed without loading the
engine. The fingerprint uses each file's size and modification time (like make), so any edit, added or
deleted file invalidates it. The record lives in the target's cache folder and is signed with the user's
key (checker.signing): a record committed in a pull request is not believed, and one that is a symlink, a
FIFO, a device or larger than MAX_RECORD_BYTES is not read at all. Anything unexpected means "no replay",
never a wrong answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from checker import __version__
from checker.project.gitcmd import git_files
from checker.signing import read_signed, write_signed

RECORD = Path(".readiness-cache") / "pre-commit-replay.json"
MAX_RECORD_BYTES = 8 * 1024 * 1024  # the compact pre-commit output is far smaller; a larger record is not read


def replay(target: Path, command: list[str]) -> int | None:
    """Print the stored output and return its exit code, or None when the run must really happen."""
    key = fingerprint(target, command)
    payload = read_signed(target / RECORD, max_bytes=MAX_RECORD_BYTES) if key else None
    if payload is None:
        return None
    try:
        record = json.loads(payload)
        if record["key"] != key:
            return None
        output, code = str(record["output"]), int(record["exit_code"])
    except (ValueError, KeyError, TypeError):
        return None
    sys.stdout.write(output)
    return code


def remember(target: Path, command: list[str], output: str, exit_code: int) -> None:
    key = fingerprint(target, command)
    if key is None:
        return
    payload = json.dumps({"key": key, "output": output, "exit_code": exit_code}).encode("utf-8")
    if len(payload) > MAX_RECORD_BYTES:
        return  # it would never be read back
    try:
        write_signed(target / RECORD, payload)
    except OSError:
        pass  # a read-only tree simply gets no fast path


def fingerprint(target: Path, command: list[str]) -> str | None:
    """A digest of everything a pre-commit run depends on; None outside a git work tree."""
    files = git_files(target)
    if files is None:
        return None
    digest = hashlib.sha256()
    for part in (__version__, _today(), os.environ.get("SOURCE_DATE_EPOCH", ""), json.dumps(command)):
        digest.update(part.encode("utf-8") + b"\0")
    for rel in sorted(files):
        digest.update(_stat_line(target / rel, rel))
    digest.update(_package_line(Path(__file__).resolve().parent))
    for folder in _package_folders():
        digest.update(_folder_line(folder))
    return digest.hexdigest()


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()  # rules judge dates (model age, waiver expiry)


def _stat_line(path: Path, rel: str) -> bytes:
    try:
        st = path.stat()
        return f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape")
    except OSError:
        return f"{rel}\0missing\n".encode("utf-8", "surrogateescape")


def _package_folders() -> list[Path]:
    """Where installed distributions live: installing or upgrading a plugin or a dependency changes them."""
    return [Path(p) for p in sys.path if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p)]


def _folder_line(folder: Path) -> bytes:
    """Names and modification times of a folder's entries."""
    try:
        entries = sorted((e.name, e.stat().st_mtime_ns) for e in os.scandir(folder))
    except OSError:
        return b"unreadable\n"
    return (json.dumps([str(folder), entries]) + "\n").encode("utf-8")


def _package_line(package: Path) -> bytes:
    """The checker's own code and built-in rule packs (inside the package when installed, beside it in a checkout)."""
    entries = []
    for root in (package, package.parent / "rules"):
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                if name.endswith((".py", ".yaml", ".yml", ".j2")):
                    path = os.path.join(dirpath, name)
                    try:
                        entries.append((path, os.stat(path).st_mtime_ns))
                    except OSError:
                        pass
    return (json.dumps(sorted(entries)) + "\n").encode("utf-8")
