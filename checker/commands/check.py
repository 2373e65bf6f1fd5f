"""`readiness check`: run, render every requested format in memory, then write them atomically."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from checker.model import RunReport, Severity
from checker.output import remove_stale, write_reports
from checker.reporters import FILENAMES, STDOUT_FORMATS, renderer


@dataclass(frozen=True)
class CheckRequest:
    target: Path
    config_file: Path | None
    extra_rules: tuple[Path, ...]
    only: tuple[str, ...]
    skip: tuple[str, ...]
    formats: tuple[str, ...]
    output_dir: Path
    fail_on: str | None
    baseline: Path | None = None
    changed: tuple[Path, ...] | None = None  # as given on the command line (relative to the working directory)
    jobs: int | None = None
    use_cache: bool = True
    inline_waivers: bool = True
    policy: Path | None = None


def run_check(request: CheckRequest) -> int:
    report = run_request(request)
    emit(report, request.formats, request.output_dir, untrusted=request.target)
    return 0 if report.ready else 1


def run_request(request: CheckRequest) -> RunReport:
    from checker.engine.run import RunOptions, run

    options = RunOptions(
        target=request.target,
        config_file=request.config_file,
        extra_packs=request.extra_rules,
        only=request.only,
        skip=request.skip,
        fail_on=Severity(request.fail_on) if request.fail_on else None,
        display_target=request.target.as_posix(),
        baseline=request.baseline,
        changed=None if request.changed is None else target_relative(request.target, request.changed),
        jobs=request.jobs,
        use_cache=request.use_cache,
        inline_waivers=request.inline_waivers,
        policy=request.policy,
    )
    return run(options)


def target_relative(target: Path, files: tuple[Path, ...]) -> tuple[str, ...]:
    """Changed files as target-relative posix paths; files outside the target are not its inputs."""
    root = Path(os.path.abspath(target))
    inside = []
    for file in files:
        full = Path(os.path.abspath(file))  # not resolve(): a symlink's own path is what git staged
        if full.is_relative_to(root):
            inside.append(full.relative_to(root).as_posix())
    return tuple(inside)


def emit(report: RunReport, formats: tuple[str, ...], output_dir: Path, untrusted: Path | None = None) -> None:
    """Render every file format first; write only when all succeeded, so no report is partial or stale.

    The files are then replaced as one set (`checker.output`): an unwritable output raises `ReportWriteError`
    and a signal never leaves half of them new. `untrusted` is the checked tree: an output folder inside it
    is never reached through a link."""
    wanted = list(dict.fromkeys(formats))
    files = [FILENAMES[f] for f in wanted if f in FILENAMES]
    try:
        rendered = {FILENAMES[f]: renderer(f)(report) for f in wanted if f in FILENAMES}
    except Exception:
        remove_stale(output_dir, files, untrusted)
        raise
    if rendered:
        write_reports(output_dir, rendered, untrusted, leftovers=FILENAMES.values())
    for name in STDOUT_FORMATS:
        if name in wanted:
            sys.stdout.write(_stdout_text(name, report, [(output_dir / f).as_posix() for f in rendered]))


def _stdout_text(name: str, report: RunReport, written: list[str]) -> str:
    if name == "terminal":
        from checker.reporters.terminal import render

        return render(report, color=sys.stdout.isatty())
    if name == "github":  # annotations left out point at the full report
        from checker.reporters.github import render as annotations

        return annotations(report, reports=written)
    return renderer(name)(report)
