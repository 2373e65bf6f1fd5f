"""Load-test results as the tools write them: k6 `--summary-export` JSON (and the `handleSummary` data
form, which nests each metric's figures under `values`) and Locust `--csv` `<prefix>_stats.csv`.

Only the two figures the SLOs speak about are read: p95 request latency (ms) and throughput (requests/s).
"""

from __future__ import annotations

import csv
import io
import math
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.project.index import InputError
from checker.yamlpos import PathPart, position_of

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex

K6_LATENCY = ("metrics", "http_req_duration")
K6_REQUESTS = ("metrics", "http_reqs")
LOCUST_TOTAL_NAMES = ("Aggregated", "Total")  # "Total" in Locust < 1.0


@dataclass(frozen=True)
class Measurement:
    value: float
    line: int | None


@dataclass(frozen=True)
class LoadTestResult:
    path: str
    tool: str  # "k6" or "Locust"
    p95_ms: Measurement | None = None
    rps: Measurement | None = None
    problem: str | None = None  # why the file could not be read as evidence
    problem_line: int | None = None


def discover(index: ProjectIndex) -> list[str]:
    """Load-test result files of the project: Locust stats CSVs by name, k6 summaries by content."""
    own = [p for p in index.files if index.in_scope(p)]  # a load test under tests/ is evidence once configured
    found = [p for p in own if _is_locust_stats(p)]
    for path in (p for p in own if p.lower().endswith(".json")):
        try:
            text = index.text(path)
        except InputError:
            continue
        if '"http_req_duration"' in text and '"metrics"' in text and read(index, path).problem is None:
            found.append(path)
    return sorted(found)


def _is_locust_stats(path: str) -> bool:
    return posixpath.basename(path).endswith("_stats.csv")


def read(index: ProjectIndex, path: str) -> LoadTestResult:
    if _is_locust_stats(path) or path.lower().endswith(".csv"):
        return _read_locust(index, path)
    return _read_k6(index, path)


# --- k6 -------------------------------------------------------------------------------------------


def _read_k6(index: ProjectIndex, path: str) -> LoadTestResult:
    try:
        doc = index.json(path)
    except InputError as exc:
        return LoadTestResult(path, "k6", problem=exc.problem.message, problem_line=exc.problem.line)
    metrics = doc.get("metrics") if isinstance(doc, dict) else None
    if not isinstance(metrics, dict) or not isinstance(metrics.get("http_req_duration"), dict):
        return LoadTestResult(path, "k6", problem="not a k6 summary (no metrics.http_req_duration)")
    try:
        p95, rps = _k6_figure(doc, K6_LATENCY, "p(95)"), _k6_figure(doc, K6_REQUESTS, "rate")
    except _NotFinite as exc:
        return LoadTestResult(path, "k6", problem=exc.message, problem_line=exc.line)
    return LoadTestResult(path, "k6", p95_ms=p95, rps=rps)


class _NotFinite(Exception):
    """A figure written as NaN or Infinity (not JSON; never written by k6 or Locust): a damaged file."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


NON_FINITE_TEXT = frozenset({"nan", "-nan", "inf", "-inf", "infinity", "-infinity", "+inf", "+infinity"})


def _k6_figure(doc: Any, metric: tuple[str, ...], stat: str) -> Measurement | None:
    for path in ((*metric, stat), (*metric, "values", stat)):  # --summary-export, then handleSummary data
        value = _get(doc, path)
        if _is_number(value):
            return Measurement(float(value), _line(doc, path))
        if _non_finite(value):
            # The positioned reader sees `NaN` as text, the plain JSON reader as a float: both are refused.
            name = ".".join(path[1:])
            raise _NotFinite(f"{name} is {value}, not a finite number", _line(doc, path))
    return None


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, str) and value.strip().lower() in NON_FINITE_TEXT


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def _line(doc: Any, path: tuple[PathPart, ...]) -> int | None:
    pos = position_of(doc, path)
    return pos[0] if pos else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# --- Locust ---------------------------------------------------------------------------------------


def _read_locust(index: ProjectIndex, path: str) -> LoadTestResult:
    try:
        text = index.text(path)
    except InputError as exc:
        return LoadTestResult(path, "Locust", problem=exc.problem.message, problem_line=exc.problem.line)
    # strict: an unbalanced quote is an error, not a field that swallows the rest of the file.
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        for row in reader:
            if row.get("Name") in LOCUST_TOTAL_NAMES:
                return _locust_totals(path, row, reader)
    except csv.Error as exc:
        start = reader.line_num + 1  # lines of complete rows are counted; the broken one starts after them
        return LoadTestResult(path, "Locust", problem=f"not a readable CSV (row from line {start}): {exc}", problem_line=start)
    except _NotFinite as exc:
        return LoadTestResult(path, "Locust", problem=exc.message, problem_line=exc.line)
    if "Requests/s" not in (reader.fieldnames or []):
        return LoadTestResult(path, "Locust", problem="not a Locust stats CSV (no `Requests/s` column)")
    return LoadTestResult(
        path, "Locust", problem="no `Aggregated` row (was the test stopped before any request?)"
    )


def _locust_totals(path: str, row: dict[Any, Any], reader: csv.DictReader[str]) -> LoadTestResult:
    line = reader.line_num
    found = len(reader.fieldnames or []) + len(row.get(None) or []) - sum(v is None for v in row.values())
    if None in row or None in row.values():  # DictReader's markers for extra and missing fields
        return LoadTestResult(path, "Locust", problem=f"line {line}: {found} fields, but the header has "
                              f"{len(reader.fieldnames or [])}", problem_line=line)  # fmt: skip
    return LoadTestResult(path, "Locust", p95_ms=_cell(row, "95%", line), rps=_cell(row, "Requests/s", line))


def _cell(row: dict[str, Any], column: str, line: int) -> Measurement | None:
    """A numeric cell; Locust writes `N/A` for percentiles of a run without requests."""
    raw = row.get(column) or ""
    if _non_finite(raw):
        raise _NotFinite(f"line {line}: {column} is {raw.strip()}, not a finite number", line)
    try:
        value = float(raw)
    except ValueError:
        return None
    return Measurement(value, line)
