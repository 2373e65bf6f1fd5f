"""Plugin check types that misbehave, and a script that runs them (tests/test_isolation.py runs it in a
subprocess with a timeout, so that a checker without process isolation fails the test instead of hanging or
killing the test session).

    python tests/isolation_plugins.py TARGET PACK [RULE_ID ...]

prints one JSON object: each rule's status and message, and the processes the run left behind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from checker.checks import builtin
from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.engine.run import RunOptions, run
from checker.model import Finding

MB = 1024 * 1024


class ActParams(Params):
    act: str
    note: str = ""  # a file to write this process's pid (or a child's) to, for the caller to watch


def _hold() -> None:
    while True:
        time.sleep(0.05)


def _note(params: ActParams, pid: int) -> None:
    Path(params.note).write_text(str(pid), encoding="utf-8")


def _allocate_and_hold(params: ActParams) -> Outcome:
    ballast = b"\x01" * (200 * MB)  # written, so resident (a zero-filled buffer may not be)
    _hold()
    return Outcome.passed(f"held {len(ballast)} bytes")


def _allocate_and_return(params: ActParams) -> Outcome:
    ballast = b"\x01" * (200 * MB)
    return Outcome.passed(f"allocated {len(ballast)} bytes")


def _spawn_and_hang(params: ActParams) -> Outcome:
    child = subprocess.Popen(["sleep", "300"])  # noqa: S603, S607 - a grandchild the run must not leave behind
    _note(params, child.pid)
    _hold()
    return Outcome.passed("unreachable")


def _note_and_hang(params: ActParams) -> Outcome:
    _note(params, os.getpid())
    _hold()
    return Outcome.passed("unreachable")


def _catastrophic_regex(params: ActParams) -> Outcome:
    # The standard library's backtracking engine holds the GIL for the whole match: no thread can time it out.
    matched = re.match(r"(a+)+$", "a" * 40 + "b")
    return Outcome.passed(f"matched: {matched}")


def _raise(exc: BaseException) -> Callable[[ActParams], Outcome]:
    def act(params: ActParams) -> Outcome:
        raise exc

    return act


ACTS: dict[str, Callable[[ActParams], Outcome]] = {
    "pass": lambda params: Outcome.passed("all good"),
    "fail": lambda params: Outcome.failed("one finding", [Finding(message="found", path="a.txt", line=1)]),
    "raise": _raise(RuntimeError("boom")),
    "sys_exit": _raise(SystemExit(3)),
    "keyboard_interrupt": _raise(KeyboardInterrupt()),
    "os_exit": lambda params: os._exit(3),
    "sigkill": lambda params: os.kill(os.getpid(), signal.SIGKILL),  # type: ignore[func-returns-value]
    "sleep_forever": lambda params: _hold(),  # type: ignore[func-returns-value]
    "catastrophic_regex": _catastrophic_regex,
    "memory_hog": _allocate_and_hold,
    "memory_spike": _allocate_and_return,
    "spawn_and_hang": _spawn_and_hang,
    "note_and_hang": _note_and_hang,
}


def misbehave(ctx: CheckContext, params: ActParams) -> Outcome:
    return ACTS[params.act](params)


def registry() -> Registry:
    found = Registry()
    builtin.register_all(found)
    check_type(found, "misbehave", ActParams, "does what `act` says")(misbehave)  # type: ignore[arg-type]
    return found


def children() -> list[int]:
    """Processes whose parent is this process, zombies included."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


def main(target: str, pack: str, *only: str) -> None:
    report = run(RunOptions(target=Path(target), extra_packs=(Path(pack),), only=only, registry=registry()))
    results = {r.rule_id: {"status": r.status.value, "message": r.message} for r in report.results}
    print(json.dumps({"results": results, "children": children()}))


if __name__ == "__main__":
    main(*sys.argv[1:])
