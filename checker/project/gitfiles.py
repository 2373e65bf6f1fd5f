"""The files git considers part of a work tree, asked once per use: tracked plus untracked-not-ignored.

Kept free of heavy imports: the pre-commit fast path (checker.replay) uses it before anything else loads.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_files(root: Path) -> list[str] | None:
    """Paths relative to `root` (posix), or None outside a git work tree or without git."""
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
