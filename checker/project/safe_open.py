"""Opening a project file only when it is a regular file inside the target, without ever blocking.

A checked tree is untrusted (a pull request): a path may be a FIFO (opening it for reading blocks until a
writer appears, i.e. forever), a device (`/dev/zero` never ends), a socket, or a symlink out of the target —
and it may be swapped for one of these between discovery and the read. So every read resolves the path,
opens the resolved file with O_NOFOLLOW | O_NONBLOCK (a swapped-in symlink fails, a FIFO opens at once) and
checks with fstat that what it opened is a regular file before reading a byte.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from io import BufferedReader

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


class Refused(Exception):
    """The path is not a regular file inside the target; `message` says why, for an input problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def kind_of(mode: int) -> str:
    """`a FIFO`, `a socket`, … for a file mode that is not a regular file."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def inside(root: str, real: str) -> bool:
    """Is the resolved path `real` the resolved `root` or below it?"""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def open_regular(root: Path, rel: str) -> BufferedReader:
    """The regular file `rel` under `root`, opened for reading (binary); the caller closes it.

    Raises Refused for a path that is not a regular file inside `root`, OSError when it cannot be opened."""
    real = os.path.realpath(os.path.join(root, rel))
    if not inside(str(root), real):
        raise Refused("symlink points outside the target; not followed")
    return open_regular_file(real)


def open_regular_file(path: str | Path) -> BufferedReader:
    """`path` (anywhere: a pack or config named on the command line) opened for reading, if it is a regular file.

    Raises Refused for a FIFO, socket, device or folder, OSError when it cannot be opened."""
    fd = os.open(os.path.realpath(path), _FLAGS)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise Refused(f"{kind_of(mode)}, not a regular file; not read")
    return os.fdopen(fd, "rb")


def read_regular(root: Path, rel: str, max_bytes: int) -> bytes | None:
    """The bytes of the regular file `rel` under `root`, or None when it holds more than `max_bytes`
    (never more than `max_bytes` + 1 bytes are read, so a file that grows or lies about its size is caught)."""
    with open_regular(root, rel) as handle:
        data = handle.read(max_bytes + 1)
    return None if len(data) > max_bytes else data
