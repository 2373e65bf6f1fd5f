"""One walk of the target: which files are the project's own, without ever leaving the target root."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from checker.model import InputProblem

# Never project inputs, whatever .gitignore says: VCS data, caches and installed dependencies.
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".readiness-cache", "node_modules", "__pycache__", ".venv", "venv",
     ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs"}
)  # fmt: skip


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)  # posix paths relative to the root, sorted
    problems: list[InputProblem] = field(default_factory=list)


def discover(root: Path) -> Discovery:
    """Tracked files: git's view in a work tree (tracked + untracked-not-ignored), else a .gitignore-aware walk."""
    root = root.resolve()
    candidates = _git_files(root)
    if candidates is None:
        candidates = _walk(root)
    result = Discovery()
    for rel in sorted(set(candidates)):
        if any(part in SKIP_DIRS for part in rel.split("/")[:-1]):
            continue
        problem = _outside_or_special(root, rel)
        if problem is None:
            result.files.append(rel)
        elif problem:
            result.problems.append(InputProblem(path=rel, message=problem))
    return result


def _git_files(root: Path) -> list[str] | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def _outside_or_special(root: Path, rel: str) -> str | None:
    """None for a regular file inside the root; '' to drop silently; else why it is not read."""
    path = root / rel
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                return "symlink points outside the target; not followed"
            if not target.is_file():
                return ""
            return None
        return None if path.is_file() else ""
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on older Pythons
        return "unreadable path or symlink loop; not followed"


def _walk(root: Path) -> list[str]:
    import pathspec

    specs: list[tuple[str, pathspec.PathSpec]] = []
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):  # does not descend into symlinked directories
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if ".gitignore" in filenames:
            specs.append((rel_dir, _read_gitignore(Path(dirpath) / ".gitignore")))
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not _ignored(specs, rel_dir + d + "/")
        )
        found += [rel_dir + f for f in filenames if not _ignored(specs, rel_dir + f)]
    return found


def _read_gitignore(path: Path) -> pathspec.PathSpec:  # type: ignore[name-defined]  # noqa: F821
    import pathspec

    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(specs: list, rel: str) -> bool:  # type: ignore[type-arg]
    return any(rel.startswith(base) and spec.match_file(rel[len(base):]) for base, spec in specs)
