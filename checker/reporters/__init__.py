"""Report formats. Each module is a pure view: `render(report) -> str`, no I/O."""

from __future__ import annotations

from typing import Callable

from checker.model import RunReport

Renderer = Callable[[RunReport], str]


def renderers() -> dict[str, Renderer]:
    """Format name -> renderer, imported lazily so a run pays only for the formats it writes."""
    from checker.reporters import json_report, terminal

    return {"terminal": terminal.render, "json": json_report.render}


# Files written to --output-dir per format; `terminal` goes to standard output.
FILENAMES = {"json": "readiness.json"}
