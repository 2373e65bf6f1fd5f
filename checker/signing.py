"""Signing files that the checker keeps inside the checked tree (caches), with a key private to the user.

The checked tree may be an untrusted pull request: a cache it commits must not be believed. Kept free of
heavy imports, because the pre-commit fast path (checker.replay) uses it before anything else is loaded.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from checker.ownfiles import Folder, split_cache_path


def user_key() -> bytes | None:
    """This user's secret for signing caches, created on first use (0600); None when there is nowhere to keep it."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "readiness-checker"
    path = base / "cache-key"
    try:
        if not path.is_file():
            base.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    except FileExistsError:
        pass  # another run created it at the same moment
    except (OSError, RuntimeError):
        return None
    try:
        return path.read_text(encoding="ascii").strip().encode("ascii") or None
    except (OSError, UnicodeDecodeError):
        return None


def sign(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


MAX_SIGNED_BYTES = 64 * 1024 * 1024  # what is read back of one signed file; a larger one is not read at all


def read_signed(path: Path, key: bytes | None = None, max_bytes: int = MAX_SIGNED_BYTES) -> bytes | None:
    """The payload of a file written by `write_signed` for this user; None when missing, unreadable, forged,
    larger than `max_bytes`, or reached only through a symlink, FIFO or device (checker.ownfiles).

    Public so that checks with caches of their own in the target (bandit's) can authenticate them too.
    """
    key = key or user_key()
    if key is None:
        return None
    anchor, parts, name = split_cache_path(path)
    try:
        with Folder.open(anchor, parts) as folder:
            data = folder.read(name, max_bytes)
    except OSError:
        return None
    if data is None:
        return None
    mac, _, payload = data.partition(b"\n")
    return payload if hmac.compare_digest(mac, sign(key, payload).encode("ascii")) else None


def write_signed(path: Path, payload: bytes, key: bytes | None = None) -> None:
    """Write `payload` atomically with this user's signature; OSError when it cannot be written.

    The cache folder itself must be a real folder (a committed symlink in its place: OSError, nothing
    written); inside it, a symlink, FIFO or device in the way of a folder or of the file is replaced. The
    temporary files of a run killed while writing the same file are removed first."""
    key = key or user_key()
    if key is None:
        raise OSError(f"{path}: no user cache key to sign with")
    anchor, parts, name = split_cache_path(path)
    with Folder.open(anchor, parts, create=True, replace_from=1) as folder, folder.locked():
        folder.remove_leftovers([name])
        folder.replace(name, sign(key, payload).encode("ascii") + b"\n" + payload)
