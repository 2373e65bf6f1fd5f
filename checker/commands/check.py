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
    verbose: bool = False  # the terminal lists every rule, not only the failing ones
    color: str = "auto"  # --color: auto (NO_COLOR, FORCE_COLOR, a TTY), always or never


TO_STDOUT = Path("-")  # `--output-dir -`: the one report goes to standard output, and nothing else does


def default_formats(output_dir: Path) -> tuple[str, ...]:
    """The formats without `--format`: terminal + json, or json alone when it goes to standard output."""
    return ("json",) if output_dir == TO_STDOUT else ("terminal", "json")


def run_check(request: CheckRequest) -> int:
    to_stdout = request.output_dir == TO_STDOUT
    if to_stdout:
        stdout_format(request.formats)  # a usage error before any work is done
    report = run_request(request)
    if to_stdout:
        emit_to_stdout(report, request.formats)
    else:
        emit(report, request.formats, request.output_dir, untrusted=request.target, verbose=request.verbose,
             color=request.color)  # fmt: skip
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


def emit(
    report: RunReport, formats: tuple[str, ...], output_dir: Path, untrusted: Path | None = None, verbose: bool = False,
    color: str = "auto",
) -> None:
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
            sys.stdout.write(_stdout_text(name, report, [(output_dir / f).as_posix() for f in rendered], verbose, color))


def stdout_format(formats: tuple[str, ...]) -> str:
    """The file format that `--output-dir -` writes to standard output: exactly one, and no other format (the
    terminal view and annotations write there too), else a usage error."""
    from checker.engine.run import UsageError

    wanted = list(dict.fromkeys(formats))
    if len(wanted) != 1 or wanted[0] not in FILENAMES:
        raise UsageError(f"--output-dir - writes one report to standard output and nothing else: give one --format of "
                         f"{', '.join(FILENAMES)} alone (given: {', '.join(wanted)})")  # fmt: skip
    return wanted[0]


def emit_to_stdout(report: RunReport, formats: tuple[str, ...]) -> None:
    """`--output-dir -`: the one report on standard output, as UTF-8 bytes like the file it would be; no file is
    written or removed. Messages go to standard error, as always."""
    text = renderer(stdout_format(formats))(report)
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (tests, embedding)
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def _stdout_text(name: str, report: RunReport, written: list[str], verbose: bool = False, color: str = "auto") -> str:
    if name == "terminal":
        from checker.colors import use_color
        from checker.reporters.terminal import render

        return render(report, color=use_color(color, sys.stdout), verbose=verbose)
    if name == "github":  # annotations left out point at the full report
        from checker.reporters.github import render as annotations

        return annotations(report, reports=written)
    return renderer(name)(report)
