"""Which files make up a configured dataset: one file, a folder of parts, or a glob; all inside the root."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


class DatasetError(Exception):
    """A dataset that cannot be used; the message names the file and says what is wrong."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        shown = f"line {line}: {message}" if line else message
        super().__init__(f"{path}: {shown}")
        self.path = path
        self.message = shown
        self.line = line


@dataclass(frozen=True)
class DatasetFiles:
    label: str  # as configured (relative to the root, posix)
    format: str  # "csv" or "parquet"
    files: tuple[Path, ...]

    def relative(self, root: Path, file: Path) -> str:
        return file.relative_to(root).as_posix()


def resolve(root: Path, configured: str) -> DatasetFiles:
    """The data files of `configured`; raises DatasetError when there are none or they mix formats."""
    root = root.resolve()
    candidates = _candidates(root, configured)
    files = sorted(f for f in candidates if _data_format(f) is not None)
    for file in files:
        _check_readable(root, configured, file)
    if not files:
        raise DatasetError(configured, "no CSV or Parquet file found (expected .csv, .csv.gz, .tsv, .parquet, .pq)")
    formats = {_data_format(f) for f in files}
    if len(formats) > 1:
        raise DatasetError(configured, "mixes CSV and Parquet parts; use one format per dataset")
    return DatasetFiles(label=configured, format=formats.pop() or "", files=tuple(files))


def _candidates(root: Path, configured: str) -> list[Path]:
    if any(ch in configured for ch in "*?["):
        # Everything but folders: a FIFO or a dangling link named like data is refused loudly, not skipped.
        return [p for p in root.glob(configured) if not p.is_dir()]
    path = root / configured
    if path.is_dir():
        # Spark and Hive write parts beside marker files (_SUCCESS, .crc): hidden and underscored names are not data.
        return [p for p in path.rglob("*") if not p.is_dir() and not p.name.startswith(("_", "."))]
    if not path.exists():
        raise DatasetError(configured, "file not found")
    return [path]


def _check_readable(root: Path, configured: str, file: Path) -> None:
    """Only regular files inside the root are opened: a link out of the project, a FIFO (whose open blocks
    until a writer appears) or a device is refused by its metadata alone."""
    shown = file.relative_to(root).as_posix() if file.is_relative_to(root) else configured
    try:
        resolved = file.resolve(strict=True)
        mode = os.stat(resolved).st_mode
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        raise DatasetError(shown, "a broken or looping symlink; not read") from None
    if not resolved.is_relative_to(root):
        raise DatasetError(shown, "points outside the project root; not read")
    if not stat.S_ISREG(mode):
        raise DatasetError(shown, "not a regular file (a FIFO, socket or device); not read")


def _data_format(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None
