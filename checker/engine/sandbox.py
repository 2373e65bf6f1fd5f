"""Rules evaluated in a forked worker process, so that no rule can take the run down with it.

A thread cannot be stopped: a check that calls `os._exit`, hangs in C code holding the GIL (a catastrophic
regex), exhausts memory or raises SystemExit would kill or hang an in-process run. So the lead (the process
that built the project index) forks ONE worker, which inherits the index copy-on-write, evaluates the rules
in order and streams each result back over a pipe, as JSON (nothing is ever unpickled). The lead watches it:
a rule that overruns its time budget, grows the worker's resident memory by more than `limits.rule_memory_mb`
or ends the process becomes `error` with the reason; the worker is killed with its process group (whatever it
started goes too) and reaped, and a fresh worker is forked for the rules left. The lead must not run threads
of its own when it forks (the CLI starts none; a progress bar or a bandit pool lives in the worker).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, NoReturn

from checker.engine import memory
from checker.model import InputProblem, RuleResult
from checker.project.index import ProjectIndex

TICK_S = 0.05  # how often the lead looks at the worker's memory and liveness while it waits for a result
EXIT_GRACE_S = 5.0  # how long a worker that sent every result may take to exit before it is killed
WORKER_FAILED = 70  # exit code of a worker whose own machinery failed, e.g. the lead went away (EX_SOFTWARE)

Evaluate = Callable[[int], RuleResult]  # the i-th rule's result, evaluated in the worker
Failed = Callable[[int, str], RuleResult]  # the i-th rule's `error` result with a reason, made by the lead


@dataclass(frozen=True)
class Plan:
    budgets: Sequence[float]  # seconds, one per rule
    evaluate: Evaluate
    failed: Failed
    index: ProjectIndex  # the worker's input problems are merged into it, so that reports list them
    memory_mb: int


def available() -> bool:
    """Rules can run in a forked worker: POSIX, and no Spark session lives in this process (a program that
    embeds the checker with its own session; the session's link to its JVM cannot cross a fork)."""
    return hasattr(os, "fork") and not _spark_session_here()


def _spark_session_here() -> bool:
    sql = sys.modules.get("pyspark.sql")  # never imported just to ask
    try:
        return sql is not None and sql.SparkSession.getActiveSession() is not None
    except Exception:  # noqa: BLE001 - a broken pyspark: no session to protect
        return False


def evaluate_isolated(plan: Plan) -> list[RuleResult]:
    """Every rule's result, in order. Total time is bounded by the sum of the budgets."""
    return _Lead(plan).run()


class _Lead:
    """The forking side: which rule the current worker is on, and what to do when it misbehaves."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.results: list[RuleResult] = []  # results[i] belongs to rule i; len() is the rule being evaluated
        self.started = 0.0  # when the current rule started

    @property
    def current(self) -> int:
        return len(self.results)

    @property
    def done(self) -> bool:
        return self.current == len(self.plan.budgets)

    def run(self) -> list[RuleResult]:
        while not self.done:
            try:
                worker = _Worker.fork(self.current, self.plan)
            except OSError as exc:  # no process can be started (EAGAIN, ENOMEM): fail closed, try the next rule
                self._fail(f"cannot start a process for the rule: {exc.strerror or exc}")
                continue
            try:
                self._supervise(worker)
            except BaseException:  # Ctrl-C or SIGTERM in the lead: no orphan worker, then stop as asked
                worker.kill()
                raise
            finally:
                worker.close()
        return self.results

    def _supervise(self, worker: _Worker) -> None:
        self.started = time.monotonic()
        while not self.done:
            deadline = self.started + self.plan.budgets[self.current]
            if not self._take(worker, worker.receive(min(TICK_S, deadline - time.monotonic()))):
                worker.kill()
                return
            if self.done:
                worker.finish()
                return
            if worker.ended():
                self._after_death(worker)
                return
            if worker.used_kb() > self._cap_kb:
                self._stop(worker, f"the rule used more than {self.plan.memory_mb} MB of memory")
                return
            if time.monotonic() >= self.started + self.plan.budgets[self.current]:
                self._stop(worker, f"the rule exceeded its time budget of {self.plan.budgets[self.current]:g} s")
                return

    @property
    def _cap_kb(self) -> int:
        return self.plan.memory_mb * 1024

    def _take(self, worker: _Worker, messages: Iterator[dict[str, Any]]) -> bool:
        """Record the results received; False when one went over the memory cap (the worker must go: its peak
        memory stays where the rule left it)."""
        for message in messages:
            if "hello" in message:
                worker.baseline_kb = int(message["hello"])
                continue
            for problem in message["problems"]:
                self.plan.index.record_problem(**InputProblem.model_validate(problem).model_dump())
            if int(message["peak_kb"]) - (worker.baseline_kb or 0) > self._cap_kb:
                self._fail(f"the rule used more than {self.plan.memory_mb} MB of memory")
                return False
            self.results.append(RuleResult.model_validate(message["result"]))
            self.started = time.monotonic()
        return True

    def _fail(self, reason: str) -> None:
        self.results.append(self.plan.failed(self.current, reason))
        self.started = time.monotonic()

    def _stop(self, worker: _Worker, reason: str) -> None:
        """Kill the worker for overrunning; its rule is blamed unless its result turns out to have arrived."""
        suspect = self.current
        worker.kill()
        self._take(worker, worker.drain())
        if self.current == suspect:
            self._fail(reason)

    def _after_death(self, worker: _Worker) -> None:
        """The worker ended by itself: the first rule without a result was running."""
        status = worker.kill()
        self._take(worker, worker.drain())
        if not self.done:
            self._fail(_death_reason(status))


def _death_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"the rule's process was killed by signal {os.WTERMSIG(status)}"
    return f"the rule's process exited with code {os.waitstatus_to_exitcode(status)}"


class _Worker:
    """The lead's handle on one worker: its pid, the read end of its result pipe, its memory baseline."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd
        self.baseline_kb: int | None = None  # the worker's resident memory when it started (the lead's, shared)
        self._selector = selectors.DefaultSelector()
        self._selector.register(fd, selectors.EVENT_READ)
        self._buffer = bytearray()
        self._eof = False
        self._status: int | None = None  # set once reaped

    @classmethod
    def fork(cls, start: int, plan: Plan) -> _Worker:
        read_fd, write_fd = os.pipe()
        _flush_stdio()  # output buffered in the lead must not be written twice, once by each process
        lead = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            raise
        if pid == 0:
            os.close(read_fd)
            _serve(lead, start, plan, write_fd)
        os.close(write_fd)
        with suppress(OSError):  # the worker does the same; whichever runs first makes `kill` reach the group
            os.setpgid(pid, pid)
        return cls(pid, read_fd)

    # --- receiving -------------------------------------------------------------------------------

    def receive(self, timeout: float) -> Iterator[dict[str, Any]]:
        """The messages complete after waiting up to `timeout` seconds for more data."""
        if not self._eof and self._selector.select(max(timeout, 0.0)):
            self._read()
        return self._messages()

    def drain(self) -> Iterator[dict[str, Any]]:
        """After the worker is gone: every complete message it managed to send."""
        while not self._eof and self._selector.select(0):
            self._read()
        return self._messages()

    def _read(self) -> None:
        chunk = os.read(self.fd, 1 << 16)
        self._eof = not chunk
        self._buffer += chunk

    def _messages(self) -> Iterator[dict[str, Any]]:
        while (end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 1]
            yield json.loads(line)

    # --- watching --------------------------------------------------------------------------------

    def ended(self) -> bool:
        """The worker exited or was killed (not reaped yet, so its pid and group stay ours until `kill`)."""
        if self._eof:
            return True
        if not hasattr(os, "waitid"):  # macOS: reap it now, after killing what it left in its group
            return self._reaped_if_ended()
        return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def _reaped_if_ended(self) -> bool:
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            self._status = status
        return bool(pid)

    def used_kb(self) -> int:
        """Resident memory the worker added since it started, at its peak (0 where /proc is not available:
        then only the peak each result reports is checked)."""
        if self.baseline_kb is None:
            return 0
        try:
            with open(f"/proc/{self.pid}/status", "rb") as status:
                peak = next((line for line in status if line.startswith(b"VmHWM:")), b"VmHWM: 0 kB")
        except OSError:
            return 0
        return int(peak.split()[1]) - self.baseline_kb

    # --- ending ----------------------------------------------------------------------------------

    def kill(self) -> int:
        """Kill the worker and its process group, reap it; its wait status."""
        if self._status is None:
            for send in (os.killpg, os.kill):
                with suppress(ProcessLookupError, PermissionError):
                    send(self.pid, signal.SIGKILL)
            self._status = os.waitpid(self.pid, 0)[1]
        return self._status

    def finish(self) -> None:
        """After the last result the worker exits by itself (a Spark JVM it started then shuts down cleanly
        when its pipe closes); one that lingers is killed."""
        deadline = time.monotonic() + EXIT_GRACE_S
        while self._status is None and time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._status = status
            else:
                time.sleep(0.001)
        self.kill()

    def close(self) -> None:
        self._selector.close()
        with suppress(OSError):
            os.close(self.fd)


# --- the worker side -------------------------------------------------------------------------------


def _serve(lead: int, start: int, plan: Plan, fd: int) -> NoReturn:
    """Evaluate rules `start`.. in order, sending each result with the input problems it met; never returns."""
    code = 0
    try:
        _detach(lead)
        with os.fdopen(fd, "wb") as out:
            _send(out, {"hello": _own_peak_kb()})
            sent = {p.path for p in plan.index.problems}
            for position in range(start, len(plan.budgets)):
                result = plan.evaluate(position)
                fresh = [p for p in plan.index.problems if p.path not in sent]
                sent.update(p.path for p in fresh)
                problems = [p.model_dump(mode="json") for p in fresh]
                _send(out, {"result": result.model_dump(mode="json"), "problems": problems, "peak_kb": _own_peak_kb()})
    except BaseException:  # noqa: BLE001 - the lead went away (broken pipe) or this machinery failed
        code = WORKER_FAILED
    finally:
        _flush_stdio()
        os._exit(code)  # never back into the lead's stack (its atexit handlers, its test runner)


def _detach(lead: int) -> None:
    """A process group of its own (killed as one), Ctrl-C and SIGTERM left to the lead, death with the lead."""
    with suppress(OSError):
        os.setpgid(0, 0)
    memory.lift()  # the lead's memory cap is the lead's; this process is watched against its own
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # Out of the terminal's foreground group, a write to it (the dataset progress bar) would stop the worker
    # with SIGTTOU where `stty tostop` is set; ignored, the write goes through.
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != lead:  # the lead died before that took effect
        os._exit(WORKER_FAILED)


def _send(out: Any, message: dict[str, Any]) -> None:
    out.write(json.dumps(message).encode("ascii") + b"\n")  # ASCII: even undecodable file names survive
    out.flush()


def _own_peak_kb() -> int:
    import resource  # POSIX only, like fork

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB elsewhere


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
