"""Optional engines and the extras that install them (SPEC §11).

The core install runs every rule but the data rules' engines; a rule whose engine is missing is `error` with
the exact install command when its inputs exist (it got as far as importing the engine), and `skipped` when
they do not (it never tried). Kept free of imports: the engine consults it for every failing import.
"""

from __future__ import annotations

# Top-level module -> the extra that installs it.
ENGINE_EXTRAS = {
    "great_expectations": "data",
    "pandas": "data",
    "pyarrow": "data",
    "scipy": "data",
    "numpy": "data",
    "pyspark": "spark",
    "py4j": "spark",
}


def install_command(extra: str) -> str:
    return f"pip install 'readiness-checker[{extra}]'"


def missing_engine_message(exc: BaseException) -> str | None:
    """The user's words for an optional engine that is not installed, or None for any other error."""
    if not isinstance(exc, ModuleNotFoundError):
        return None
    module = (exc.name or "").split(".")[0]
    extra = ENGINE_EXTRAS.get(module)
    if extra is None:
        return None
    return f"this rule needs the {extra!r} extra ({module} is not installed): {install_command(extra)}"
