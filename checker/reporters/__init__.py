"""Report formats. Each module is a pure view: `render(report) -> str`, no I/O."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from checker.model import RunReport

Renderer = Callable[[RunReport], str]

# Format name -> module of checker.reporters; imported lazily so a run pays only for the formats it writes.
MODULES = {
    "terminal": "terminal",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
    "html": "html",
    "github": "github",
    "codequality": "codequality",
}
FORMATS = tuple(MODULES)

# Files written to --output-dir per format; `terminal` and `github` go to standard output.
FILENAMES = {
    "json": "readiness.json",
    "sarif": "readiness.sarif",
    "junit": "readiness.junit.xml",
    "markdown": "readiness.md",
    "html": "readiness.html",
    "codequality": "readiness.codequality.json",
}
STDOUT_FORMATS = ("github", "terminal")


def renderer(name: str) -> Renderer:
    module = importlib.import_module(f"checker.reporters.{MODULES[name]}")
    return module.render  # type: ignore[no-any-return]


def renderers() -> dict[str, Renderer]:
    """Every format's renderer (imports them all; prefer `renderer(name)` on hot paths)."""
    return {name: renderer(name) for name in MODULES}
