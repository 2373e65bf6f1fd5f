"""SEC008: Dockerfiles do not `ADD` remote URLs, pipe downloads into a shell, or run a downloaded script.

What a build fetches at build time is not reviewed, not pinned and can change between two builds of the
same commit; run by a shell, it is code execution as root inside the image.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.checks.shellwords import SHELLS, SimpleCommand, commands, tokens
from checker.model import Finding
from checker.project.dockerfile import Dockerfile, Instruction, Stage, dockerfiles

_URL = re.compile(r"^(?:https?|ftp)://|^git@|\.git(?:#.*)?$", re.IGNORECASE)
_DOWNLOADERS = frozenset({"curl", "wget"})
# `sh -c "$(curl …)"`, `bash <(wget -O- …)`, backticks: a download substituted into a shell's arguments.
_SUBSTITUTED = re.compile(r"\b(?:ba|z|da|k|a)?sh\b[^;&|]*?(?:\$\(|<\(|`)\s*(?:sudo\s+)?(?:curl|wget)\b")


class RemoteFetchParams(Params):
    pass


def register(registry: Registry) -> None:
    check_type(
        registry, "dockerfile_remote_fetch", RemoteFetchParams,
        "Dockerfiles do not ADD URLs, pipe downloads into a shell or run downloaded scripts", inputs=("dockerfile",),
    )(dockerfile_remote_fetch)  # fmt: skip


def dockerfile_remote_fetch(ctx: CheckContext, params: RemoteFetchParams) -> Outcome:  # type: ignore[override]
    files = dockerfiles(ctx.index).files
    if not files:
        return Outcome.skipped("no Dockerfile found")
    findings = [f for dockerfile in files for stage in dockerfile.stages for f in _stage_findings(dockerfile, stage)]
    return Outcome.from_findings(findings, f"{len(files)} Dockerfile(s) fetch nothing remote at build time",
                                 "{count} remote fetches at build time")  # fmt: skip


@dataclass
class _Downloads:
    """Files a stage has downloaded so far (by base name) and the line of each download."""

    lines: dict[str, int]


def _stage_findings(dockerfile: Dockerfile, stage: Stage) -> list[Finding]:
    findings: list[Finding] = []
    downloads = _Downloads(lines={})
    for instruction in stage.instructions:
        if instruction.keyword == "ADD":
            findings += _remote_add(dockerfile.path, instruction)
        elif instruction.keyword == "RUN":
            findings += _run_findings(dockerfile.path, instruction, downloads)
    return findings


def _remote_add(path: str, instruction: Instruction) -> list[Finding]:
    words = [w for w in tokens(instruction.value) if not w.startswith("--")]
    urls = [w for w in words[:-1] if _URL.search(w)]
    return [
        _finding(path, instruction, f"ADD fetches the remote URL {url}; download it in a verified step or COPY it", url)
        for url in urls
    ]  # fmt: skip


def _run_findings(path: str, instruction: Instruction, downloads: _Downloads) -> list[Finding]:
    script = instruction.command_text
    found: list[Finding] = []
    if _SUBSTITUTED.search(script):
        found.append(_finding(path, instruction, "RUN passes a download straight to a shell", "substituted"))
    simple = commands(script)
    for previous, command in zip([None, *simple], simple):
        if command.piped and command.program in SHELLS and previous and _downloads_from(previous):
            found.append(_finding(path, instruction, f"RUN pipes a {previous.program} download into {command.program}",
                                  f"{previous.program}|{command.program}"))  # fmt: skip
        for name in _saved_files(command):
            downloads.lines.setdefault(name, instruction.line)
        executed = _executed_script(command)
        if executed in downloads.lines:
            message = f"RUN executes {executed}, downloaded at line {downloads.lines[executed]}; verify a checksum first"
            found.append(_finding(path, instruction, message, f"exec:{executed}"))
    return found


def _downloads_from(command: SimpleCommand) -> bool:
    return command.program in _DOWNLOADERS


def _saved_files(command: SimpleCommand) -> list[str]:
    """Base names of the files a curl/wget command writes (`-` is standard output, not a file)."""
    if not _downloads_from(command):
        return []
    args = list(command.args)
    url = next((a for a in args if "://" in a), "")
    letter = "o" if command.program == "curl" else "O"  # the output-file option of each tool
    names = [command.stdout_to] if command.stdout_to else []
    named_output = False
    for i, arg in enumerate(args):
        following = args[i + 1] if i + 1 < len(args) else ""
        if arg.startswith(("--output=", "--output-document=")):
            names.append(arg.split("=", 1)[1])
            named_output = True
        elif arg in ("--output", "--output-document"):
            names.append(following)
            named_output = True
        elif _short_cluster(arg) and letter in arg:
            rest = arg[arg.index(letter) + 1:]
            names.append(rest or following)
            named_output = True
        elif command.program == "curl" and (arg == "--remote-name" or (_short_cluster(arg) and "O" in arg)):
            names.append(url.rsplit("/", 1)[-1])
    if command.program == "wget" and not named_output and not command.stdout_to:
        names.append(url.rsplit("/", 1)[-1])  # wget saves under the URL's file name by default
    return [posixpath.basename(n) for n in names if n and n != "-"]


def _short_cluster(arg: str) -> bool:
    return arg.startswith("-") and not arg.startswith("--") and len(arg) > 1


def _executed_script(command: SimpleCommand) -> str | None:
    """Base name of the script a command runs: `sh x.sh`, `bash -e x.sh`, `./x.sh`, `/tmp/x.sh`, `. x.sh`."""
    if command.program in SHELLS or command.argv[0] in (".", "source"):
        operands = [a for a in command.args if not a.startswith("-")]
        return posixpath.basename(operands[0]) if operands and not command.piped else None
    if "/" in command.argv[0]:
        return posixpath.basename(command.argv[0])
    return None


def _finding(path: str, instruction: Instruction, message: str, what: str) -> Finding:
    return Finding(message=message, path=path, line=instruction.line, locator=f"{path}:{instruction.keyword}:{what}")
