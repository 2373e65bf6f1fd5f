"""A small fuzz driver for the parsers that read untrusted input.

A target is a module in `tests/fuzz/targets/` (loaded by path: `tests/` is not a package) with

    SEEDS: list[bytes]               valid and near-valid inputs to mutate
    def check(data: bytes) -> None  returns when the code under test succeeded or raised its documented
                                     user-facing error; anything else propagates, and is a finding

Inputs are mutations of the seeds (byte flips, splices between seeds, inserted YAML / Dockerfile / JSON
tokens, deletions, duplications, truncation) drawn by hypothesis (coverage-blind but
deterministic with `--seed`, and already a test dependency; atheris would add a compiler-built extension).
Each finding is saved with its traceback, so it can be replayed with `check(path.read_bytes())`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import signal
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Iterator

TARGETS = Path(__file__).parent / "targets"
INPUT_TIMEOUT_S = 10  # an input that takes longer is a finding (a hang), not a slow test

# Fragments that steer mutations towards the grammar of the inputs: structure, hostile tags and anchors,
# Dockerfile instructions and heredocs, JSON / `$ref` shapes, and bytes that are not text.
TOKENS: tuple[bytes, ...] = (
    b"\n", b"\r\n", b"\t", b" ", b"  ", b"- ", b": ", b"? ", b"---\n", b"...\n", b"#", b"[", b"]", b"{", b"}",
    b",", b"'", b'"', b"|", b">", b"&a ", b"*a", b"<<: *a", b"!!python/object/apply:os.system ", b"!!binary ",
    b"!!set ", b"!custom ", b"%YAML 1.1\n", b"~", b"null", b"no", b"yes", b"on", b"1.10", b"0755", b".inf",
    b"2024-01-01", b"1e999", b"-", b"\\", b"\\x00", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\x1b[31m",
    b"FROM ", b"RUN ", b"USER ", b"ADD ", b"COPY ", b"ARG ", b"ENV ", b"HEALTHCHECK ", b"<<EOF\n", b"\nEOF\n",
    b"\\\n", b"${", b"$(", b"@sha256:", b":latest", b'{"$ref": "', b'"$ref": ', b"#/", b"http://", b"file://",
    b"../", b"/etc/passwd", b"%", b"\"type\": ", b"true", b"[]", b"{}", b"0", b"-1", b"9" * 30,
)


@dataclass(frozen=True)
class Finding:
    error: str  # "ExceptionType: message"
    where: str  # the innermost frame, which identifies the bug
    input_file: Path


@dataclass
class Report:
    target: str
    inputs: int = 0
    seconds: float = 0.0
    engine: str = "hypothesis"
    findings: list[Finding] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.inputs / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        head = (f"{self.target}: {self.inputs} inputs in {self.seconds:.1f} s ({self.rate:.0f}/s, {self.engine}), "
                f"{len(self.findings)} finding(s)")  # fmt: skip
        return "\n".join([head, *(f"  {f.error} at {f.where} -> {f.input_file}" for f in self.findings)])


def target_names() -> list[str]:
    return sorted(p.stem for p in TARGETS.glob("*.py") if not p.name.startswith("_"))


def load_target(name: str) -> ModuleType:
    path = TARGETS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"fuzz_target_{name}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"no fuzz target {name!r} in {TARGETS}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    if not isinstance(getattr(module, "SEEDS", None), list) or not callable(getattr(module, "check", None)):
        raise ValueError(f"fuzz target {path} needs `SEEDS: list[bytes]` and `check(data: bytes) -> None`")
    return module


# --- mutations -----------------------------------------------------------------------------------------


def flip(data: bytes, at: int, bit: int) -> bytes:
    if not data:
        return bytes([1 << bit])
    at %= len(data)
    return data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]


def insert(data: bytes, at: int, token: bytes) -> bytes:
    at %= len(data) + 1
    return data[:at] + token + data[at:]


def splice(data: bytes, at: int, other: bytes, start: int) -> bytes:
    return data[: at % (len(data) + 1)] + other[start % (len(other) + 1) :]


def delete(data: bytes, at: int, size: int) -> bytes:
    at %= len(data) + 1
    return data[:at] + data[at + size :]


def duplicate(data: bytes, at: int, size: int) -> bytes:
    at %= len(data) + 1
    return data[: at + size] + data[at : at + size] + data[at + size :]


def truncate(data: bytes, at: int) -> bytes:
    return data[: at % (len(data) + 1)]


def mutate(rng: random.Random, seeds: list[bytes]) -> bytes:
    """A seed with one to eight mutations chosen by `rng` (deterministic for a given state)."""
    data = rng.choice(seeds)
    for _ in range(rng.randint(1, 8)):
        at, kind = rng.randrange(1 << 20), rng.randrange(8)
        if kind == 0:
            data = flip(data, at, rng.randrange(8))
        elif kind in (1, 2):  # a token, or a run of one (deep nesting, long lines)
            data = insert(data, at, rng.choice(TOKENS) * (1 if kind == 1 else rng.choice((2, 64, 4096))))
        elif kind == 3:
            data = splice(data, at, rng.choice(seeds), rng.randrange(1 << 20))
        elif kind == 4:
            data = delete(data, at, rng.randint(1, 64))
        elif kind == 5:
            data = duplicate(data, at, rng.randint(1, 256))
        elif kind == 6:
            data = truncate(data, at)
        else:
            data = insert(data, at, rng.randbytes(rng.randint(1, 16)))
    return data


def _mutations(seeds: list[bytes]):  # type: ignore[no-untyped-def]
    """A hypothesis strategy of mutated inputs. Hypothesis draws the mutation plan's seed: drawing every
    mutation through strategies cost ~8 ms an input, 20x the plain `random` mutator it now drives."""
    from hypothesis import strategies as st

    return st.integers(min_value=0, max_value=(1 << 64) - 1).map(lambda n: mutate(random.Random(n), seeds))


# --- running -------------------------------------------------------------------------------------------


class InputTimeout(Exception):
    """One input ran longer than INPUT_TIMEOUT_S."""


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """SIGALRM interrupts a pure-Python hang; only available in the main thread on POSIX."""
    usable = hasattr(signal, "SIGALRM") and _main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise InputTimeout(f"input took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class _Session:
    def __init__(self, name: str, module: ModuleType, out_dir: Path) -> None:
        self.module, self.out_dir = module, out_dir
        self.report = Report(name)
        self._seen: set[tuple[str, str]] = set()

    def one(self, data: bytes) -> None:
        self.report.inputs += 1
        try:
            with _time_limit(INPUT_TIMEOUT_S):
                self.module.check(data)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - anything the target lets through is a finding
            self._record(data, exc)

    def _record(self, data: bytes, exc: BaseException) -> None:
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
        if (type(exc).__name__, where) in self._seen:
            return
        self._seen.add((type(exc).__name__, where))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"{self.report.target}-{hashlib.sha256(data).hexdigest()[:16]}.bin"
        path.write_bytes(data)
        path.with_suffix(".txt").write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        self.report.findings.append(Finding(error, where, path))


def run(name: str, examples: int, out_dir: Path, seed: int | None = None) -> Report:
    """Feed `examples` inputs to target `name`: every seed first, then mutations."""
    module = load_target(name)
    session = _Session(name, module, out_dir)
    started = time.perf_counter()
    for data in module.SEEDS[:examples]:
        session.one(data)
    remaining = examples - session.report.inputs
    if remaining > 0:
        _run_hypothesis(session, remaining, seed)
    session.report.seconds = time.perf_counter() - started
    return session.report


def _run_hypothesis(session: _Session, examples: int, seed: int | None) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    # No example database (nothing written into the repository), no deadline (timing is not a finding),
    # generation only: the function never fails, findings are collected instead of shrunk.
    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate])  # fmt: skip
    @given(_mutations(session.module.SEEDS))
    def fuzz(data: bytes) -> None:
        session.one(data)

    if seed is not None:
        fuzz = fixed_seed(seed)(fuzz)
    fuzz()
