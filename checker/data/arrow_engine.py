"""The default engine: datasets read with pyarrow, aggregates computed with pyarrow compute / numpy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.data import preflight
from checker.data.frame import Column, Kind, MixedColumn
from checker.data.preflight import DataLimits, first_line
from checker.data.sources import DatasetError, DatasetFiles

if TYPE_CHECKING:
    import pyarrow as pa

NUMBER_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
MIXED_PROBE_ROWS = 10_000  # a text column is probed on its first rows before a full scan
MIXED_SAMPLES = 3
CSV_BLOCK = 1 << 20  # pyarrow's default block size


def load(root: Path, files: DatasetFiles, limits: DataLimits) -> ArrowFrame:
    """Check the caps, then read every part once; raise DatasetError naming the part that is unusable."""
    import pyarrow as pa

    root = root.resolve()
    if files.format == "csv":
        block_size = _block_size(preflight.check_csv(root, files, limits))
    else:
        preflight.check_parquet(root, files, limits)
        block_size = CSV_BLOCK
    tables = [_read_part(root, files, part, block_size) for part in files.files]
    _same_columns(root, files, tables)
    try:
        table = tables[0] if len(tables) == 1 else pa.concat_tables(tables, promote_options="default")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise DatasetError(files.label, f"its parts disagree on the columns or their types: {first_line(exc)}") from None
    if table.num_columns == 0:
        raise DatasetError(files.label, "the dataset has no columns")
    # The footer or the text size may understate what decoding made of it: judged again once loaded.
    if table.num_rows > limits.max_rows:
        raise limits.too_many_rows(files.label, table.num_rows)
    if table.nbytes > limits.max_bytes:
        raise limits.too_large(files.label, f"the dataset takes {table.nbytes / preflight.MB:,.1f} MB in memory")
    return ArrowFrame(files.label, table)


def _block_size(scan: preflight.CsvScan) -> int:
    """pyarrow parses CSV in blocks that must hold a whole row: a very wide header gets larger blocks."""
    return max(CSV_BLOCK, 2 * (scan.longest_header + 1))


def _same_columns(root: Path, files: DatasetFiles, tables: list[pa.Table]) -> None:
    """Parts of one dataset hold the same columns: a stray file in the folder is not silently merged."""
    first = tables[0].column_names
    for part, table in zip(files.files[1:], tables[1:]):
        if set(table.column_names) != set(first):
            missing = [c for c in first if c not in table.column_names]
            extra = [c for c in table.column_names if c not in first]
            detail = "; ".join(f"{word} {_names(cols)}" for word, cols in (("lacks", missing), ("adds", extra)) if cols)
            other = preflight.shown(root, files.files[0])
            raise DatasetError(preflight.shown(root, part), f"its columns differ from {other}: {detail}")


def _names(columns: list[str], shown: int = 5) -> str:
    listed = ", ".join(repr(c) for c in columns[:shown])
    return listed + (f" and {len(columns) - shown} more" if len(columns) > shown else "")


def _read_part(root: Path, files: DatasetFiles, part: Path, block_size: int) -> pa.Table:
    import pyarrow as pa

    shown = preflight.shown(root, part)
    try:
        return _empty_text_as_null(_read_csv(part, block_size)) if files.format == "csv" else _read_parquet(part)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OSError) as exc:
        if files.format == "csv":
            raise _csv_problem(shown, part, block_size, exc) from None
        raise DatasetError(shown, f"not a readable Parquet file: {first_line(exc)}") from None


def _read_csv(part: Path, block_size: int, use_threads: bool = True, on_invalid: Any = None) -> pa.Table:
    from pyarrow import csv

    return csv.read_csv(
        part,
        read_options=csv.ReadOptions(block_size=block_size, use_threads=use_threads),
        parse_options=csv.ParseOptions(delimiter=preflight.csv_delimiter(part), invalid_row_handler=on_invalid),
    )


def _empty_text_as_null(table: pa.Table) -> pa.Table:
    """An empty CSV text cell is a missing value, as Spark reads it: otherwise a text column is never thin
    (min_rows), its null rate is always 0 and '' an unseen category. Only the empty string: 'NA' may be Namibia."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(i)
            table = table.set_column(i, field, pc.if_else(pc.equal(column, ""), pa.scalar(None, field.type), column))
    return table


def _csv_problem(shown: str, part: Path, block_size: int, exc: Exception) -> DatasetError:
    """The read error, located: the multi-threaded reader does not know line numbers, so a failed read is
    parsed again on one thread (the error path only) to find the first malformed row."""
    import pyarrow as pa

    found: list[Any] = []

    def first_invalid(row: Any) -> str:
        found.append(row)
        return "error"

    try:
        _read_csv(part, block_size, use_threads=False, on_invalid=first_invalid)
    except (pa.ArrowException, OSError):
        pass
    if not found:
        return DatasetError(shown, f"not a readable CSV file: {first_line(exc)}")
    row = found[0]
    hint = " (an unbalanced quote?)" if row.text.count('"') % 2 else ""
    return DatasetError(shown, f"expected {row.expected_columns} fields, found {row.actual_columns}{hint}", row.number)


def _read_parquet(part: Path) -> pa.Table:
    import pyarrow.parquet as pq

    # ParquetFile.read, not read_table: read_table imports pandas for its metadata (~0.5 s per process).
    reader = pq.ParquetFile(part)
    try:
        return reader.read()
    finally:
        reader.close()


def kind_of(data_type: Any) -> Kind:
    import pyarrow.types as t

    if t.is_dictionary(data_type):
        return kind_of(data_type.value_type)
    checks = [
        (t.is_null, Kind.NULL), (t.is_boolean, Kind.BOOLEAN), (t.is_integer, Kind.INTEGER),
        (t.is_floating, Kind.FLOAT), (t.is_decimal, Kind.FLOAT), (t.is_string, Kind.STRING),
        (t.is_large_string, Kind.STRING), (t.is_timestamp, Kind.DATETIME), (t.is_date, Kind.DATETIME),
        (t.is_binary, Kind.BINARY), (t.is_large_binary, Kind.BINARY),
    ]  # fmt: skip
    return next((kind for check, kind in checks if check(data_type)), Kind.OTHER)


class ArrowFrame:
    """A dataset held as one pyarrow Table."""

    def __init__(self, label: str, table: pa.Table) -> None:
        self.label = label
        self.table = table
        self.rows: int = table.num_rows
        self.columns = tuple(Column(f.name, kind_of(f.type), str(f.type)) for f in table.schema)

    @property
    def nbytes(self) -> int:
        return int(self.table.nbytes)

    def null_counts(self) -> dict[str, int]:
        return {name: int(self.table.column(name).null_count) for name in self.table.column_names}

    def distinct_counts(self, names: Sequence[str]) -> dict[str, int]:
        import pyarrow.compute as pc

        return {name: int(pc.count_distinct(self.table.column(name)).as_py()) for name in names}

    def value_counts(self, names: Sequence[str]) -> dict[str, dict[str, int]]:
        import pyarrow.compute as pc

        counts: dict[str, dict[str, int]] = {}
        for name in names:
            pairs = pc.value_counts(self.table.column(name).drop_null())
            values, freq = pairs.field("values").to_pylist(), pairs.field("counts").to_pylist()
            counts[name] = {_text(v): int(n) for v, n in zip(values, freq)}
        return counts

    def quantiles(self, names: Sequence[str], probs: Sequence[float]) -> dict[str, list[float]]:
        import pyarrow.compute as pc

        # "lower" picks observed values, as Spark's exact approxQuantile does: both engines bin alike.
        found = {}
        for name in names:
            column = self.table.column(name).drop_null()
            found[name] = [] if len(column) == 0 else pc.quantile(column, q=list(probs), interpolation="lower").to_pylist()
        return {name: [float(v) for v in values] for name, values in found.items()}

    def bin_counts(self, edges: dict[str, list[float]]) -> dict[str, list[int]]:
        import numpy as np

        counts = {}
        for name, bounds in edges.items():
            values = self.table.column(name).drop_null().to_numpy().astype("float64", copy=False)
            bins = np.searchsorted(np.asarray(bounds, dtype="float64"), values, side="right")
            counts[name] = np.bincount(bins, minlength=len(bounds) + 1).tolist()
        return counts

    def mixed_columns(self) -> list[MixedColumn]:
        return [m for c in self.columns if c.kind == Kind.STRING for m in [self._mixed(c.name)] if m]

    def _mixed(self, name: str) -> MixedColumn | None:
        import pyarrow.compute as pc

        column = self.table.column(name).drop_null()
        probe = column.slice(0, MIXED_PROBE_ROWS)
        if len(probe) == 0 or pc.sum(pc.match_substring_regex(probe, NUMBER_PATTERN)).as_py() * 2 < len(probe):
            return None  # mostly text: a text column, not a numeric one with stray values
        is_number = pc.match_substring_regex(column, NUMBER_PATTERN)
        numeric = int(pc.sum(is_number).as_py() or 0)
        if numeric == len(column):
            return None
        others = column.filter(pc.invert(is_number)).slice(0, 50)
        samples = tuple(dict.fromkeys(_text(v) for v in others.to_pylist()))[:MIXED_SAMPLES]
        return MixedColumn(name, numeric, len(column) - numeric, samples)

    def to_pandas(self) -> Any:
        return self.table.to_pandas(split_blocks=True)


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)
