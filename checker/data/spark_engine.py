"""`data.engine: spark`: the same aggregates as the pyarrow engine, computed on Spark DataFrames.

Each aggregate is one Spark job over all the columns it needs, so data that outgrows one machine is
scanned a handful of times, where it lives. The session is the active one, or a new one configured by the
environment (spark-submit, spark-defaults.conf); without any configuration Spark runs locally.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from checker.data import preflight
from checker.data.frame import Column, Kind, MixedColumn
from checker.data.preflight import DataLimits
from checker.data.sources import DatasetError, DatasetFiles

NUMBER_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
MAX_DISTINCT_COLLECTED = 100_000  # value counts beyond this many distinct values are not collected


class SparkUnavailable(Exception):
    """pyspark or Java is missing: the data rules report it instead of crashing."""


def session() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("data.engine is spark but pyspark is not installed: pip install 'readiness-checker[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("readiness").config("spark.ui.enabled", "false")
    try:
        spark = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
    except Exception as exc:  # noqa: BLE001 - Java missing or misconfigured: a message, not a traceback
        raise SparkUnavailable(f"cannot start a Spark session (is Java 17+ installed?): {_first_line(exc)}") from None
    spark.sparkContext.setLogLevel("ERROR")
    if (spark.sparkContext.master or "").startswith("local"):
        # 200 shuffle partitions (the cluster default) make every aggregate slow on one machine.
        spark.conf.set("spark.sql.shuffle.partitions", str(max(2, os.cpu_count() or 2)))
    return spark


def load(root: Path, files: DatasetFiles, limits: DataLimits) -> SparkFrame:
    _check_limits(root.resolve(), files, limits)
    spark = session()
    paths = [str(p) for p in files.files]
    try:
        if files.format == "csv":
            df = spark.read.csv(paths, header=True, inferSchema=True, mode="FAILFAST")
        else:
            df = spark.read.parquet(*paths)
        df = df.cache()
        rows = df.count()
    except Exception as exc:  # noqa: BLE001 - Spark raises Py4J and analysis errors for unreadable data
        raise DatasetError(files.label, f"Spark cannot read it: {_first_line(exc)}") from None
    if not df.columns:
        raise DatasetError(files.label, "the dataset has no columns")
    if rows > limits.max_rows:
        df.unpersist()
        raise limits.too_many_rows(files.label, rows)
    return SparkFrame(files.label, df, rows)


def _check_limits(root: Path, files: DatasetFiles, limits: DataLimits) -> None:
    """What is cheap before Spark reads anything: Parquet footers, and the size of plain CSV files (compressed
    ones are judged by their row count once Spark has counted them; a text scan would cost a pass)."""
    if files.format == "parquet":
        preflight.check_parquet(root, files, limits)
        return
    for part in files.files:  # Spark, like pyarrow, slows with every column: a 200,000-column header is refused
        label = preflight.shown(root, part)
        try:
            limits.check_columns(label, preflight.header_fields(label, part), line=1)
        except (OSError, EOFError, ValueError) as exc:  # corrupt compressed data
            raise DatasetError(label, f"not a readable CSV file: {preflight.first_line(exc)}") from None
    plain = [p for p in files.files if not p.name.lower().endswith((".gz", ".bz2"))]
    size = sum(p.stat().st_size for p in plain)
    if size > limits.max_bytes:
        raise limits.too_large(files.label, f"the dataset holds {size / preflight.MB:,.1f} MB of CSV text")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def kind_of(data_type: Any) -> Kind:
    from pyspark.sql import types as t

    table = [
        (t.NullType, Kind.NULL), (t.BooleanType, Kind.BOOLEAN), (t.ByteType, Kind.INTEGER),
        (t.ShortType, Kind.INTEGER), (t.IntegerType, Kind.INTEGER), (t.LongType, Kind.INTEGER),
        (t.FloatType, Kind.FLOAT), (t.DoubleType, Kind.FLOAT), (t.DecimalType, Kind.FLOAT),
        (t.StringType, Kind.STRING), (t.TimestampType, Kind.DATETIME), (t.DateType, Kind.DATETIME),
        (t.BinaryType, Kind.BINARY),
    ]  # fmt: skip
    return next((kind for cls, kind in table if isinstance(data_type, cls)), Kind.OTHER)


class SparkFrame:
    """A dataset held as a cached Spark DataFrame."""

    def __init__(self, label: str, df: Any, rows: int) -> None:
        self.label = label
        self.df = df
        self.rows = rows
        self.columns = tuple(Column(f.name, kind_of(f.dataType), f.dataType.simpleString()) for f in df.schema.fields)

    def _agg(self, expressions: dict[str, Any]) -> dict[str, Any]:
        if not expressions:
            return {}
        row = self.df.agg(*[expr.alias(alias) for alias, expr in expressions.items()]).collect()[0]
        return {alias: row[alias] for alias in expressions}

    def null_counts(self) -> dict[str, int]:
        from pyspark.sql import functions as F

        names = [c.name for c in self.columns]
        found = self._agg({f"n{i}": F.count(F.when(F.col(_q(n)).isNull(), 1)) for i, n in enumerate(names)})
        return {n: int(found[f"n{i}"]) for i, n in enumerate(names)}

    def distinct_counts(self, names: Sequence[str]) -> dict[str, int]:
        from pyspark.sql import functions as F

        found = self._agg({f"d{i}": F.countDistinct(F.col(_q(n))) for i, n in enumerate(names)})
        return {n: int(found[f"d{i}"]) for i, n in enumerate(names)}

    def value_counts(self, names: Sequence[str]) -> dict[str, dict[str, int]]:
        from pyspark.sql import functions as F

        counts = {}
        for name in names:
            column = F.col(_q(name))
            rows = self.df.where(column.isNotNull()).groupBy(column).count().limit(MAX_DISTINCT_COLLECTED).collect()
            counts[name] = {_text(row[0]): int(row[1]) for row in rows}
        return counts

    def quantiles(self, names: Sequence[str], probs: Sequence[float]) -> dict[str, list[float]]:
        if not names:
            return {}
        # relativeError 0 gives exact observed values, as the pyarrow engine's "lower" interpolation does.
        found = self.df.approxQuantile([_q(n) for n in names], list(probs), 0.0)
        return {name: [float(v) for v in values] for name, values in zip(names, found)}

    def bin_counts(self, edges: dict[str, list[float]]) -> dict[str, list[int]]:
        from pyspark.sql import functions as F

        # Values below each edge, counted for every column and edge in one pass; bins are the differences.
        below = {f"b{i}_{j}": F.count(F.when(F.col(_q(n)) < F.lit(e), 1)) for i, (n, es) in enumerate(edges.items()) for j, e in enumerate(es)}
        totals = {f"t{i}": F.count(F.col(_q(n))) for i, n in enumerate(edges)}
        found = self._agg({**below, **totals})
        counts = {}
        for i, (name, bounds) in enumerate(edges.items()):
            cumulative = [int(found[f"b{i}_{j}"]) for j in range(len(bounds))] + [int(found[f"t{i}"])]
            counts[name] = [hi - lo for lo, hi in zip([0, *cumulative[:-1]], cumulative)]
        return counts

    def mixed_columns(self) -> list[MixedColumn]:
        from pyspark.sql import functions as F

        texts = [c.name for c in self.columns if c.kind == Kind.STRING]
        found = self._agg(
            {**{f"m{i}": F.count(F.when(F.col(_q(n)).rlike(NUMBER_PATTERN), 1)) for i, n in enumerate(texts)},
             **{f"a{i}": F.count(F.col(_q(n))) for i, n in enumerate(texts)}}
        )  # fmt: skip
        mixed = []
        for i, name in enumerate(texts):
            numeric, total = int(found[f"m{i}"]), int(found[f"a{i}"])
            if 0 < total and total * 0.5 <= numeric < total:
                mixed.append(MixedColumn(name, numeric, total - numeric, self._non_numeric_samples(name)))
        return mixed

    def _non_numeric_samples(self, name: str) -> tuple[str, ...]:
        from pyspark.sql import functions as F

        column = F.col(_q(name))
        rows = self.df.where(column.isNotNull() & ~column.rlike(NUMBER_PATTERN)).select(column).limit(50).collect()
        return tuple(dict.fromkeys(_text(r[0]) for r in rows))[:3]

    def to_spark(self) -> Any:
        return self.df


def _q(name: str) -> str:
    """A column name quoted for Spark, which would otherwise read dots as struct fields."""
    return "`" + name.replace("`", "``") + "`"


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)
