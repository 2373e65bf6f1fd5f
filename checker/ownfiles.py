"""The checker's own files — the cache and the pre-commit replay record in the target, the reports — kept in
folders that a pull request may have committed.

A committed `.readiness-cache` or `reports` may be a symlink to a folder outside the checkout, a FIFO that
blocks whoever opens it, or a device that never ends, and so may any entry in them. So each folder is entered
relative to the one above it with O_DIRECTORY | O_NOFOLLOW (a link, or a component swapped for one meanwhile,
fails) and created with mkdir relative to that descriptor; a file is read with O_NOFOLLOW | O_NONBLOCK, only
when fstat says it is a regular file no larger than a cap; and a file is written as a new temporary file in
the same folder renamed over its destination, which replaces a symlink or FIFO in the way instead of writing
through it. Kept free of heavy imports: the pre-commit fast path (checker.replay) uses it first.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

CACHE_DIR = ".readiness-cache"

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW | _CLOEXEC
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
# Without openat (Windows), paths are used, each entry checked with lstat first.
_AT = os.open in os.supports_dir_fd and os.mkdir in os.supports_dir_fd


class NotAFolder(OSError):
    """A component of an own folder is a symlink, FIFO, device or socket: it is never entered."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path}: {kind}, not a folder (never followed)")
        self.path, self.kind = path, kind


class NotARegularFile(OSError):
    """An own file's name is taken by a symlink, FIFO, device, socket or folder."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path}: {kind}, not a regular file (never followed)")
        self.path, self.kind = path, kind


def kind_of(mode: int) -> str:
    """What a non-regular file mode is, in words."""
    for test, name in ((stat.S_ISLNK, "a symlink"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder"), (stat.S_ISREG, "a regular file")):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


def not_a_folder(parent: Path, name: str) -> str | None:
    """How `parent/name` is something other than a real folder (`a symlink`, …); None when it is one or is missing."""
    try:
        mode = os.lstat(parent / name).st_mode
    except OSError:
        return None
    return None if stat.S_ISDIR(mode) else kind_of(mode)


class Folder:
    """An open folder of the checker's own; every name given to its methods is one entry inside it."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path  # for messages (and the path-based fallback)
        self.fd = fd  # None only where openat is unavailable

    @classmethod
    def open(cls, anchor: Path, parts: Sequence[str], create: bool = False, replace_from: int | None = None) -> Folder:
        """`anchor/parts…`, each part entered without following a link (the anchor is the caller's, trusted).

        With `create`, missing parts are made. Parts from index `replace_from` on are the checker's own: one
        that is not a folder is removed and made again (a symlink is unlinked, never followed); before that
        index such a part raises NotAFolder. Close the result (or use it as a context manager)."""
        if create and not anchor.is_dir():
            try:
                anchor.mkdir(parents=True)  # above the untrusted part: the caller's own path
            except FileExistsError:
                pass  # not a folder: opening it says so
        folder = cls(anchor, os.open(anchor, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC) if _AT else None)
        try:
            for i, part in enumerate(parts):
                inner = folder.child(part, create, replace=replace_from is not None and i >= replace_from)
                folder.close()
                folder = inner
        except BaseException:
            folder.close()
            raise
        return folder

    def child(self, name: str, create: bool = False, replace: bool = False) -> Folder:
        """The folder `name` in this one, entered without following a link (see `open`)."""
        path = self.path / name
        if create:
            self._mkdir(name)
        try:
            return Folder(path, self._open_dir(name))
        except OSError:
            mode = self.lstat(name)
            if mode is None or stat.S_ISDIR(mode) or (stat.S_ISREG(mode) and not replace):
                raise  # missing, or a regular file in the way: the system's own words
            if not replace:
                raise NotAFolder(path, kind_of(mode)) from None
        self.unlink(name)  # an entry of the checker's own folder that is not a folder: removed, not followed
        self._mkdir(name)
        return Folder(path, self._open_dir(name))

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- entries -------------------------------------------------------------------------------------

    def lstat(self, name: str) -> int | None:
        """The entry's own mode (a symlink's, not its target's); None when missing."""
        try:
            return os.stat(self._name(name), dir_fd=self.fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            return None

    def read(self, name: str, max_bytes: int) -> bytes | None:
        """The regular file `name`, or None when it is missing, not a regular file or larger than `max_bytes`.

        Never blocks (a FIFO opens at once and is refused) and never reads more than `max_bytes` + 1 bytes."""
        try:
            self._refuse_link_by_path(name)
            fd = os.open(self._name(name), _READ_FLAGS, dir_fd=self.fd)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
                return None
            data = _read_at_most(fd, max_bytes + 1)
        except OSError:
            return None
        finally:
            os.close(fd)
        return None if len(data) > max_bytes else data

    def replace(self, name: str, data: bytes, mode: int = 0o600, durable: bool = False) -> None:
        """Write `name` atomically: a new temporary file here, renamed over whatever holds the name (a symlink or
        FIFO in the way is replaced, never written through). OSError when it cannot be written."""
        tmp = self.new_temp(name, mode)
        try:
            self.write_temp(tmp[0], data, durable)
            self.rename(tmp[1], name)
        except BaseException:
            self.unlink(tmp[1])
            raise

    def new_temp(self, name: str, mode: int = 0o600) -> tuple[int, str]:
        """A new hidden temporary file for `name` (descriptor, name), created exclusively: never an existing file."""
        for _ in range(100):
            tmp = f".{name}.{secrets.token_hex(4)}.tmp"
            try:
                return os.open(self._name(tmp), _NEW_FLAGS, mode, dir_fd=self.fd), tmp
            except FileExistsError:
                continue
        raise FileExistsError(17, "no free temporary file name", str(self.path / name))

    @staticmethod
    def write_temp(fd: int, data: bytes, durable: bool = False) -> None:
        """Write `data` to a descriptor from `new_temp` and close it (flushed to disk first when `durable`)."""
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())

    def rename(self, src: str, dst: str) -> None:
        if self.fd is None:
            os.replace(self.path / src, self.path / dst)
        else:
            os.replace(src, dst, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def unlink(self, name: str) -> None:
        """Remove the entry `name` (a symlink itself, not what it points to); missing is fine."""
        try:
            os.unlink(self._name(name), dir_fd=self.fd)
        except FileNotFoundError:
            pass

    def remove_leftovers(self, names: Iterable[str]) -> None:
        """Remove temporary files of `names` left by a run that was killed before it could (call under `locked`,
        so that a concurrent run's files are never taken away from it)."""
        patterns = [re.compile(re.escape(f".{name}.") + r"[A-Za-z0-9_]{6,16}\.tmp") for name in names]
        for entry in self._entries():
            mode = self.lstat(entry) if any(p.fullmatch(entry) for p in patterns) else None
            if mode is not None and not stat.S_ISDIR(mode):
                self.unlink(entry)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive flock on this folder (no lock file); concurrent runs take turns. No-op without flock."""
        try:
            import fcntl
        except ImportError:
            yield
            return
        if self.fd is None:
            yield
            return
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    # --- helpers ---------------------------------------------------------------------------------------

    def _name(self, name: str) -> str:
        return name if self.fd is not None else str(self.path / name)

    def _mkdir(self, name: str) -> None:
        try:
            os.mkdir(self._name(name), 0o777, dir_fd=self.fd)
        except FileExistsError:
            pass

    def _open_dir(self, name: str) -> int | None:
        if self.fd is None:
            self._refuse_link_by_path(name, folder=True)
            if not (self.path / name).is_dir():
                raise NotADirectoryError(20, "Not a directory", str(self.path / name))
            return None
        return os.open(name, _DIR_FLAGS, dir_fd=self.fd)

    def _refuse_link_by_path(self, name: str, folder: bool = False) -> None:
        """Without openat or O_NOFOLLOW, the best there is: lstat before use."""
        if self.fd is not None and _NOFOLLOW:
            return
        mode = self.lstat(name)
        if mode is not None and stat.S_ISLNK(mode):
            raise (NotAFolder if folder else NotARegularFile)(self.path / name, "a symlink")

    def _entries(self) -> list[str]:
        if self.fd is None:
            return os.listdir(self.path)
        return os.listdir(self.fd)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, total = [], 0
    while total < limit:
        chunk = os.read(fd, min(1 << 20, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def split_cache_path(path: Path) -> tuple[Path, tuple[str, ...], str]:
    """(anchor, folder parts, file name) of a file in a cache folder: the parts from the last `.readiness-cache`
    on are the checker's own (entered without following links); the anchor above them is the caller's."""
    parents = path.parent.parts
    if CACHE_DIR in parents:
        at = len(parents) - 1 - parents[::-1].index(CACHE_DIR)
        return Path(*parents[:at]) if at else Path("."), tuple(parents[at:]), path.name
    return path.parent, (), path.name
