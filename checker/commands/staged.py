"""Which files a pre-commit run is about: the FILEs given, else git's staged paths, deletions included.

Kept free of the engine and the models: the replay fast path keys on this list before anything heavy loads.
"""

from __future__ import annotations

from pathlib import Path

NOT_A_REPOSITORY = "readiness: nothing to check (no files given and no git work tree to ask for staged ones)"


def staged_or_given(files: tuple[Path, ...]) -> tuple[Path, ...] | None:
    """The FILEs given, else git's staged paths (deletions included); None outside a git work tree.
    Light imports only: the replay fast path keys on this list before anything else loads."""
    if files:
        return files
    from checker.project.gitcmd import staged_files

    staged = staged_files(Path("."))
    return None if staged is None else tuple(Path(p) for p in staged)
