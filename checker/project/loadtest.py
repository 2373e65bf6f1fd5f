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


def discover(index: ProjectIndex) -> list[str]:
    """Load-test result files of the project: Locust stats CSVs by name, k6 summaries by content."""
    found = [p for p in index.files if _is_locust_stats(p)]
    for path in (p for p in index.files if p.lower().endswith(".json")):
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
        return LoadTestResult(path, "k6", problem=exc.problem.message)
    metrics = doc.get("metrics") if isinstance(doc, dict) else None
    if not isinstance(metrics, dict) or not isinstance(metrics.get("http_req_duration"), dict):
        return LoadTestResult(path, "k6", problem="not a k6 summary (no metrics.http_req_duration)")
    return LoadTestResult(
        path, "k6", p95_ms=_k6_figure(doc, K6_LATENCY, "p(95)"), rps=_k6_figure(doc, K6_REQUESTS, "rate")
    )


def _k6_figure(doc: Any, metric: tuple[str, ...], stat: str) -> Measurement | None:
    for path in ((*metric, stat), (*metric, "values", stat)):  # --summary-export, then handleSummary data
        value = _get(doc, path)
        if _is_number(value):
            return Measurement(float(value), _line(doc, path))
    return None


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
        return LoadTestResult(path, "Locust", problem=exc.problem.message)
    reader = csv.DictReader(io.StringIO(text))
    try:
        for row in reader:
            if row.get("Name") in LOCUST_TOTAL_NAMES:
                line = reader.line_num
                return LoadTestResult(
                    path, "Locust", p95_ms=_cell(row, "95%", line), rps=_cell(row, "Requests/s", line)
                )
    except csv.Error as exc:
        return LoadTestResult(path, "Locust", problem=f"not a readable CSV (line {reader.line_num}): {exc}")
    if "Requests/s" not in (reader.fieldnames or []):
        return LoadTestResult(path, "Locust", problem="not a Locust stats CSV (no `Requests/s` column)")
    return LoadTestResult(
        path, "Locust", problem="no `Aggregated` row (was the test stopped before any request?)"
    )


def _cell(row: dict[str, Any], column: str, line: int) -> Measurement | None:
    """A numeric cell; Locust writes `N/A` for percentiles of a run without requests."""
    try:
        value = float(row.get(column) or "nan")
    except ValueError:
        return None
    return Measurement(value, line) if math.isfinite(value) else None
