"""Whether the terminal view is coloured, by the usual conventions, in this order:

1. `--color always` / `--color never`: the user said so on this command line;
2. `NO_COLOR` set and not empty (no-color.org): no colour;
3. `FORCE_COLOR` set and not empty, whatever its value (force-color.org): colour, also without a TTY (CI logs);
4. otherwise colour only when standard output is a terminal that is not `TERM=dumb`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

COLOR_CHOICES = ("auto", "always", "never")
_DUMB_TERMS = ("dumb", "unknown")


def use_color(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return _is_terminal(stream) and env.get("TERM", "").lower() not in _DUMB_TERMS


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream is no terminal
        return False
