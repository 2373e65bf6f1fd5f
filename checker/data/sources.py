"""Which files make up a configured dataset: one file, a folder of parts, or a glob; all inside the root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


class DatasetError(Exception):
    """A dataset that cannot be used; the message names the file and says what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


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
    files = [f for f in candidates if _data_format(f) is not None]
    for file in files:
        if not file.resolve().is_relative_to(root):
            raise DatasetError(configured, f"{file.name} points outside the project root; not read")
    if not files:
        raise DatasetError(configured, "no CSV or Parquet file found (expected .csv, .csv.gz, .tsv, .parquet, .pq)")
    formats = {_data_format(f) for f in files}
    if len(formats) > 1:
        raise DatasetError(configured, "mixes CSV and Parquet parts; use one format per dataset")
    return DatasetFiles(label=configured, format=formats.pop() or "", files=tuple(sorted(files)))


def _candidates(root: Path, configured: str) -> list[Path]:
    if any(ch in configured for ch in "*?["):
        return [p for p in root.glob(configured) if p.is_file()]
    path = root / configured
    if path.is_dir():
        # Spark and Hive write parts beside marker files (_SUCCESS, .crc): hidden and underscored names are not data.
        return [p for p in path.rglob("*") if p.is_file() and not p.name.startswith(("_", "."))]
    if not path.exists():
        raise DatasetError(configured, "file not found")
    return [path]


def _data_format(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None
