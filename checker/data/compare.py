"""DAT002–DAT007: a serving sample compared with the reference data and the model signature.

Engines answer aggregate questions (see `Frame`); everything here works on those small answers, so the
verdicts are the same whichever engine computed them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from checker.data.frame import Column, Frame, Kind, column_map
from checker.model import Finding

PSI_EPSILON = 1e-4  # floor for a bin's share, so an empty bin does not make PSI infinite
MAX_CATEGORY_DISTINCT = 50  # inferred categorical: at most this many distinct values…
MIN_ROWS_PER_CATEGORY = 2  # …each seen at least this often on average
TOLERANCE = 1e-9  # rates equal to the threshold pass despite float rounding

# MLflow column types -> the logical kinds a serving column may have for that input.
SIGNATURE_KINDS: dict[str, frozenset[Kind]] = {
    "boolean": frozenset({Kind.BOOLEAN}),
    "integer": frozenset({Kind.INTEGER}),
    "long": frozenset({Kind.INTEGER}),
    "float": frozenset({Kind.FLOAT, Kind.INTEGER}),
    "double": frozenset({Kind.FLOAT, Kind.INTEGER}),
    "string": frozenset({Kind.STRING}),
    "binary": frozenset({Kind.BINARY}),
    "datetime": frozenset({Kind.DATETIME}),
}


@dataclass(frozen=True)
class SignatureInput:
    name: str
    type: str
    required: bool = True


def _finding(frame: Frame, message: str, key: str) -> Finding:
    # The path is the finding's own field: every report shows it next to the message.
    return Finding(message=message, path=frame.label, locator=f"{frame.label}:{key}")


# --- DAT002 ------------------------------------------------------------------------------------------


def types_compatible(reference: Kind, serving: Kind) -> bool:
    """Same kind; an all-null column on either side; integers where the reference has floats (widening)."""
    return reference == serving or Kind.NULL in (reference, serving) or (reference, serving) == (Kind.FLOAT, Kind.INTEGER)


def schema_findings(reference: Frame, serving: Frame, excluded: set[str]) -> list[Finding]:
    served = column_map(serving)
    findings = []
    for column in reference.columns:
        if column.name in excluded:
            continue
        other = served.get(column.name)
        if other is None:
            findings.append(_finding(serving, f"column {column.name!r} ({column.type_name} in {reference.label}) is missing", f"{column.name}:missing"))
        elif not types_compatible(column.kind, other.kind):
            findings.append(_finding(serving, f"column {column.name!r} is {other.type_name}, but {column.type_name} in {reference.label}", f"{column.name}:type"))
    return findings


def mixed_type_findings(frame: Frame) -> list[Finding]:
    return [
        _finding(frame, f"column {m.name!r} mixes numbers and text: {m.other} of {m.numeric + m.other} values are "
                 f"not numbers, e.g. {', '.join(repr(s) for s in m.samples)}", f"{m.name}:mixed")
        for m in frame.mixed_columns()
    ]  # fmt: skip


# --- DAT003 ------------------------------------------------------------------------------------------


def signature_findings(serving: Frame, inputs: Iterable[SignatureInput], signature_path: str) -> list[Finding]:
    served = column_map(serving)
    findings = []
    for spec in inputs:
        column = served.get(spec.name)
        if column is None:
            if spec.required:
                findings.append(_finding(serving, f"required model input {spec.name!r} ({spec.type}, {signature_path}) is missing", f"{spec.name}:missing"))
        elif not _kind_fits(spec.type, column):
            findings.append(_finding(serving, f"column {spec.name!r} is {column.type_name}, but the model signature ({signature_path}) expects {spec.type}", f"{spec.name}:type"))
    return findings


def _kind_fits(mlflow_type: str, column: Column) -> bool:
    accepted = SIGNATURE_KINDS.get(mlflow_type)
    return accepted is None or column.kind == Kind.NULL or column.kind in accepted


# --- DAT004 ------------------------------------------------------------------------------------------


def inferred_categorical(reference: Frame) -> list[str]:
    """Text columns of the reference with few distinct values, each repeated: categories, not free text."""
    texts = [c.name for c in reference.columns if c.kind == Kind.STRING]
    distinct = reference.distinct_counts(texts)
    nulls = reference.null_counts()
    return [
        name for name in texts
        if 0 < distinct[name] <= MAX_CATEGORY_DISTINCT
        and distinct[name] * MIN_ROWS_PER_CATEGORY <= reference.rows - nulls[name]
    ]  # fmt: skip


def unseen_findings(reference: Frame, serving: Frame, columns: list[str], max_unseen_rate: float) -> list[Finding]:
    shared = [c for c in columns if c in column_map(serving)]
    known = reference.value_counts(shared)
    served = serving.value_counts(shared)
    findings = []
    for name in shared:
        unseen = {value: n for value, n in served[name].items() if value not in known[name]}
        total = sum(served[name].values())
        rate = sum(unseen.values()) / total if total else 0.0
        if rate > max_unseen_rate + TOLERANCE:
            top = sorted(unseen.items(), key=lambda item: (-item[1], item[0]))[:5]
            shown = ", ".join(f"{value!r} ×{n}" for value, n in top)
            findings.append(_finding(serving, f"column {name!r}: {rate:.1%} of {total} values are unseen in "
                                     f"{reference.label} (max {max_unseen_rate:.1%}): {shown}", f"{name}:unseen"))  # fmt: skip
    return findings


# --- DAT005 ------------------------------------------------------------------------------------------


def null_rate_findings(reference: Frame, serving: Frame, max_null_increase: float) -> list[Finding]:
    before, after = reference.null_counts(), serving.null_counts()
    findings = []
    for name in shared_columns(reference, serving):
        old, new = before[name] / reference.rows, after[name] / serving.rows
        if new > old + max_null_increase + TOLERANCE:
            findings.append(_finding(serving, f"column {name!r}: {new:.1%} of values are missing ({after[name]} of "
                                     f"{serving.rows}), {old:.1%} in {reference.label} (tolerance +{max_null_increase:.1%})",
                                     f"{name}:nulls"))  # fmt: skip
    return findings


# --- DAT006 ------------------------------------------------------------------------------------------


def psi(expected: list[int], actual: list[int]) -> float:
    """Population stability index of two histograms over the same bins."""
    e_total, a_total = sum(expected), sum(actual)
    if not e_total or not a_total:
        return 0.0
    value = 0.0
    for e, a in zip(expected, actual):
        p, q = max(e / e_total, PSI_EPSILON), max(a / a_total, PSI_EPSILON)
        value += (q - p) * math.log(q / p)
    return value


def numeric_shared(reference: Frame, serving: Frame) -> list[str]:
    """Columns numeric in both datasets: the ones DAT006 compares."""
    served = column_map(serving)
    return [c.name for c in reference.columns if c.kind.numeric and c.name in served and served[c.name].kind.numeric]


def drift_findings(reference: Frame, serving: Frame, numeric: list[str], max_psi: float, bins: int) -> tuple[list[Finding], int]:
    """Findings for the `numeric` columns whose PSI exceeds `max_psi`, and how many columns were compared."""
    probs = [i / bins for i in range(1, bins)]
    edges = {name: sorted(set(q)) for name, q in reference.quantiles(numeric, probs).items() if q}
    ref_counts, srv_counts = reference.bin_counts(edges), serving.bin_counts(edges)
    scores = {name: psi(ref_counts[name], srv_counts[name]) for name in edges}
    drifted = [name for name, score in scores.items() if score > max_psi + TOLERANCE]
    medians = _medians(reference, serving, drifted)
    findings = [
        _finding(serving, f"column {name!r} drifted: PSI {scores[name]:.3f} > {max_psi:g} "
                 f"(median {figure(medians[name][1])}, {figure(medians[name][0])} in {reference.label})", f"{name}:psi")
        for name in drifted
    ]  # fmt: skip
    return findings, len(edges)


def _medians(reference: Frame, serving: Frame, names: list[str]) -> dict[str, tuple[float | None, float | None]]:
    if not names:
        return {}
    ref, srv = reference.quantiles(names, [0.5]), serving.quantiles(names, [0.5])
    return {n: (ref[n][0] if ref[n] else None, srv[n][0] if srv[n] else None) for n in names}


# --- DAT007 ------------------------------------------------------------------------------------------

UNSEEN = "unseen values"  # the extra bucket: serving values the reference never had


def category_drift_findings(reference: Frame, serving: Frame, columns: list[str], max_psi: float) -> list[Finding]:
    """PSI over the reference categories plus one bucket for unseen values, per categorical column."""
    known, served = reference.value_counts(columns), serving.value_counts(columns)
    findings = []
    for name in columns:
        buckets = category_buckets(known[name], served[name])
        score = psi([e for _, e, _ in buckets], [a for _, _, a in buckets])
        if score > max_psi + TOLERANCE:
            findings.append(_finding(serving, f"column {name!r} drifted: PSI {score:.3f} > {max_psi:g} (largest shifts: "
                                     f"{_largest_shifts(buckets, reference.label)})", f"{name}:category-psi"))  # fmt: skip
    return findings


def category_buckets(known: dict[str, int], served: dict[str, int]) -> list[tuple[str, int, int]]:
    """(label, reference count, serving count) per reference category, then the unseen bucket (never in the
    reference: its share there is 0, smoothed like an empty bin)."""
    buckets = [(repr(value), n, served.get(value, 0)) for value, n in sorted(known.items())]
    return [*buckets, (UNSEEN, 0, sum(n for value, n in served.items() if value not in known))]


def _largest_shifts(buckets: list[tuple[str, int, int]], reference: str, shown: int = 3) -> str:
    e_total, a_total = sum(b[1] for b in buckets) or 1, sum(b[2] for b in buckets) or 1
    shares = [(label, e / e_total, a / a_total) for label, e, a in buckets]
    top = sorted(shares, key=lambda s: (-abs(s[2] - s[1]), s[0]))[:shown]
    return ", ".join(f"{label} {q:.1%} ({p:.1%} in {reference})" for label, p, q in top if p != q)


# --- DAT004–DAT007 sample size ------------------------------------------------------------------------


def shared_columns(reference: Frame, serving: Frame) -> list[str]:
    served = column_map(serving)
    return [c.name for c in reference.columns if c.name in served]


def non_null_rows(frame: Frame, names: Iterable[str]) -> dict[str, int]:
    """Non-null rows per column of `names` that the frame has."""
    nulls = frame.null_counts()
    return {name: frame.rows - nulls[name] for name in names if name in nulls}


def figure(value: float | None) -> str:
    """A statistic for a message: never `nan` (reports are strict JSON and read by people)."""
    if value is None or math.isnan(value):
        return "undefined (column is empty)"
    return f"{value:g}"
