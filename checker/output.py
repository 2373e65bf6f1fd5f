"""Writing report files: all rendered in memory first, then each replaced atomically.

A crash while rendering writes nothing and removes this run's stale files, so no report on disk can
be mistaken for the result of this run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; reports are for everyone who reads the folder
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def remove_stale(out_dir: Path, names: list[str]) -> None:
    for name in names:
        (out_dir / name).unlink(missing_ok=True)


def write_reports(out_dir: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        write_atomically(out_dir / name, text)
