"""`readiness pre-commit FILE...`: `check .` in pre-commit mode for the files the hook passes.

Only the rules that read one of the files run, with the cache on, and only a compact plain-text view is
printed: a commit hook must be fast and must not leave report files in the working tree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from checker.commands.check import CheckRequest, run_request
from checker.model import Status
from checker.reporters.compact import render

NOTHING_TO_CHECK = "readiness: nothing to check (no staged file is an input of any rule)"


def run_pre_commit(files: tuple[Path, ...], config_file: Path | None, fail_on: str | None, jobs: int | None,
                   use_cache: bool, command: list[str] | None = None, inline_waivers: bool = True,
                   policy: Path | None = None) -> int:  # fmt: skip
    request = CheckRequest(
        target=Path("."), config_file=config_file, extra_rules=(), only=(), skip=(), formats=("terminal",),
        output_dir=Path("reports"), fail_on=fail_on, changed=files, jobs=jobs, use_cache=use_cache,
        inline_waivers=inline_waivers, policy=policy,
    )  # fmt: skip
    report = run_request(request)
    output, code = (NOTHING_TO_CHECK + "\n", 0) if not report.results else (render(report), 0 if report.ready else 1)
    sys.stdout.write(output)
    # A rule that errored (a time budget, say) may not error next time: only clean runs are replayed.
    if use_cache and command is not None and not any(r.status == Status.ERROR for r in report.results):
        from checker import replay

        replay.remember(Path("."), command, output, code)
    return code
