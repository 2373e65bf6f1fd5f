"""`readiness check`: run, render every requested format in memory, then write them atomically."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from checker.model import RunReport, Severity
from checker.output import remove_stale, write_reports
from checker.reporters import FILENAMES, renderers


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


def run_check(request: CheckRequest) -> int:
    from checker.engine.run import RunOptions, run

    options = RunOptions(
        target=request.target,
        config_file=request.config_file,
        extra_packs=request.extra_rules,
        only=request.only,
        skip=request.skip,
        fail_on=Severity(request.fail_on) if request.fail_on else None,
        display_target=request.target.as_posix(),
    )
    report = run(options)
    emit(report, request.formats, request.output_dir)
    return 0 if report.ready else 1


def emit(report: RunReport, formats: tuple[str, ...], output_dir: Path) -> None:
    files = [FILENAMES[f] for f in formats if f in FILENAMES]
    try:
        rendered = {FILENAMES[f]: renderers()[f](report) for f in dict.fromkeys(formats) if f in FILENAMES}
    except Exception:
        remove_stale(output_dir, files)
        raise
    write_reports(output_dir, rendered)
    if "terminal" in formats:
        from checker.reporters.terminal import render

        sys.stdout.write(render(report, color=sys.stdout.isatty()))
