"""Regular expressions on RE2: matching time is linear in the input, so no pattern can hang a run."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2


class PatternError(ValueError):
    pass


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, ignore_case: bool = False) -> Any:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"invalid regular expression {pattern!r}: {reason}") from None


def search(pattern: str, text: str, ignore_case: bool = False) -> bool:
    return compile_pattern(pattern, ignore_case).search(text) is not None


def validate(pattern: str) -> str | None:
    """None when RE2 accepts `pattern`, else why not (backreferences and lookaround are not linear-time)."""
    try:
        compile_pattern(pattern)
    except PatternError as exc:
        return str(exc)
    return None
