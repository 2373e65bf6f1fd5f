"""`readiness pre-commit FILE...`: `check .` in pre-commit mode for the files the hook passes.

Only the rules that read one of the files run, with the cache on, and only a compact plain-text view is
printed: a commit hook must be fast and must not leave report files in the working tree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from checker.commands.check import CheckRequest, run_request
from checker.reporters.compact import render

NOTHING_TO_CHECK = "readiness: nothing to check (no staged file is an input of any rule)"


def run_pre_commit(files: tuple[Path, ...], config_file: Path | None, fail_on: str | None, jobs: int | None,
                   use_cache: bool) -> int:  # fmt: skip
    request = CheckRequest(
        target=Path("."), config_file=config_file, extra_rules=(), only=(), skip=(), formats=("terminal",),
        output_dir=Path("reports"), fail_on=fail_on, changed=files, jobs=jobs, use_cache=use_cache,
    )  # fmt: skip
    report = run_request(request)
    if not report.results:
        click.echo(NOTHING_TO_CHECK)
        return 0
    sys.stdout.write(render(report))
    return 0 if report.ready else 1
