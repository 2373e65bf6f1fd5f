"""The engine-neutral view of one loaded dataset that every data rule works with.

A `Frame` answers the few aggregate questions the comparisons need (null counts, value counts, quantiles,
histograms) with vectorised column operations on its engine; the rules compare the small answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Kind(StrEnum):
    """A column's logical type, the level at which types are compared."""

    INTEGER = "integer"
    FLOAT = "float"
    STRING = "string"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    BINARY = "binary"
    NULL = "null"  # every value missing: no type to judge
    OTHER = "other"

    @property
    def numeric(self) -> bool:
        return self in (Kind.INTEGER, Kind.FLOAT)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    type_name: str  # the engine's own name (int64, double, string…), shown to users


@dataclass(frozen=True)
class MixedColumn:
    """A text column whose values are mostly numbers: some rows hold something else."""

    name: str
    numeric: int
    other: int
    samples: tuple[str, ...]


class Frame(Protocol):
    label: str  # the dataset as the config names it
    columns: tuple[Column, ...]
    rows: int

    def null_counts(self) -> dict[str, int]: ...

    def distinct_counts(self, names: Sequence[str]) -> dict[str, int]: ...

    def value_counts(self, names: Sequence[str]) -> dict[str, dict[str, int]]:
        """Non-null values (as text) and how often each occurs, per column."""
        ...

    def quantiles(self, names: Sequence[str], probs: Sequence[float]) -> dict[str, list[float]]: ...

    def bin_counts(self, edges: dict[str, list[float]]) -> dict[str, list[int]]:
        """Non-null values per bin: bin i holds edges[i-1] <= x < edges[i] (open-ended at both ends)."""
        ...

    def mixed_columns(self) -> list[MixedColumn]: ...


def column_map(frame: Frame) -> dict[str, Column]:
    return {c.name: c for c in frame.columns}
