"""DAT001's engine: a suite validated by Great Expectations 1.x itself, its failures turned into findings.

GX is imported here only, on first use: with usage statistics off (the variable must be set before the
import), its loggers quietened and its progress bars disabled, so a run prints nothing of GX's own.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from checker.data.expectation_safety import refusals
from checker.data.suites import ExpectationSpec, Suite

PARTIAL_UNEXPECTED = 5
INDEX_KEY = "readiness_index"  # carried in each expectation's meta: GX returns results in its own order
_sources = itertools.count(1)


@dataclass(frozen=True)
class ExpectationResult:
    spec: ExpectationSpec
    success: bool
    summary: str  # observed value / unexpected values, or why it could not run


class SuiteProblem(Exception):
    """The suite cannot run as written (unknown expectation, invalid arguments): every problem at once."""

    def __init__(self, problems: list[tuple[ExpectationSpec, str]]) -> None:
        super().__init__("; ".join(f"{spec.where}: {message}" for spec, message in problems))
        self.problems = problems


def import_gx() -> ModuleType:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with _main_module_with_file(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyspark's and GX's import-time warnings are not the user's concern
        import great_expectations

    for name in ("great_expectations", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return great_expectations


@contextmanager
def _main_module_with_file() -> Iterator[None]:
    """Import GX safely from a `__main__` without a file (`python -c`, pytest-xdist workers).

    GX probes pyspark's Spark Connect module, which calls sys.exit(0) on import when it believes it runs
    doctests (a file-less __main__) and grpc is missing. A placeholder `__file__` avoids that exit.
    """
    main = sys.modules.get("__main__")
    patch = main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
    if patch:
        main.__file__ = "<readiness>"  # type: ignore[union-attr]
    try:
        yield
    finally:
        if patch:
            del main.__file__  # type: ignore[union-attr]


def build_suite(gx: ModuleType, suite: Suite) -> Any:
    """The GX ExpectationSuite; raises SuiteProblem naming every expectation that readiness refuses or GX rejects."""
    # Suites are checked where they are declared; again here, so no other path hands GX a refused one.
    refused = [(spec, r.message) for spec in suite.expectations for r in refusals(spec.type, spec.kwargs, spec.meta)]
    if refused:
        raise SuiteProblem(refused)
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    built = gx.ExpectationSuite(name=suite.name)
    problems = []
    for i, spec in enumerate(suite.expectations):
        try:
            config = ExpectationConfiguration(type=spec.type, kwargs=spec.kwargs, meta={**spec.meta, INDEX_KEY: i})
            built.add_expectation(config.to_domain_obj())
        except Exception as exc:  # noqa: BLE001 - GX raises its own and pydantic v1 errors for bad input
            problems.append((spec, _rejection(spec, exc)))
    if problems:
        raise SuiteProblem(problems)
    return built


def _rejection(spec: ExpectationSpec, exc: Exception) -> str:
    if type(exc).__name__ == "ExpectationNotFoundError":
        return f"unknown Great Expectations expectation {spec.type!r}"
    errors = getattr(exc, "errors", None)
    if callable(errors):
        by_field: dict[str, str] = {}
        for err in errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
            by_field.setdefault(where, err.get("msg", ""))
        detail = "; ".join(f"{k}: {v}" if k else v for k, v in by_field.items())
        return f"invalid arguments for {spec.type}: {detail}"
    return f"invalid expectation {spec.type}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def context(gx: ModuleType) -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


def validate(ctx: Any, engine: str, asset_name: str, data: Any, suite: Any, specs: tuple[ExpectationSpec, ...]) -> list[ExpectationResult]:
    """Validate `data` (a pandas or Spark DataFrame) against `suite` through a whole-dataframe batch."""
    source_name = f"readiness-{engine}-{next(_sources)}"  # names are unique within the run's context
    source = ctx.data_sources.add_spark(source_name) if engine == "spark" else ctx.data_sources.add_pandas(source_name)
    asset = source.add_dataframe_asset(asset_name)
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": data})
    result = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL_UNEXPECTED})
    ordered = sorted(result.results, key=lambda raw: int(raw.expectation_config.meta[INDEX_KEY]))
    return [_result(raw, specs[int(raw.expectation_config.meta[INDEX_KEY])]) for raw in ordered]


def _result(raw: Any, spec: ExpectationSpec) -> ExpectationResult:
    error = _exception_message(raw.exception_info)
    if error:
        return ExpectationResult(spec, False, f"could not be evaluated: {error}")
    return ExpectationResult(spec, bool(raw.success), _summary(raw.result or {}))


def _exception_message(info: Any) -> str | None:
    """GX reports a raised exception flat, or keyed by the metric that raised it."""
    if not isinstance(info, dict):
        return None
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for entry in entries:
        if entry.get("raised_exception"):
            text = str(entry.get("exception_message") or "an exception in Great Expectations")
            return text.replace("Error: ", "", 1).splitlines()[0]
    return None


def _summary(result: dict[str, Any]) -> str:
    parts = []
    mismatched = (result.get("details") or {}).get("mismatched")
    if isinstance(mismatched, dict) and any(mismatched.values()):
        parts += [f"{key} {_short(value)}" for key, value in mismatched.items() if value]
    elif "observed_value" in result:
        parts.append(f"observed {_short(result['observed_value'])}")
    if result.get("unexpected_count"):
        total = result.get("element_count")
        share = result.get("unexpected_percent")
        of = f" of {total}" if total is not None else ""
        pct = f" ({share:.1f}%)" if isinstance(share, (int, float)) and math.isfinite(share) else ""
        parts.append(f"{result['unexpected_count']}{of} values unexpected{pct}")
    samples = _samples(result.get("partial_unexpected_list") or [])
    if samples:
        parts.append(f"e.g. {samples}")
    return ", ".join(parts) or "failed"


def _samples(values: list[Any]) -> str:
    """Distinct unexpected values; missing ones (None, NaN) say nothing a null-count does not."""
    shown = dict.fromkeys(_short(v) for v in values if not _missing(v))
    return ", ".join(list(shown)[:PARTIAL_UNEXPECTED])


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "undefined (no values to compute it from)"  # e.g. the mean of an empty column: never `nan`
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
