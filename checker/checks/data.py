"""Data compatibility (DAT001–DAT007): the project's datasets against their suites, each other and the model.

Datasets come from `data:` in the config and are read once per run (checker.data.session). DAT001 runs GX
suites through Great Expectations; DAT002–DAT007 are vectorised comparisons (checker.data.compare).
DAT004–DAT007 judge a serving column only on enough rows (`min_rows`) and say which they left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import Field

from checker.checks.base import CheckContext, NoParams, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.checks.sample_size import SampleGuard
from checker.data import compare
from checker.data.sources import DatasetError
from checker.model import Finding, Status

if TYPE_CHECKING:
    from checker.config import DatasetConfig
    from checker.data.frame import Frame

DATA_INPUTS = ("dataset", "mlmodel", "json")
NEEDS_BOTH = "no reference and serving datasets configured (data.reference and data.serving in readiness.yaml)"



class SampleParams(Params):
    min_rows: int = Field(default=50, ge=1, description="fewest non-null serving rows a column needs to be judged")


class UnseenParams(SampleParams):
    max_unseen_rate: float = Field(default=0.05, ge=0, le=1, description="largest share of serving values unseen in the reference")


class NullRateParams(SampleParams):
    max_null_increase: float = Field(default=0.05, ge=0, le=1, description="allowed rise of a column's null rate (absolute)")


class DriftParams(SampleParams):
    max_psi: float = Field(default=0.2, gt=0, description="largest population stability index per numeric column")
    bins: int = Field(default=10, ge=2, le=100, description="quantile bins of the reference")


class CategoryDriftParams(SampleParams):
    max_psi: float = Field(default=0.2, gt=0, description="largest population stability index per categorical column")


# Datasets that outgrow one machine run on Spark: reading and validating them takes far longer than a manifest.
DATA_TIME_BUDGET_S = 1800.0


def register(registry: Registry) -> None:
    from checker.checks import data_suites

    check_type(registry, "dataset_suites", NoParams, "every declared dataset passes its Great Expectations suite",
               inputs=(*DATA_INPUTS, "config"), time_budget_s=DATA_TIME_BUDGET_S)(data_suites.dataset_suites)  # fmt: skip
    check_type(registry, "dataset_schema", NoParams, "the serving sample has the reference columns with compatible types",
               inputs=DATA_INPUTS, time_budget_s=DATA_TIME_BUDGET_S)(dataset_schema)  # fmt: skip
    check_type(registry, "dataset_signature", NoParams, "the serving sample satisfies the MLmodel input signature",
               inputs=DATA_INPUTS, time_budget_s=DATA_TIME_BUDGET_S)(dataset_signature)  # fmt: skip
    check_type(registry, "categorical_domain", UnseenParams, "categorical serving values stay within the reference domain",
               inputs=DATA_INPUTS, time_budget_s=DATA_TIME_BUDGET_S)(categorical_domain)  # fmt: skip
    check_type(registry, "null_rate", NullRateParams, "null rates do not exceed the reference rate plus a tolerance",
               inputs=DATA_INPUTS, time_budget_s=DATA_TIME_BUDGET_S)(null_rate)  # fmt: skip
    check_type(registry, "numeric_drift", DriftParams, "numeric columns have not drifted (PSI per column)",
               inputs=DATA_INPUTS, time_budget_s=DATA_TIME_BUDGET_S)(numeric_drift)  # fmt: skip
    check_type(registry, "categorical_drift", CategoryDriftParams, "categorical columns have not drifted (PSI over categories)",
               inputs=DATA_INPUTS, time_budget_s=DATA_TIME_BUDGET_S)(categorical_drift)  # fmt: skip


# --- shared plumbing ----------------------------------------------------------------------------------


def unusable(exc: Exception) -> Outcome:
    """A dataset that cannot be read (or an engine that cannot start): `error`, naming the file."""
    path, line = (exc.path, exc.line) if isinstance(exc, DatasetError) else (None, None)
    return Outcome(status=Status.ERROR, message=str(exc), findings=(Finding(message=str(exc), path=path, line=line),))


def load_frame(ctx: CheckContext, dataset: DatasetConfig) -> Frame:
    from checker.data.session import DataSession

    return DataSession.of(ctx).frame(dataset)


def _compare(ctx: CheckContext, judge: Callable[[Frame, Frame], list[Finding]], passed: str, failed: str) -> Outcome:
    from checker.data.spark_engine import SparkUnavailable

    data = ctx.config.data
    if data.reference is None or not data.serving_sets:
        return Outcome.skipped(NEEDS_BOTH)
    try:
        reference = load_frame(ctx, data.reference)
        servings = [load_frame(ctx, s) for s in data.serving_sets]
    except (DatasetError, SparkUnavailable) as exc:
        return unusable(exc)
    findings = [f for serving in servings for f in judge(reference, serving)]
    names = ", ".join(s.label for s in servings)
    return Outcome.from_findings(findings, passed.format(serving=names, reference=reference.label), failed)


def chosen_categorical(ctx: CheckContext, reference: Frame) -> tuple[list[str], list[Finding]]:
    """The categorical columns (`data.categorical`, else inferred) and a finding for each configured one the
    reference does not have."""
    configured = ctx.config.data.categorical
    known = {c.name for c in reference.columns}
    if configured is None:
        return compare.inferred_categorical(reference), []
    absent = [Finding(message=f"{reference.label}: data.categorical names column {c!r}, which it does not have",
                      path=reference.label, locator=f"{reference.label}:{c}:absent")
              for c in configured if c not in known]  # fmt: skip
    return [c for c in configured if c in known], absent


def _signature_models(ctx: CheckContext) -> list[Any]:
    """Loadable MLmodel files (configured, else discovered); unreadable ones are VER003's to report."""
    return _read_models(ctx)[0]


def _read_models(ctx: CheckContext) -> tuple[list[Any], list[Finding]]:
    from checker.project import mlmodel

    return mlmodel.load_discovered(ctx.index, ctx.config)


# --- DAT002 ------------------------------------------------------------------------------------------


def dataset_schema(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    outputs = {f.name for m in _signature_models(ctx) for f in m.outputs if f.name}
    excluded = set(ctx.config.data.target) | outputs

    reported: set[str] = set()

    def judge(reference: Frame, serving: Frame) -> list[Finding]:
        # The reference is compared with every serving set; its own mixed columns are reported once.
        mixed = [] if reference.label in reported else compare.mixed_type_findings(reference)
        reported.add(reference.label)
        return mixed + compare.schema_findings(reference, serving, excluded) + compare.mixed_type_findings(serving)

    return _compare(ctx, judge, "{serving} has every column of {reference} with a compatible type",
                    "{count} missing, retyped or mixed-type columns")  # fmt: skip


# --- DAT003 ------------------------------------------------------------------------------------------


def dataset_signature(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    from checker.data.spark_engine import SparkUnavailable

    if not ctx.config.data.serving_sets:
        return Outcome.skipped("no serving dataset configured (data.serving in readiness.yaml)")
    loaded, problems = _read_models(ctx)
    if problems:  # a broken MLmodel must not read as "no signature to check"
        return Outcome(status=Status.ERROR, message=problems[0].message, findings=tuple(problems))
    models = [m for m in loaded if m.inputs]
    columns = [m for m in models if all(f.kind == "column" and f.name for f in m.inputs)]
    if not columns:
        return Outcome.skipped("no MLmodel with a column-based input signature" if not models else
                               "the MLmodel input signature is tensor-based: no columns to compare")  # fmt: skip
    try:
        servings = [load_frame(ctx, s) for s in ctx.config.data.serving_sets]
    except (DatasetError, SparkUnavailable) as exc:
        return unusable(exc)
    findings = []
    for model in columns:
        inputs = [compare.SignatureInput(f.name, f.type, f.required) for f in model.inputs]
        findings += [f for serving in servings for f in compare.signature_findings(serving, inputs, model.path)]
    names = ", ".join(s.label for s in servings)
    count = sum(len(m.inputs) for m in columns)
    return Outcome.from_findings(findings, f"{names} provides all {count} signature inputs with compatible types",
                                 "{count} signature inputs missing or mistyped")  # fmt: skip


# --- DAT004 ------------------------------------------------------------------------------------------


def categorical_domain(ctx: CheckContext, params: UnseenParams) -> Outcome:  # type: ignore[override]
    chosen: list[str] = []
    guard = SampleGuard(params.min_rows)

    def judge(reference: Frame, serving: Frame) -> list[Finding]:
        nonlocal chosen
        chosen, absent = chosen_categorical(ctx, reference)
        return absent + compare.unseen_findings(reference, serving, guard.columns(serving, chosen), params.max_unseen_rate)

    outcome = _compare(ctx, judge, "categorical values of {serving} stay within {reference}",
                       "{count} categorical columns with unseen values")  # fmt: skip
    if outcome.status == Status.PASS and not chosen:
        return Outcome.skipped("no categorical columns (none configured in data.categorical, none inferred)")
    if outcome.status == Status.PASS:
        outcome = Outcome.passed(f"{outcome.message} ({', '.join(chosen)}; unseen ≤ {params.max_unseen_rate:.1%})")
    return guard.applied(outcome, "categorical column")


# --- DAT005 ------------------------------------------------------------------------------------------


def null_rate(ctx: CheckContext, params: NullRateParams) -> Outcome:  # type: ignore[override]
    guard = SampleGuard(params.min_rows)

    def judge(reference: Frame, serving: Frame) -> list[Finding]:
        return compare.null_rate_findings(reference, serving, params.max_null_increase) if guard.sample(serving) else []

    outcome = _compare(ctx, judge, f"null rates of {{serving}} are within +{params.max_null_increase:.1%} of {{reference}}",
                       "{count} columns with more missing values")  # fmt: skip
    return guard.applied(outcome, "column")


# --- DAT006 ------------------------------------------------------------------------------------------


def numeric_drift(ctx: CheckContext, params: DriftParams) -> Outcome:  # type: ignore[override]
    compared = 0
    guard = SampleGuard(params.min_rows)

    def judge(reference: Frame, serving: Frame) -> list[Finding]:
        nonlocal compared
        numeric = guard.columns(serving, compare.numeric_shared(reference, serving))
        findings, count = compare.drift_findings(reference, serving, numeric, params.max_psi, params.bins)
        compared += count
        return findings

    outcome = _compare(ctx, judge, f"numeric columns of {{serving}} have PSI ≤ {params.max_psi:g} against {{reference}}",
                       "{count} numeric columns drifted")  # fmt: skip
    if outcome.status == Status.PASS and compared == 0 and not guard.thin:
        return Outcome.skipped("no numeric column shared by the reference and serving data")
    return guard.applied(outcome, "numeric column")


# --- DAT007 ------------------------------------------------------------------------------------------


def categorical_drift(ctx: CheckContext, params: CategoryDriftParams) -> Outcome:  # type: ignore[override]
    chosen: list[str] = []
    guard = SampleGuard(params.min_rows)

    def judge(reference: Frame, serving: Frame) -> list[Finding]:
        nonlocal chosen
        chosen, absent = chosen_categorical(ctx, reference)
        return absent + compare.category_drift_findings(reference, serving, guard.columns(serving, chosen), params.max_psi)

    outcome = _compare(ctx, judge, f"categorical columns of {{serving}} have PSI ≤ {params.max_psi:g} against {{reference}}",
                       "{count} categorical columns drifted")  # fmt: skip
    if outcome.status == Status.PASS and not chosen:
        return Outcome.skipped("no categorical columns (none configured in data.categorical, none inferred)")
    if outcome.status == Status.PASS:
        outcome = Outcome.passed(f"{outcome.message} ({', '.join(chosen)})")
    return guard.applied(outcome, "categorical column")
