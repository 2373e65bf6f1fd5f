"""Writing report files as one set, so that no report on disk is partial, stale or mixed.

Every format is rendered in memory first (by the caller). Then, holding an exclusive lock on the output
folder, each file is written to a temporary file beside its destination and flushed to disk, and only when
all of them are written are they renamed over the previous reports. SIGINT and SIGTERM are deferred during the
renames, so an interrupted run leaves either the previous set or the new one, never half of each. Any failure
before the renames (a full disk, a directory in the way) removes the temporary files and leaves the previous
reports byte-identical.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
T = TypeVar("T")


class ReportWriteError(Exception):
    """A report file could not be written; the previous reports are untouched."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot write report {path}: {reason}")


def write_reports(out_dir: Path, files: dict[str, str]) -> None:
    """Replace the report files `files` (name -> text) in `out_dir` all together, or not at all."""
    if not files:
        return
    targets = {out_dir / name: text.encode("utf-8") for name, text in files.items()}
    first = next(iter(targets))
    _guard(first, lambda: out_dir.mkdir(parents=True, exist_ok=True))
    with ExitStack() as stack:
        folder_fd = _guard(first, lambda: stack.enter_context(folder_lock(out_dir)))
        temps: dict[Path, str] = {}
        try:
            for path, data in targets.items():
                _guard(path, partial(_refuse_directory, path))
                temps[path] = _guard(path, partial(_write_temp, path, data))
            _commit(temps, folder_fd)
        finally:
            for tmp in temps.values():  # only what was not renamed is left in `temps`
                Path(tmp).unlink(missing_ok=True)


def remove_stale(out_dir: Path, names: list[str]) -> None:
    """Remove this run's report files (a run that failed to render must not leave an older report behind)."""
    for name in names:
        (out_dir / name).unlink(missing_ok=True)


def _commit(temps: dict[Path, str], folder_fd: int | None) -> None:
    """Rename every temporary file over its report; a signal arriving meanwhile is delivered afterwards."""
    with signals_deferred():
        for path in list(temps):
            _guard(path, partial(os.replace, temps[path], path))
            del temps[path]
    if folder_fd is None:
        return
    try:
        os.fsync(folder_fd)  # make the renames durable; some filesystems cannot sync a folder, which is harmless
    except OSError:
        pass


def _write_temp(path: Path, data: bytes) -> str:
    fd, tmp = _create_temp(path)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp creates 0600; reports are for everyone who reads the folder
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the rename makes it the report
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _create_temp(path: Path) -> tuple[int, str]:
    """A new hidden temporary file in the destination's folder (a rename is atomic only within one filesystem)."""
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def _refuse_directory(path: Path) -> None:
    """A directory in the way would fail the rename half-way through the set: refuse it before writing."""
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(21, "a directory is in the way", str(path))


def _guard(path: Path, action: Callable[[], T]) -> T:
    """Run a filesystem step for report `path`; an OS error becomes a one-line `cannot write report` error."""
    try:
        return action()
    except OSError as exc:
        raise ReportWriteError(path, exc.strerror or str(exc)) from exc


@contextmanager
def folder_lock(folder: Path) -> Iterator[int | None]:
    """An exclusive lock on the output folder itself (flock on its descriptor: no lock file litters the folder).
    Concurrent runs writing the same folder take turns, so a set of reports is never interleaved from two runs;
    a reader that wants a consistent set can take the lock too. Yields the folder's descriptor (None: no lock)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no folder lock, and each file is still replaced atomically
        yield None
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then deliver them to the handlers that were in place.

    Python runs signal handlers in the main thread whichever thread the kernel delivered the signal to, so a
    per-thread signal mask would not protect the main thread from a signal taken by a worker thread: the
    handlers themselves are swapped for ones that only record the signal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can change handlers, and only it ever runs them
        return
    caught: list[int] = []
    previous = {number: signal.getsignal(number) for number in DEFERRED_SIGNALS}
    for number in DEFERRED_SIGNALS:
        signal.signal(number, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
