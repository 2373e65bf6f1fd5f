"""One run: config and rule packs in, one `RunReport` out. No I/O besides reading the project."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from checker import __version__, baseline
from checker.cache import ResultCache, RuleKeys
from checker.checks.registry import Registry, default_registry
from checker.config import LoadedConfig, Limits, load_config
from checker.policy import load_policy
from checker.engine import memory, scoring, waivers
from checker.engine.changed import relevant_rules
from checker.engine.results import Evaluation
from checker.engine.results import results as rule_results
from checker.engine.gate import apply_policy, gate_changes
from checker.engine.governance import validate_config
from checker.engine.packs import load_rules
from checker.model import CATEGORY_ORDER, Category, Coverage, NotEvaluated, RuleResult, RunReport, Severity, ToolInfo
from checker.packs.model import Rule
from checker.project.index import ProjectIndex
from checker.project.scope import Scope


class UsageError(Exception):
    """A bad command-line value: exit 2 with this message."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def reproducible() -> bool:
    """SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes the clock and zeroes durations,
    so that two runs on the same input write byte-identical reports."""
    return bool(os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit())


def default_clock() -> datetime:
    if reproducible():
        return datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), timezone.utc)
    return _now()


@dataclass(frozen=True)
class RunOptions:
    target: Path
    config_file: Path | None = None
    extra_packs: tuple[Path, ...] = ()
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    fail_on: Severity | None = None
    clock: Callable[[], datetime] = default_clock
    tool_version: str = __version__
    display_target: str | None = None
    registry: Registry | None = field(default=None, compare=False)
    baseline: Path | None = None  # a previous readiness.json: its findings do not fail the gate
    changed: tuple[str, ...] | None = None  # pre-commit mode: target-relative changed files
    jobs: int | None = None  # parallel workers for checks that parallelise; None: CPU count
    use_cache: bool = False  # the content-hash cache under <target>/.readiness-cache/
    inline_waivers: bool = True  # False: --no-inline-waivers (the config can turn them off too)
    policy: Path | None = None  # a trusted gate from outside the target (SPEC §9): the project config keeps facts
    # Rules run in a forked worker process, so that one that crashes, hangs or exhausts memory costs only its
    # own result; False evaluates them in this process (tests that instrument it; no fork on Windows anyway).
    isolate: bool = True


def run(options: RunOptions) -> RunReport:
    """One run, with this process bounded in memory like the rule worker (checker.engine.memory)."""
    with memory.lead_capped(Limits().rule_memory_mb) as cap:  # the default until the config is read
        try:
            return _run(options, cap)
        except MemoryError:
            if cap.budget_mb is None:
                raise
            # Not a usage error, but like one it ends the run with one line and exit 2 instead of a traceback.
            raise UsageError(f"the run needed more than {cap.budget_mb} MB of memory beyond its start "
                             "(limits.rule_memory_mb)") from None  # fmt: skip


def _run(options: RunOptions, cap: memory.LeadCap) -> RunReport:
    started = options.clock()
    timer = time.perf_counter()
    registry = options.registry or default_registry()
    loaded = load_config(options.target, options.config_file)
    policy = load_policy(options.policy, options.target) if options.policy else None
    # Under a policy the project's own limits do not apply to reading its packs either.
    packs_config = loaded if policy is None else LoadedConfig(loaded.config.model_copy(update={"limits": policy.policy.limits}))
    rules = load_rules(options.target, packs_config, options.extra_packs, registry)
    validate_config(loaded, rules, options.target)
    changes = gate_changes(loaded, rules) if policy is None else apply_policy(loaded, policy, rules)
    cap.set(loaded.config.limits.rule_memory_mb)  # the limits in force: the policy's when there is one
    if not options.inline_waivers:  # the flag overrides the config's (and the policy's) `inline_waivers`
        loaded.config = loaded.config.model_copy(update={"inline_waivers": False})
    selected = select(rules, options.only, options.skip)
    known = baseline.fingerprints(baseline.load_report(options.baseline)) if options.baseline else None
    index = ProjectIndex.build(options.target, loaded.config.limits, loaded.config.exclude, Scope.of(loaded.config))
    index.not_evaluated  # noqa: B018 - decided before the rules run, so the worker shares the texts read
    _share_config_file(loaded, index)
    if options.changed is not None:
        selected = relevant_rules(selected, options.changed, index, registry, loaded)
    today = started.date()
    cache = ResultCache.open(options.target, options.tool_version) if options.use_cache else None
    keys = RuleKeys(cache, index, registry, loaded.config, today.isoformat(), options.tool_version) if cache else None
    evaluation = Evaluation(index=index, loaded=loaded, registry=registry, today=today, jobs=options.jobs, keys=keys,
                            isolate=options.isolate, zero_durations=reproducible())  # fmt: skip
    results, matched = _evaluate_all(selected, evaluation)
    if cache:
        cache.save()
    if known is not None:
        results = baseline.apply(results, known)
    report = _report(options, loaded, results, matched, index, started, time.perf_counter() - timer)
    return report.model_copy(update={"gate_changes": changes, "policy": str(options.policy) if policy else None})


def _share_config_file(loaded: LoadedConfig, index: ProjectIndex) -> None:
    """The config file is usually a tracked file too (SEC002 scans it, the Kubernetes model parses every YAML
    file, dependency rules read pyproject.toml): the index gets the text and documents already read."""
    if loaded.file is None or loaded.text is None:
        return
    path = Path(loaded.file).resolve()
    if path.is_relative_to(index.root):
        index.remember(path.relative_to(index.root).as_posix(), loaded.text.encode("utf-8"), loaded.parsed)


def select(rules: list[Rule], only: tuple[str, ...], skip: tuple[str, ...]) -> list[Rule]:
    known = {r.id for r in rules} | {c.value for c in Category}
    unknown = [token for token in (*only, *skip) if token not in known]
    if unknown:
        raise UsageError(f"unknown rule id or category: {', '.join(unknown)} (see `readiness rules list`)")

    def named(rule: Rule, tokens: tuple[str, ...]) -> bool:
        return rule.id in tokens or rule.category.value in tokens

    return [r for r in rules if (not only or named(r, only)) and not named(r, skip)]


def _evaluate_all(rules: list[Rule], run: Evaluation) -> tuple[list[RuleResult], dict[int, int]]:
    waiver_list = run.loaded.config.waivers
    in_force = [w for w in waiver_list if w.expires >= run.today]
    positions = [waiver_list.index(w) for w in in_force]
    matched: dict[int, int] = {}
    results = []
    for result in rule_results(rules, run):
        result, hits = waivers.apply(result, in_force)
        for local, count in hits.items():
            matched[positions[local]] = matched.get(positions[local], 0) + count
        results.append(result)
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    results.sort(key=lambda r: (order[r.category], r.rule_id))
    return results, matched


def _coverage(results: list[RuleResult], index: ProjectIndex) -> Coverage:
    """Rule coverage, plus what was not read: out-of-scope files by folder, templates nothing rendered."""
    not_evaluated = tuple(NotEvaluated(path=n.path, reason=n.reason) for n in index.not_evaluated)
    return scoring.coverage(results).model_copy(update={"out_of_scope": index.out_of_scope_counts,
                                                        "not_evaluated": not_evaluated})  # fmt: skip


def _report(
    options: RunOptions, loaded: LoadedConfig, results: list[RuleResult], matched: dict[int, int],
    index: ProjectIndex, started: datetime, duration: float,
) -> RunReport:  # fmt: skip
    config = loaded.config
    fail_on = options.fail_on or config.fail_on or Severity.HIGH
    disabled = {c for c in Category if not config.category_enabled(c)}
    verdict, reasons = scoring.verdict([baseline.gate_view(r) for r in results], fail_on, disabled)
    return RunReport(
        tool=ToolInfo(name="readiness-checker", version=options.tool_version),
        target=options.display_target or str(options.target),
        started_at=started.isoformat(timespec="seconds"),
        duration_s=0.0 if reproducible() else round(duration, 3),
        verdict=verdict,
        verdict_reasons=tuple(reasons),
        fail_on=fail_on,
        score=scoring.score(results, disabled),
        coverage=_coverage(results, index),
        results=tuple(results),
        waivers=tuple(waivers.records(config.waivers, started.date(), matched)),
        input_problems=tuple(index.problems),
    )
