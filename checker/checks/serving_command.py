"""SCA005: the serving command runs a production server, not a development server.

Serving commands are read from the final stage of each Dockerfile (`ENTRYPOINT` + `CMD`), compose
`entrypoint`/`command` and the containers of Kubernetes serving workloads (`command` + `args`). Known
development servers fail (SPEC §7); anything else passes. `python app.py` and `python -m pkg.app` are
followed into the entry module, whose AST (never executed) is searched for `app.run(debug=…)`.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.checks.shellwords import SimpleCommand, commands
from checker.model import Finding
from checker.project.dockerfile import dockerfiles
from checker.project.index import ProjectIndex
from checker.project.pysource import ModuleFacts, PythonSources

_PYTHON_PREFIXES = ("python", "pypy")


class ServingCommandParams(Params):
    pass


@dataclass(frozen=True)
class ServingCommand:
    text: str  # one shell string
    path: str
    line: int | None
    label: str


def register(registry: Registry) -> None:
    check_type(
        registry, "production_server", ServingCommandParams,
        "serving commands run a production server, not a development server",
        inputs=("dockerfile", "compose", "kubernetes", "python"),
    )(production_server)  # fmt: skip


def production_server(ctx: CheckContext, params: ServingCommandParams) -> Outcome:  # type: ignore[override]
    found = [*_dockerfile_commands(ctx.index), *_compose_commands(ctx.index), *_kube_commands(ctx.index)]
    if not found:
        return Outcome.skipped("no serving command found (Dockerfile CMD/ENTRYPOINT, compose command, container command)")
    findings = [f for command in found for f in _judge(ctx.index, command)]
    return Outcome.from_findings(findings, f"{len(found)} serving command(s) run a production server",
                                 "{count} development servers")  # fmt: skip


# --- where serving commands are written -----------------------------------------------------------


def _dockerfile_commands(index: ProjectIndex) -> Iterator[ServingCommand]:
    for dockerfile in dockerfiles(index).files:
        if not dockerfile.stages:
            continue
        final = dockerfile.stages[-1]
        parts = [dockerfile.effective(final, keyword) for keyword in ("ENTRYPOINT", "CMD")]
        present = [instruction for _, instruction in filter(None, parts)]
        if present:
            text = " ".join(i.command_text for i in present)
            yield ServingCommand(text, dockerfile.path, present[-1].line, f"{present[-1].keyword} of final {final.label}")


def _compose_commands(index: ProjectIndex) -> Iterator[ServingCommand]:
    for service in index.compose.services:
        parts = [(key, service.data.get(key)) for key in ("entrypoint", "command")]
        present = [(key, value) for key, value in parts if value]
        if present:
            text = " ".join(_as_text(value) for _, value in present)
            yield ServingCommand(text, service.path, service.line(present[-1][0]), f"{service.label} command")


def _kube_commands(index: ProjectIndex) -> Iterator[ServingCommand]:
    for workload in index.kube.serving_workloads():
        for container in workload.containers(init=False):
            present = [key for key in ("command", "args") if container.data.get(key)]
            if present:
                text = " ".join(_as_text(container.data[key]) for key in present)
                line = container.source.line((*container.path, present[0]))
                yield ServingCommand(text, container.source.path, line, f"{container.label} command")


def _as_text(value: Any) -> str:
    return shlex.join(str(v) for v in value) if isinstance(value, list) else str(value)


# --- judging one command ------------------------------------------------------------------------------


def _judge(index: ProjectIndex, command: ServingCommand) -> list[Finding]:
    problems = [p for simple in commands(command.text) for p in _development_server(index, simple)]
    return [
        Finding(message=f"{command.label}: {problem}", path=command.path, line=command.line,
                locator=f"{command.path}:{command.label}")
        for problem in dict.fromkeys(problems)
    ]  # fmt: skip


def _development_server(index: ProjectIndex, command: SimpleCommand) -> list[str]:
    program, args = _unwrap_python(command)
    if program == "flask" and "run" in args:
        return ["`flask run` starts Flask's development server; serve with gunicorn"]
    if program in ("uvicorn", "fastapi") and any(a == "--reload" or a.startswith("--reload") for a in args):
        return [f"`{program} --reload` is a development mode (it watches files and runs one process)"]
    if program == "fastapi" and args[:1] == ("dev",):
        return ["`fastapi dev` is a development server; use `fastapi run` or gunicorn with uvicorn workers"]
    if "runserver" in args and (program == "django-admin" or program.endswith("manage.py")):
        return ["`manage.py runserver` is Django's development server; serve with gunicorn or uvicorn"]
    if program.endswith(".py") or command.program.startswith(_PYTHON_PREFIXES):
        return _entry_code_problems(index, command)
    return []


def _unwrap_python(command: SimpleCommand) -> tuple[str, tuple[str, ...]]:
    """`python -m flask run` -> ("flask", ("run",)); `python manage.py x` -> ("manage.py", ("x",))."""
    if not command.program.startswith(_PYTHON_PREFIXES):
        return command.program, command.args
    args = list(command.args)
    while args and args[0].startswith("-") and args[0] != "-m":
        args.pop(0)
    if args[:1] == ["-m"] and len(args) > 1:
        return args[1], tuple(args[2:])
    if args:
        return args[0].rsplit("/", 1)[-1], tuple(args[1:])
    return command.program, ()


def _entry_code_problems(index: ProjectIndex, command: SimpleCommand) -> list[str]:
    module = _entry_module(index, command)
    if module is None:
        return []
    facts = PythonSources.of(index).facts(module)  # shared with MON001/MON004: each file is parsed once
    if facts is None:
        return []
    return [f"{module}:{line} calls app.run(debug=…), Flask's development server" for line in _debug_runs(facts)]


def _entry_module(index: ProjectIndex, command: SimpleCommand) -> str | None:
    """The project file a `python file.py` / `python -m pkg.mod` command runs, when exactly one matches."""
    args = [a for a in command.args if not a.startswith("-") or a == "-m"]
    suffixes: tuple[str, ...]
    if args[:1] == ["-m"] and len(args) > 1:
        suffixes = ("/" + args[1].replace(".", "/") + ".py", "/" + args[1].replace(".", "/") + "/__main__.py")
    elif args and args[0].endswith(".py"):
        suffixes = ("/" + args[0].lstrip("./").rsplit("/", 1)[-1],)
    else:
        return None
    matches = [f.path for f in index.of_kind("python") if any(("/" + f.path).endswith(s) for s in suffixes)]
    return matches[0] if len(matches) == 1 else None


def _debug_runs(facts: ModuleFacts) -> list[int]:
    """Lines of `<x>.run(..., debug=...)` calls."""
    return sorted(c.line for c in facts.calls if c.name == "run" and c.receiver is not None and c.has_keyword("debug"))
