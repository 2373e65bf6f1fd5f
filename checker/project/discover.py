"""One walk of the target: which files are the project's own, without ever leaving the target root."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from checker.model import InputProblem
from checker.project.gitfiles import git_files

# Never project inputs, whatever .gitignore says: VCS data, caches and installed dependencies.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".readiness-cache", "node_modules", "__pycache__", ".venv", "venv",
     ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs"}
)  # fmt: skip


# lstat errors that mean "no such file now" (pathlib's is_file() is False for them): dropped silently.
_GONE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)  # posix paths relative to the root, sorted
    problems: list[InputProblem] = field(default_factory=list)
    read: dict[str, bytes] = field(default_factory=dict)  # files read while walking (.gitignore): not read twice


def discover(root: Path) -> Discovery:
    """Tracked files: git's view in a work tree (tracked + untracked-not-ignored), else a .gitignore-aware walk."""
    root = root.resolve()
    result = Discovery()
    candidates = git_files(root)
    if candidates is None:
        candidates = _walk(root, result.read)
    for rel in sorted(set(candidates)):
        if any(part in SKIP_DIRS for part in rel.split("/")[:-1]):
            continue
        problem = _outside_or_special(root, rel)
        if problem is None:
            result.files.append(rel)
        elif problem:
            result.problems.append(InputProblem(path=rel, message=problem))
    return result


def _outside_or_special(root: Path, rel: str) -> str | None:
    """None for a regular file inside the root; '' to drop silently; else why it is not read."""
    # One lstat on a string path for the common case, a regular file: pathlib objects and a second stat per
    # file were ~15 % of a warm run over 10,000 files.
    try:
        mode = os.lstat(os.path.join(root, rel)).st_mode
    except OSError as exc:
        return "" if exc.errno in _GONE else "unreadable path or symlink loop; not followed"
    if stat.S_ISREG(mode):
        return None
    if not stat.S_ISLNK(mode):
        return ""  # a folder (a git submodule), a fifo, a socket: not a file to read
    try:
        target = (root / rel).resolve()
        if not target.is_relative_to(root):
            return "symlink points outside the target; not followed"
        return None if target.is_file() else ""
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on older Pythons
        return "unreadable path or symlink loop; not followed"


def _walk(root: Path, read: dict[str, bytes]) -> list[str]:
    import pathspec

    specs: list[tuple[str, pathspec.PathSpec]] = []
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):  # does not descend into symlinked directories
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if ".gitignore" in filenames:
            data = _read_gitignore(Path(dirpath) / ".gitignore")
            read[rel_dir + ".gitignore"] = data
            specs.append((rel_dir, _gitignore_spec(data)))
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not _ignored(specs, rel_dir + d + "/")
        )
        found += [rel_dir + f for f in filenames if not _ignored(specs, rel_dir + f)]
    return found


def _read_gitignore(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _gitignore_spec(data: bytes) -> pathspec.PathSpec:  # type: ignore[name-defined]  # noqa: F821
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(data.decode("utf-8", errors="replace").splitlines())


def _ignored(specs: list, rel: str) -> bool:  # type: ignore[type-arg]
    return any(rel.startswith(base) and spec.match_file(rel[len(base):]) for base, spec in specs)
