"""SEC009: no personal data in committed datasets.

Every tracked CSV/Parquet file (and every configured dataset, tracked or not) is sampled — its first rows,
column by column (checker.data.samples) — and each sampled value is run through the detectors of
checker.data.personal. A column where at least `min_share` of at least MIN_VALUES sampled non-empty values are
personal data fails, unless `data.personal_data` in the config declares it with a reason.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from dataclasses import dataclass

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.data import personal
from checker.data.samples import ColumnSample, is_data_file, sample_file
from checker.data.sources import DatasetError, resolve
from checker.extras import missing_engine_message
from checker.model import Finding, Status

MIN_VALUES = 20  # fewer sampled values than this are too few to call a column personal data (SPEC §7)
TOLERANCE = 1e-9
NO_DATASETS = "no datasets (no tracked CSV or Parquet file, no dataset configured in data:)"


class PersonalDataParams(Params):
    min_share: float = Field(default=0.2, gt=0, le=1, description="share of sampled values that makes a column personal data")


def register(registry: Registry) -> None:
    check_type(registry, "personal_data", PersonalDataParams,
               "no column of a committed dataset holds personal data (e-mail, phone, IBAN, card, US SSN)",
               inputs=("dataset", "config"))(personal_data)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Hit:
    """A column judged to hold personal data."""

    path: str
    sample: ColumnSample
    kinds: Counter[str]
    first_line: int | None


def personal_data(ctx: CheckContext, params: PersonalDataParams) -> Outcome:  # type: ignore[override]
    from checker.data.preflight import DataLimits

    files, problems = _data_files(ctx)
    if not files and not problems:
        return Outcome.skipped(NO_DATASETS)
    limits = DataLimits.of(ctx.config.limits)
    hits, judged, thin = [], 0, 0
    for path in files:
        try:
            samples = sample_file(ctx.index.root, path, limits)
        except DatasetError as exc:
            problems.append(Finding(message=str(exc), path=exc.path, line=exc.line, locator=f"{path}:unreadable"))
            continue
        except ModuleNotFoundError as exc:  # Parquet without the data extra: fail closed, saying what to install
            problems.append(Finding(message=f"{path}: {missing_engine_message(exc) or exc}", path=path, locator=f"{path}:engine"))
            continue
        judged += sum(len(s.values) >= MIN_VALUES for s in samples)
        thin += sum(0 < len(s.values) < MIN_VALUES for s in samples)
        hits += [hit for s in samples if len(s.values) >= MIN_VALUES and (hit := _judge(path, s, params.min_share))]
    return _outcome(ctx, files, hits, problems, judged, thin)


def _data_files(ctx: CheckContext) -> tuple[list[str], list[Finding]]:
    """Tracked in-scope CSV/Parquet files, and the files of every configured dataset (a folder or glob of parts,
    perhaps git-ignored): each once, sorted."""
    found = {f.path for f in ctx.index.of_kind("dataset") if is_data_file(f.path)}
    problems = []
    data = ctx.config.data
    for dataset in [d for d in (data.reference, *data.serving_sets) if d is not None]:
        try:
            files = resolve(ctx.index.root, dataset.path)
        except DatasetError as exc:
            problems.append(Finding(message=str(exc), path=exc.path, locator=f"{dataset.path}:unreadable"))
            continue
        found |= {files.relative(ctx.index.root, f) for f in files.files}
    return sorted(found), problems


def _judge(path: str, sample: ColumnSample, min_share: float) -> Hit | None:
    kinds: Counter[str] = Counter()
    first: int | None = None
    for value, line in zip(sample.values, sample.lines):
        kind = personal.detect(value)
        if kind is not None:
            kinds[kind] += 1
            first = line if first is None else first
    if sum(kinds.values()) < min_share * len(sample.values) - TOLERANCE:
        return None
    return Hit(path, sample, kinds, first)


def _outcome(ctx: CheckContext, files: list[str], hits: list[Hit], problems: list[Finding], judged: int, thin: int) -> Outcome:
    declared = [h for h in hits if _declared_reason(ctx, h) is not None]
    findings = [_finding(h) for h in hits if _declared_reason(ctx, h) is None] + problems
    summary = f"{judged} columns sampled in {len(files)} data files" + (f" ({thin} with fewer than {MIN_VALUES} values not judged)" if thin else "")
    if declared:
        summary += "; declared in data.personal_data: " + ", ".join(f"{h.path} {h.sample.name!r}" for h in declared)
    if len(findings) > len(problems):
        return Outcome.failed(f"{len(findings) - len(problems)} dataset columns hold personal data ({summary})", findings)
    if problems:
        return Outcome(status=Status.ERROR, message=f"{len(problems)} datasets could not be sampled: {problems[0].message}",
                       findings=tuple(problems))  # fmt: skip
    return Outcome.passed(f"no personal data found: {summary}")


def _finding(hit: Hit) -> Finding:
    total, found = len(hit.sample.values), sum(hit.kinds.values())
    what = ", ".join(f"{n} {personal.PLURAL[kind]}" for kind, n in sorted(hit.kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    return Finding(message=f"column {hit.sample.name!r}: {found} of {total} sampled values ({found / total:.0%}) are personal "
                           f"data ({what}); remove or pseudonymise it, or declare the column in data.personal_data with a reason",
                   path=hit.path, line=hit.first_line, locator=f"{hit.path}:{hit.sample.name}")  # fmt: skip


def _declared_reason(ctx: CheckContext, hit: Hit) -> str | None:
    for entry in ctx.config.data.personal_data:
        if entry.column == hit.sample.name and _covers(entry.path, hit.path):
            return entry.reason
    return None


def _covers(declared: str, path: str) -> bool:
    """A declared path names the file, a folder of parts holding it, or a glob matching it."""
    declared = declared.strip("/").removeprefix("./")
    return path == declared or path.startswith(declared + "/") or fnmatch.fnmatchcase(path, declared)
