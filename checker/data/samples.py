"""The first rows of one data file, column by column, as text: what SEC009 judges.

CSV (plain, gzip or bzip2) is read with the standard library — the core install has no pandas or pyarrow, and
the text as written is what a detector must see (a reader that types `0612345678` as a number drops the
phone's trunk prefix). Parquet needs pyarrow (the `data` extra) and is read one batch, never the whole file.
Only a regular file inside the root is opened (checker.project.safe_open), and never more than a bounded
prefix is decompressed or parsed, whatever the file's size.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from checker.data.preflight import MB, DataLimits, csv_delimiter, first_line
from checker.data.sources import CSV_SUFFIXES, PARQUET_SUFFIXES, DatasetError
from checker.project.safe_open import Refused, open_regular

SAMPLE_ROWS = 1000  # rows read from the top of each file
SAMPLE_BYTES = 4 * MB  # at most this much CSV text is parsed


@dataclass
class ColumnSample:
    """A column's non-empty values among the sampled rows, with the line of each (CSV) or None (Parquet)."""

    name: str
    values: list[str] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)

    def add(self, value: str, line: int | None) -> None:
        if value.strip():
            self.values.append(value)
            self.lines.append(line)


def is_data_file(path: str) -> bool:
    return path.lower().endswith(CSV_SUFFIXES + PARQUET_SUFFIXES)


def sample_file(root: Path, rel: str, limits: DataLimits, rows: int = SAMPLE_ROWS) -> list[ColumnSample]:
    """The columns of `rel` (relative to `root`) over its first `rows` rows; raises DatasetError naming the
    file when it cannot be read, ModuleNotFoundError for Parquet without pyarrow."""
    try:
        with open_regular(root, rel) as handle:
            if rel.lower().endswith(PARQUET_SUFFIXES):
                return _parquet(rel, handle, limits, rows)
            return _csv(rel, _prefix(rel, handle), limits, rows)
    except Refused as exc:
        raise DatasetError(rel, exc.message) from None
    except OSError as exc:
        raise DatasetError(rel, f"cannot read: {exc.strerror or first_line(exc)}") from None


# --- CSV -------------------------------------------------------------------------------------------------


def _prefix(rel: str, handle: IO[bytes]) -> str:
    """The file's first SAMPLE_BYTES of text, cut at the last whole line."""
    stream = _decompressed(rel, handle)
    try:
        data = stream.read(SAMPLE_BYTES + 1)
    except (EOFError, ValueError, OSError) as exc:  # corrupt or truncated compressed data
        raise DatasetError(rel, f"not a readable CSV file: {first_line(exc)}") from None
    if len(data) > SAMPLE_BYTES:
        cut = data.rfind(b"\n", 0, SAMPLE_BYTES)
        if cut < 0:
            raise DatasetError(rel, f"no line break in its first {SAMPLE_BYTES // MB} MB: not a CSV header", 1)
        data = data[: cut + 1]
    nul = data.find(b"\0")
    if nul >= 0:
        raise DatasetError(rel, "NUL byte; a binary file, not CSV text", data.count(b"\n", 0, nul) + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(rel, "not UTF-8 text; save it as UTF-8", data.count(b"\n", 0, exc.start) + 1) from None


def _decompressed(rel: str, handle: IO[bytes]) -> IO[bytes]:
    lower = rel.lower()
    if lower.endswith(".gz"):
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    if lower.endswith(".bz2"):
        return bz2.BZ2File(handle)  # type: ignore[return-value]
    return handle


def _csv(rel: str, text: str, limits: DataLimits, rows: int) -> list[ColumnSample]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(Path(rel)))
    try:
        header = next(reader, [])
        limits.check_columns(rel, len(header), line=1)
        columns = [ColumnSample(name) for name in header]
        for line, record in _records(reader, rows):
            for column, value in zip(columns, record):
                column.add(value, line)
    except csv.Error as exc:
        raise DatasetError(rel, f"not a readable CSV file: {exc}", reader.line_num) from None
    return columns


def _records(reader: Any, rows: int) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, its fields) for the first `rows` records; a quoted field may span lines."""
    start = reader.line_num + 1
    for count, record in enumerate(reader):
        if count >= rows:
            return
        yield start, record
        start = reader.line_num + 1


# --- Parquet ---------------------------------------------------------------------------------------------


def _parquet(rel: str, handle: IO[bytes], limits: DataLimits, rows: int) -> list[ColumnSample]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(handle)
        meta = reader.metadata
        limits.check_columns(rel, meta.num_columns)
        # One row group is decoded for the batch: its footer size bounds the memory, as the data rules' caps do.
        if meta.num_row_groups and meta.row_group(0).total_byte_size > limits.max_bytes:
            raise limits.too_large(rel, "its first row group is too large to sample")
        batch = next(reader.iter_batches(batch_size=rows), None)
    except (pa.ArrowException, OSError) as exc:
        raise DatasetError(rel, f"not a readable Parquet file: {first_line(exc)}") from None
    if batch is None:
        return [ColumnSample(name) for name in reader.schema_arrow.names]
    return [_parquet_column(name, batch.column(i)) for i, name in enumerate(batch.schema.names)]


def _parquet_column(name: str, array: Any) -> ColumnSample:
    """Text and integer columns as text; other types (numbers with a fraction, times, nested) hold none of the
    identifiers SEC009 looks for."""
    import pyarrow.types as t

    kind = array.type.value_type if t.is_dictionary(array.type) else array.type
    sample = ColumnSample(name)
    if t.is_string(kind) or t.is_large_string(kind) or t.is_integer(kind):
        for value in array.drop_null().to_pylist():
            sample.add(str(value), None)
    return sample
