"""DAT001: every declared dataset passes its Great Expectations suite, validated by GX 1.x itself.

Registered by checker.checks.data. Expectations are checked twice before anything runs: by readiness
(checker.data.expectation_safety: the type allowlist, plain-data arguments, nothing evaluated or fetched),
then by GX (invalid arguments). Either makes the rule `error` with the file and line of the problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checker.checks.base import CheckContext, Outcome, Params
from checker.data.sources import DatasetError
from checker.data.suites import ExpectationSpec, Suite, SuiteError, datasets_with_keys, declared_suites
from checker.model import Finding, Status

if TYPE_CHECKING:
    from types import ModuleType

    from checker.data.gx import ExpectationResult


def dataset_suites(ctx: CheckContext, params: Params) -> Outcome:
    try:
        suites = declared_suites(ctx.index, datasets_with_keys(ctx.config.data))
    except SuiteError as exc:  # refused before GX is imported: fail closed
        return _error(str(exc), *(Finding(message=message, path=exc.path, line=line) for line, message in exc.problems))
    if not suites:
        return Outcome.skipped("no expectation suite declared (data.<dataset>.suite or .expectations in readiness.yaml)")
    from checker.data.gx import SuiteProblem, context, import_gx
    from checker.data.session import DataSession

    gx = import_gx()
    session = DataSession.of(ctx)
    if session.gx_context is None:  # GX adds expectations to suites only with an active context
        session.gx_context = context(gx)
    try:
        built = [_build(gx, suite) for suite in suites]
    except SuiteProblem as exc:
        findings = [Finding(message=message, path=spec.path, line=spec.line) for spec, message in exc.problems]
        return _error(f"the suite cannot run as written: {exc}", *findings)
    return _validate_all(ctx, suites, built)


def _build(gx: ModuleType, suite: Suite) -> Any:
    from checker.data.gx import build_suite

    return build_suite(gx, suite)


def _validate_all(ctx: CheckContext, suites: list[Suite], built: list[Any]) -> Outcome:
    from checker.checks.data import load_frame, unusable
    from checker.data import gx as gx_run
    from checker.data.progress import working
    from checker.data.session import DataSession
    from checker.data.spark_engine import SparkUnavailable

    session = DataSession.of(ctx)
    findings: list[Finding] = []
    checked = 0
    for suite, gx_suite in zip(suites, built):
        try:
            frame = load_frame(ctx, suite.dataset)
        except (DatasetError, SparkUnavailable) as exc:
            return unusable(exc)
        data = frame.to_spark() if session.engine == "spark" else frame.to_pandas()  # type: ignore[attr-defined]
        with working(f"validating {suite.dataset.path} against {suite.name}"):
            results = gx_run.validate(session.gx_context, session.engine, suite.dataset.path, data, gx_suite, suite.expectations)
        del data  # a pandas copy of a large dataset: free it before the next one
        findings += [_finding(suite, r) for r in results if not r.success]
        checked += len(results)
    names = ", ".join(s.dataset.path for s in suites)
    return Outcome.from_findings(findings, f"{checked} expectations hold on {names}", "{count} expectations failed")


def _finding(suite: Suite, result: ExpectationResult) -> Finding:
    spec = result.spec
    message = f"{suite.dataset.path}: {describe(spec)} failed: {result.summary}"
    column = spec.kwargs.get("column", "")
    return Finding(message=message, path=spec.path or suite.dataset.path, line=spec.line,
                   locator=f"{suite.dataset.path}:{spec.type}:{column}")  # fmt: skip


def describe(spec: ExpectationSpec) -> str:
    """`expect_column_values_to_be_between(amount, min_value=0, max_value=50000)`: short and readable."""
    args = [str(spec.kwargs["column"])] if "column" in spec.kwargs else []
    args += [f"{k}={_short(v)}" for k, v in spec.kwargs.items() if k not in ("column", "result_format", "catch_exceptions")]
    return f"{spec.type}({', '.join(args)})"


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(message: str, *findings: Finding) -> Outcome:
    return Outcome(status=Status.ERROR, message=message, findings=findings)
