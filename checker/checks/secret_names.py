"""Whether a variable name reads as a secret (SPEC §7 "secret value"), and a small detector for values."""

from __future__ import annotations

import re

_WORD_BREAK = re.compile(r"[_\-.\s]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
SECRET_WORDS = frozenset({"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "auth"})
SECRET_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key")})

# Values that are secrets whatever their name (a detector library replaces this in the secrets issue).
_VALUE_PATTERNS = (
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}"),
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"sk_live_[0-9a-zA-Z]{24,}"),
    re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
)


def words(name: str) -> list[str]:
    return [w.lower() for w in _WORD_BREAK.split(name) if w]


def is_secret_name(name: str) -> bool:
    parts = words(name)
    if any(w in SECRET_WORDS for w in parts):
        return True
    return any(pair in SECRET_PAIRS for pair in zip(parts, parts[1:]))


def looks_like_secret_value(value: str) -> bool:
    return any(p.search(value) for p in _VALUE_PATTERNS)


def mask(value: str) -> str:
    """Enough to recognise a value, never enough to use it."""
    if len(value) <= 4:
        return "****"
    return value[:2] + "*" * min(len(value) - 2, 8)
