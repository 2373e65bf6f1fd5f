"""Whether a variable name reads as a secret (SPEC §7 "secret value"), and masking of secret values."""

from __future__ import annotations

import re

_WORD_BREAK = re.compile(r"[_\-.\s]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
SECRET_WORDS = frozenset({"password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "auth"})
SECRET_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key")})
# A name ending in one of these names or points at a secret (`DB_PASSWORD_FILE`, `TOKEN_SECRET_NAME`) rather
# than holding one (SPEC §7). `key_ref` is two words, so `ref` alone already covers it.
POINTER_WORDS = frozenset({"name", "file", "path", "dir", "location", "ref", "mount", "id"})


def words(name: str) -> list[str]:
    return [w.lower() for w in _WORD_BREAK.split(name) if w]


def is_secret_name(name: str) -> bool:
    parts = words(name)
    if any(w in SECRET_WORDS for w in parts):
        return True
    return any(pair in SECRET_PAIRS for pair in zip(parts, parts[1:]))


def points_at_secret(name: str) -> bool:
    """Whether the name's last word says its value names or locates a secret (SEC007 leaves those alone)."""
    parts = words(name)
    return bool(parts) and parts[-1] in POINTER_WORDS


def mask(value: str) -> str:
    """Enough to recognise a value, never enough to use it."""
    if len(value) <= 4:
        return "****"
    return value[:2] + "*" * min(len(value) - 2, 8)
