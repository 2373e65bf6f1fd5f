"""API005: no breaking change against the previous release's spec (a file, or `git show REV:path`)."""

from __future__ import annotations

from checker.apidiff import Change, diff
from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.openapi import NO_SPEC, SPEC_INPUTS, specs_of
from checker.checks.registry import Registry, check_type
from checker.config import PreviousSpec
from checker.model import Finding, Status
from checker.project.openapi import GitSource, IndexSource, Spec, SpecError, load_spec



def register(registry: Registry) -> None:
    check_type(registry, "openapi_breaking_changes", NoParams, "no breaking change against the previous release's spec",
               inputs=SPEC_INPUTS)(breaking_changes)  # fmt: skip


def breaking_changes(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    previous = ctx.config.api.previous
    if previous is None:
        return Outcome.skipped("no previous release spec configured (api.previous: {file: …} or {git: REV, path: …})")
    specs = specs_of(ctx)
    if not specs:
        return Outcome.skipped(NO_SPEC)
    if len(specs) > 1:
        return Outcome.skipped(f"{len(specs)} specs found; name the current one in the config as api.spec")
    try:
        old = load_previous(ctx, previous)
    except SpecError as exc:
        where = f"{exc.path}:{exc.line}: " if exc.path and exc.line else f"{exc.path}: " if exc.path else ""
        return Outcome(status=Status.ERROR, message=f"previous spec unusable: {where}{exc.message}")
    changes = diff(old, specs[0])
    source = f"{old.path}@{previous.git}" if previous.git else old.path
    return Outcome.from_findings([change_finding(c) for c in changes], f"no breaking change since {source}",
                                 f"{{count}} breaking changes since {source}")  # fmt: skip


def load_previous(ctx: CheckContext, previous: PreviousSpec) -> Spec:
    """The previous release's spec; raises SpecError (an unresolvable git revision included)."""
    if previous.file:
        return load_spec(IndexSource(ctx.index), previous.file)
    git = GitSource(ctx.index.root, str(previous.git), ctx.index.max_file_bytes)
    git.verify()
    return load_spec(git, str(previous.path))


def change_finding(change: Change) -> Finding:
    """A finding at the change's place; a removal read from a git revision points at the current spec instead."""
    place = change.location
    message = f"{change.message} — {change.why} [{change.kind.value} at {change.pointer}]"
    if place is not None and place.revision and change.new is not None:
        message += f" (was {place})"
        place = change.new
    return Finding(message=message, path=place.file if place else None, line=place.line if place else None,
                   locator=f"{change.kind.value}:{change.pointer}")  # fmt: skip

