"""The `readiness` command line. Thin: parse flags, call the engine, write what the reporters render."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, NoReturn

import click

from checker import __version__
from checker.colors import COLOR_CHOICES

SEVERITIES = ["critical", "high", "medium", "low", "info"]
EXIT_READY, EXIT_NOT_READY, EXIT_USAGE = 0, 1, 2
# The shell's convention for a process ended by a signal: 128 + the signal number.
EXIT_SIGINT, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt for SIGINT, so that every `finally` block
    runs (temporary files removed, worker processes stopped) before the process exits."""


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be installed from the main thread (e.g. a test runner's worker thread)
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


class _ReadinessGroup(click.Group):
    """Maps SIGINT and SIGTERM to exit 130 / 143 with one line, instead of click's `Aborted!` (exit 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        _read_source_date_epoch()
        with _sigterm_raises():
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt:
                _stop("interrupted (SIGINT)", EXIT_SIGINT)
            except Terminated:
                _stop("terminated (SIGTERM)", EXIT_SIGTERM)


def _read_source_date_epoch() -> None:
    """SOURCE_DATE_EPOCH as reproducible-builds.org defines it: an empty value means unset, so it is removed (a
    library that reads it at import, as numpy's f2py does with `int(...)`, would crash a data rule on it); a
    malformed value is refused, as the convention asks."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value.strip().isdigit():
        return
    if value.strip():
        _fail([f"error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, not {value!r} "
               "(unset it, or set it empty, for the current time)"])  # fmt: skip
    del os.environ["SOURCE_DATE_EPOCH"]


def _stop(what: str, code: int) -> NoReturn:
    click.echo(f"readiness: {what}", err=True)
    sys.exit(code)


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(EXIT_USAGE)


def _guarded(debug: bool, action: Callable[[], Any]) -> Any:
    """Run `action`; user-facing errors become exit 2 with their messages, never a traceback."""
    from checker.baseline import BaselineError
    from checker.config import ConfigError
    from checker.engine.run import UsageError
    from checker.output import ReportWriteError
    from checker.packs.loader import PackError

    try:
        return action()
    except ConfigError as exc:
        _fail(exc.problems)
    except PackError as exc:
        _fail([str(p) for p in exc.problems])
    except (UsageError, BaselineError, ReportWriteError) as exc:
        _fail([f"error: {exc}"])
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - the user gets a one-line error, --debug the traceback
        if debug:
            raise
        _fail([f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"])


debug_option = click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
policy_option = click.option(
    "--policy", type=click.Path(dir_okay=False, path_type=Path),
    help="A trusted gate from outside the checked tree: the project config then supplies facts and waivers only.",
)


# `\b` keeps click from rewrapping the paragraph that follows it.
EXIT_CODES_HELP = """\b
Exit codes:
  0    ready: nothing at or above --fail-on failed
  1    not ready (api-diff: a breaking change)
  2    usage or configuration error (bad flag, invalid config or rule pack: file:line:col)
  130  interrupted (SIGINT)
  143  terminated (SIGTERM)"""
COMPLETION_HELP = (
    "\b\nShell completion (bash; zsh_source or fish_source for zsh and fish):\n"
    '  eval "$(_READINESS_COMPLETE=bash_source readiness)"'
)
MAIN_EPILOG = f"""{EXIT_CODES_HELP}

\b
Examples:
  readiness init .                          a commented readiness.yaml with what was found
  readiness check .                         terminal view + reports/readiness.json
  readiness check . --format sarif --format junit --fail-on medium
  readiness check . --format json --output-dir - > readiness.json
  readiness rules show REL004
  readiness schema --config > readiness.schema.json

{COMPLETION_HELP}"""
CHECK_EPILOG = f"""{EXIT_CODES_HELP}

\b
Examples:
  readiness check .                                   terminal view + reports/readiness.json
  readiness check services/ranker --fail-on medium    a stricter gate
  readiness check . --only reliability --only SEC007  a category and one rule
  readiness check . --format github --format sarif --format markdown
  readiness check . --format sarif --output-dir -     the SARIF log alone, on standard output
  readiness check . --baseline .readiness/baseline.json --policy ../policy.yaml"""


@click.group(cls=_ReadinessGroup, epilog=MAIN_EPILOG,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})  # fmt: skip
@click.version_option(__version__, prog_name="readiness")
def main() -> None:
    """Deployment readiness and audit checks for services that put ML models into production."""


@main.command(epilog=CHECK_EPILOG)
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: PATH/readiness.yaml, else [tool.readiness] in PATH/pyproject.toml).")
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(path_type=Path),
              help="Extra rule pack file or folder (repeatable).")
@click.option("--only", multiple=True, metavar="ID|CATEGORY", help="Run only these rules or categories (repeatable).")
@click.option("--skip", multiple=True, metavar="ID|CATEGORY", help="Skip these rules or categories (repeatable).")
@click.option("--format", "formats", multiple=True,
              type=click.Choice(["terminal", "json", "sarif", "junit", "markdown", "html", "github", "codequality"]),
              help="Report format (repeatable; default: terminal + json).")
@click.option("--output-dir", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for report files (relative to the working directory); `-`: the one --format report "
                   "to standard output, nothing else there.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that fails the gate (default: high).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="A previous readiness.json: only findings not in it fail the gate.")
@click.option("--changed", multiple=True, type=click.Path(path_type=Path),
              help="Pre-commit mode: run only rules whose inputs include FILE (repeatable).")
@click.option("--jobs", type=click.IntRange(min=1), help="Parallel workers (default: CPU count).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache in PATH/.readiness-cache/.")
@click.option("--no-inline-waivers", is_flag=True,
              help="`# nosec` and `pragma: allowlist secret` comments no longer suppress findings.")
@click.option("--verbose", is_flag=True, help="List every rule in the terminal, not only the failing ones.")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
              help="Colour in the terminal view; auto: not with NO_COLOR, always with FORCE_COLOR, else on a TTY.")
@policy_option
@debug_option
def check(path: Path, formats: tuple[str, ...], changed: tuple[Path, ...], no_cache: bool, no_inline_waivers: bool,
          debug: bool, **options: Any) -> None:  # fmt: skip
    """Run the rule packs against PATH (default: .) and write reports."""
    from checker.commands.check import CheckRequest, default_formats, run_check

    if not path.is_dir():
        _fail([f"error: {path}: no such directory"])
    request = CheckRequest(target=path, formats=formats or default_formats(options["output_dir"]), changed=changed or None,
                           use_cache=not no_cache, inline_waivers=not no_inline_waivers, **options)  # fmt: skip
    sys.exit(_guarded(debug, lambda: run_check(request)))


@main.command("pre-commit")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Config file.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that fails the gate.")
@click.option("--jobs", type=click.IntRange(min=1), help="Parallel workers (default: CPU count).")
@click.option("--no-cache", is_flag=True, help="Do not use the cache in .readiness-cache/.")
@click.option("--no-inline-waivers", is_flag=True,
              help="`# nosec` and `pragma: allowlist secret` comments no longer suppress findings.")
@policy_option
@debug_option
def pre_commit(files: tuple[Path, ...], config_file: Path | None, fail_on: str | None, jobs: int | None,
               no_cache: bool, no_inline_waivers: bool, policy: Path | None, debug: bool) -> None:  # fmt: skip
    """What the pre-commit hook calls: `check` for the rules that read FILES (default: git's staged files,
    deletions included), each file with its nearest enclosing project's config."""
    from checker.commands.staged import NOT_A_REPOSITORY, staged_or_given

    given = staged_or_given(files)
    if given is None:
        click.echo(NOT_A_REPOSITORY)
        sys.exit(0)
    files = given
    command = _pre_commit_command(files, config_file, fail_on) + (["--no-inline-waivers"] if no_inline_waivers else [])
    if policy is not None:
        command.append(f"--policy={_file_identity(policy)}")
    if not no_cache:
        from checker import replay

        code = replay.replay(Path("."), command)  # unchanged inputs: the last result, without the engine
        if code is not None:
            sys.exit(code)
    from checker.commands.precommit import run_pre_commit

    sys.exit(_guarded(debug, lambda: run_pre_commit(files, config_file, fail_on, jobs, not no_cache, command,
                                                    inline_waivers=not no_inline_waivers, policy=policy)))


def _file_identity(path: Path) -> str:
    """A file outside the target (the policy) by content, so that a replay never outlives an edit of it."""
    import hashlib

    try:
        return f"{path}:{hashlib.sha256(path.read_bytes()[: 1 << 20]).hexdigest()}"
    except OSError:
        return str(path)


def _pre_commit_command(files: tuple[Path, ...], config_file: Path | None, fail_on: str | None) -> list[str]:
    """What identifies a pre-commit invocation for replay (jobs and --debug do not change the result)."""
    config = ""
    if config_file is not None:
        try:
            config = f"{config_file}:{config_file.stat().st_mtime_ns}:{config_file.stat().st_size}"
        except OSError:
            config = str(config_file)
    return ["pre-commit", *sorted(f.as_posix() for f in files), f"--config={config}", f"--fail-on={fail_on or ''}"]


@main.command()
@click.argument("old", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["terminal", "markdown"]), default="terminal", show_default=True)
@debug_option
def diff(old: Path, new: Path, fmt: str, debug: bool) -> None:
    """What got fixed, what regressed and how the score moved between two readiness.json reports."""
    from checker.commands.diff import diff_reports

    click.echo(_guarded(debug, lambda: diff_reports(old, new, fmt)), nl=False)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False, exists=True, path_type=Path))
@debug_option
def init(path: Path, debug: bool) -> None:
    """Write a commented readiness.yaml for PATH with the discovered inputs filled in."""
    from checker.commands.init import write_config

    click.echo(_guarded(debug, lambda: write_config(path)))


@main.group()
def rules() -> None:
    """List, show and validate rule packs."""


@rules.command("list")
@click.option("--category", type=click.Choice(["scalability", "reliability", "monitoring", "versioning",
                                                "api_contracts", "data_compatibility", "security"]))  # fmt: skip
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(path_type=Path), help="Extra rule packs.")
@debug_option
def rules_list(category: str | None, extra_rules: tuple[Path, ...], debug: bool) -> None:
    """One line per rule: id, category, severity, title."""
    from checker.commands.rules import list_rules

    click.echo(_guarded(debug, lambda: list_rules(category, extra_rules)), nl=False)


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(path_type=Path), help="Extra rule packs.")
@debug_option
def rules_show(rule_id: str, extra_rules: tuple[Path, ...], debug: bool) -> None:
    """Full description, rationale, remediation and check definition of a rule."""
    from checker.commands.rules import show_rule

    click.echo(_guarded(debug, lambda: show_rule(rule_id, extra_rules)), nl=False)


@rules.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@debug_option
def rules_validate(files: tuple[Path, ...], debug: bool) -> None:
    """Validate rule pack files; every problem as FILE:LINE:COL: field.path: message."""
    from checker.commands.rules import validate_files

    click.echo(_guarded(debug, lambda: validate_files(files)))


@main.command()
@click.option("--config", "of_config", is_flag=True, help="The schema of readiness.yaml instead.")
@debug_option
def schema(of_config: bool, debug: bool) -> None:
    """Print the JSON Schema of rule pack files, or of readiness.yaml with --config (for editors)."""
    if of_config:
        from checker.config_schema import config_schema_text

        click.echo(_guarded(debug, config_schema_text), nl=False)
        return
    from checker.commands.rules import schema_text

    click.echo(_guarded(debug, schema_text), nl=False)


@main.command("api-diff")
@click.argument("old")
@click.argument("new")
@debug_option
def api_diff(old: str, new: str, debug: bool) -> None:
    """Breaking changes from OLD to NEW (spec files, or REV:PATH for a git revision); exit 1 when any."""
    from checker.commands.api_diff import run_api_diff

    code, text = _guarded(debug, lambda: run_api_diff(old, new, Path.cwd()))
    click.echo(text, nl=False, err=code == 2)
    sys.exit(code)
