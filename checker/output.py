"""Writing report files as one set, so that no report on disk is partial, stale or mixed.

Every format is rendered in memory first (by the caller). Then, holding an exclusive lock on the output
folder, each file is written to a temporary file beside its destination and flushed to disk, and only when
all of them are written are they renamed over the previous reports. SIGINT and SIGTERM are deferred during the
renames, so an interrupted run leaves either the previous set or the new one, never half of each. Any failure
before the renames (a full disk, a directory in the way) removes the temporary files and leaves the previous
reports byte-identical; temporary files that a killed run left behind are removed by the next run.

The output folder is often inside the checked tree (`reports/` in a CI checkout), which a pull request
controls: its components below the working directory (or below the target) are entered without following
links (checker.ownfiles), and a component or report file that is a symlink, FIFO, device or socket is a
one-line error naming it — never written through.
"""

from __future__ import annotations

import os
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

from checker.ownfiles import Folder, NotAFolder, NotARegularFile, kind_of

DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
T = TypeVar("T")


class ReportWriteError(Exception):
    """A report file could not be written; the previous reports are untouched."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot write report {path}: {reason}")


def write_reports(out_dir: Path, files: dict[str, str], untrusted: Path | None = None,
                  leftovers: Iterable[str] = ()) -> None:  # fmt: skip
    """Replace the report files `files` (name -> text) in `out_dir` all together, or not at all.

    `untrusted` is the checked tree: when `out_dir` lies inside it, its components there are never followed
    through links (nor are those below the working directory). Temporary files of `files` and `leftovers`
    (other report names) left by a killed run are removed."""
    if not files:
        return
    targets = {name: text.encode("utf-8") for name, text in files.items()}
    first = out_dir / next(iter(targets))
    with _guard(first, lambda: open_output_folder(out_dir, untrusted, create=True)) as folder:
        with folder.locked():
            _guard(first, partial(folder.remove_leftovers, [*targets, *leftovers]))
            temps: dict[str, str] = {}
            try:
                for name, data in targets.items():
                    _guard(out_dir / name, partial(_refuse_non_regular, folder, name))
                    temps[name] = _guard(out_dir / name, partial(_write_temp, folder, name, data))
                _commit(folder, temps)
            finally:
                for tmp in temps.values():  # only what was not renamed is left in `temps`
                    folder.unlink(tmp)


def remove_stale(out_dir: Path, names: list[str], untrusted: Path | None = None) -> None:
    """Remove this run's report files (a run that failed to render must not leave an older report behind).
    Only in a real folder: never through a link."""
    try:
        with open_output_folder(out_dir, untrusted, create=False) as folder:
            for name in names:
                mode = folder.lstat(name)
                if mode is not None and not stat.S_ISDIR(mode):
                    folder.unlink(name)
    except OSError:
        pass  # no folder, or not a real one: nothing of ours to remove


def open_output_folder(out_dir: Path, untrusted: Path | None, create: bool) -> Folder:
    """The output folder, its untrusted components entered without following links (NotAFolder for one that is
    a symlink, FIFO, device or socket)."""
    anchor, parts = _split(out_dir, [Path.cwd(), *([untrusted] if untrusted is not None else [])])
    return Folder.open(anchor, parts, create=create)


def _split(out_dir: Path, roots: list[Path]) -> tuple[Path, tuple[str, ...]]:
    """(anchor, parts): the parts of `out_dir` below the deepest of `roots` that holds it (lexically), or just
    its last part. A relative `out_dir` is below the working directory."""
    if not out_dir.is_absolute():
        return Path("."), out_dir.parts
    full = Path(os.path.abspath(out_dir))
    holders = [root for root in map(lambda r: Path(os.path.abspath(r)), roots) if full.is_relative_to(root)]
    if holders:
        anchor = max(holders, key=lambda r: len(r.parts))
        return anchor, full.relative_to(anchor).parts
    return full.parent, (full.name,) if full.name else ()


def _refuse_non_regular(folder: Folder, name: str) -> None:
    """Only a regular file (or nothing) may hold a report's name: a directory would fail the rename half-way
    through the set, and a symlink, FIFO or device there was put there by someone else."""
    mode = folder.lstat(name)
    if mode is None or stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "a directory is in the way", str(folder.path / name))
    raise NotARegularFile(folder.path / name, kind_of(mode))


def _commit(folder: Folder, temps: dict[str, str]) -> None:
    """Rename every temporary file over its report; a signal arriving meanwhile is delivered afterwards."""
    with signals_deferred():
        for name in list(temps):
            _guard(folder.path / name, partial(folder.rename, temps[name], name))
            del temps[name]
    if folder.fd is None:
        return
    try:
        os.fsync(folder.fd)  # make the renames durable; some filesystems cannot sync a folder, which is harmless
    except OSError:
        pass


def _write_temp(folder: Folder, name: str, data: bytes) -> str:
    fd, tmp = _create_temp(folder, name)
    try:
        Folder.write_temp(fd, data, durable=True)  # on disk before the rename makes it the report
    except BaseException:
        folder.unlink(tmp)
        raise
    return tmp


def _create_temp(folder: Folder, name: str) -> tuple[int, str]:
    """A new hidden temporary file in the destination's folder (a rename is atomic only within one filesystem);
    0666 less the umask, like any file the user creates: reports are for everyone who reads the folder."""
    return folder.new_temp(name, mode=0o666)


def _guard(path: Path, action: Callable[[], T]) -> T:
    """Run a filesystem step for report `path`; an OS error becomes a one-line `cannot write report` error,
    naming the component that is a link, FIFO or device when that is the reason."""
    try:
        return action()
    except NotAFolder as exc:
        raise ReportWriteError(exc.path, f"{exc.kind}, not a folder (never followed)") from exc
    except NotARegularFile as exc:
        raise ReportWriteError(exc.path, f"{exc.kind}, not a regular file (never written through)") from exc
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

