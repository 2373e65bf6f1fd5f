"""Expectation arguments are data, never code (SPEC §9, "Untrusted pull requests").

Great Expectations 1.x evaluates some arguments. Every `row_condition` ends up as an expression for pandas
`DataFrame.query` or Spark's `DataFrame.filter` (Spark SQL): a string with the pandas or spark parser,
or none, is passed through as written; GX's own `great_expectations` parser and its Condition
objects are compiled into such a string (for pandas with the column name pasted between backticks
unescaped, so a backtick in a column name breaks out into the expression; for Spark SQL with values
written as Python reprs). Spark SQL can call Java methods (`reflect`). `{"$PARAMETER": …}` suite parameters go through
GX's expression parser. `expect_column_values_to_match_json_schema` lets jsonschema fetch `$ref`s over
HTTP and from `file:` URLs. So each expectation is checked here, before GX is imported: its type against
the allowlist, every argument against a schema of plain data (JSON scalars, lists and mappings of them,
bounded), and the evaluated or fetching ones refused. Nothing here imports GX.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, Callable

from checker.data.expectation_names import allowlist, arguments_of, unknown_expectation_message

MAX_NESTING = 32  # levels of lists/mappings in one argument: real ones are shallow, and GX copies them recursively
MAX_VALUES = 100_000  # scalars and containers in one expectation's kwargs and meta together
MAX_TEXT = 10_000  # characters of one text or mapping key
MAX_INT_BITS = 64
MAX_REFUSALS = 20  # per argument, where one argument can be wrong in several places (a JSON schema)

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Refusal:
    at: Location  # inside the expectation: ("type",), ("kwargs", "row_condition"), ("meta", "notes", 0)
    message: str


ROW_CONDITIONS_REFUSED = (
    "row conditions are refused: GX evaluates every one as a pandas `DataFrame.query` or Spark SQL expression "
    "(its own `great_expectations` parser and Condition objects included), which can run code; declare the "
    "rows to check as a dataset of their own"
)
_REFUSED = {
    "row_condition": ROW_CONDITIONS_REFUSED,
    "condition_parser": "`condition_parser` only selects how a row condition is evaluated, and row conditions are refused",
}
_SUITE_PARAMETER = (
    "suite parameters ($PARAMETER) are refused: GX evaluates them with its expression parser, and DAT001 "
    "supplies none; write the value itself"
)
_RESULT_FORMATS = ("BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE")

# jsonschema knows these meta-schemas and never fetches them; any other `$schema` is refused.
_METASCHEMAS = frozenset(
    uri + tail
    for uri in (
        *(f"http://json-schema.org/draft-0{n}/schema" for n in (3, 4, 6, 7)),
        "https://json-schema.org/draft/2019-09/schema",
        "https://json-schema.org/draft/2020-12/schema",
    )
    for tail in ("", "#")
)
_REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
_TEXT_KEYWORDS = ("title", "description", "$comment")  # free text jsonschema never resolves
_URL_OR_FILE = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.-]*://|//|(?:file|urn|data|jar):)", re.IGNORECASE)


def refusals(name: str, kwargs: Mapping[Any, Any], meta: Mapping[Any, Any]) -> list[Refusal]:
    """Everything wrong with one expectation: the first plain-data problem of each argument, or every
    place its own rule refuses (a JSON schema's references, say)."""
    found = []
    problem = unknown_expectation_message(name)
    if problem:
        found.append(Refusal(("type",), problem))
    budget = [MAX_VALUES]
    allowed = arguments_of(name)
    for key, value in kwargs.items():
        found += _argument(name, allowed, key, value, budget)
    for key, value in meta.items():
        refusal = next(_key_and_value(key, value, ("meta",), budget, 1), None)
        if refusal:
            found.append(refusal)
    return found


def _argument(name: str, allowed: frozenset[str] | None, key: Any, value: Any, budget: list[int]) -> list[Refusal]:
    at: Location = ("kwargs", key) if isinstance(key, str) else ("kwargs",)
    if not isinstance(key, str):
        return [Refusal(at, f"argument names are text; {key!r} is not")]
    if key in _REFUSED:
        return [Refusal(at, _REFUSED[key])]
    if allowed is not None and key not in allowed:
        return [Refusal(at, f"{name} takes no argument {key!r}{_argument_hint(name, key)}")]
    first = next(_plain(value, at, budget, 1), None)
    if first is not None:
        return [first]
    rule = _RULES.get(key)  # it sees the value only once it is plain data
    return list(islice(rule(value, at), MAX_REFUSALS)) if rule else []


def _argument_hint(name: str, key: str) -> str:
    own = sorted(allowlist()["expectations"][name])
    close = difflib.get_close_matches(key, own, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (it takes {', '.join(own)})"


def _plain(value: Any, at: Location, budget: list[int], depth: int) -> Iterator[Refusal]:
    """Refusals for anything that is not plain JSON data within the bounds."""
    budget[0] -= 1
    if budget[0] < 0:
        yield Refusal(at[:2], f"more than {MAX_VALUES:,} values in one expectation's arguments")
    elif depth > MAX_NESTING:
        yield Refusal(at[:2], f"arguments nested deeper than {MAX_NESTING} levels")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _key_and_value(key, item, at, budget, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _plain(item, (*at, i), budget, depth + 1)
    elif value is not None and not isinstance(value, (bool, str, int, float)):
        yield Refusal(at, _not_plain(value))
    else:
        yield from _scalar(value, at)


def _key_and_value(key: Any, value: Any, at: Location, budget: list[int], depth: int) -> Iterator[Refusal]:
    if not isinstance(key, str):
        yield Refusal(at, f"mapping keys are text; {key!r} is not")
    elif key.startswith("$PARAMETER") and at[0] == "kwargs":  # GX substitutes them in kwargs only
        yield Refusal((*at, key), _SUITE_PARAMETER)
    elif len(key) > MAX_TEXT:
        yield Refusal(at, f"a key of more than {MAX_TEXT:,} characters")
    else:
        yield from _plain(value, (*at, key), budget, depth)


def _scalar(value: str | int | float | None, at: Location) -> Iterator[Refusal]:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        yield Refusal(at, f"a text of more than {MAX_TEXT:,} characters")
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        yield Refusal(at, f"the integer {str(value)[:20]}… is larger than {MAX_INT_BITS} bits")
    elif isinstance(value, float) and not math.isfinite(value):  # YAML's .nan / .inf
        yield Refusal(at, f"{value} is not a usable argument; write a finite number or leave the key out")


def _not_plain(value: Any) -> str:
    """Why a YAML value is not JSON data (readiness.yaml reads dates and !!binary; JSON has neither)."""
    if hasattr(value, "isoformat"):
        return f"a YAML date is not plain data: quote it ('{value.isoformat()}')"
    if isinstance(value, bytes):
        return "binary data (!!binary) is not an argument"
    return f"a {type(value).__name__} is not plain data"


# --- the arguments that need more than plain data ----------------------------------------------------------


def _json_schema(value: Any, at: Location) -> Iterator[Refusal]:
    """jsonschema fetches `$ref`s it cannot resolve locally (urlopen: http, https, file), so the schema
    must be self-contained: no reference keywords, no addresses, no URL or file reference anywhere."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = (*at, key)
            if key == "$schema":
                if item not in _METASCHEMAS:
                    yield Refusal(where, "`$schema` is not the URI of a JSON Schema draft jsonschema ships with "
                                  "(https://json-schema.org/draft/2020-12/schema, say): name one or leave it out")  # fmt: skip
            elif key in _REFERENCE_KEYWORDS:
                yield Refusal(where, f"`{key}` is refused: jsonschema fetches what a reference points to (over "
                              "HTTP, or a file for file: URLs); write the referenced schema inline")  # fmt: skip
            elif key.startswith("$") and key not in ("$comment", "$defs"):
                yield Refusal(where, f"`{key}` is refused: `$id` and anchors give references an address to "
                              "resolve against; only `$schema`, `$defs` and `$comment` are accepted")  # fmt: skip
            elif not (key in _TEXT_KEYWORDS and isinstance(item, str)):
                yield from _json_schema(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_schema(item, (*at, i))
    elif isinstance(value, str) and _URL_OR_FILE.match(value):
        shown = value if len(value) <= 60 else value[:59] + "…"
        yield Refusal(at, f"{shown!r} is a URL or file reference, which a json_schema may hold only in `title`, "
                      "`description` or `$comment`: nothing is fetched")  # fmt: skip


def _type_names(value: Any, at: Location) -> Iterator[Refusal]:
    """GX looks type names up as attributes of pandas, numpy and pyspark.types: private ones are refused."""
    names = value if isinstance(value, list) else [value]
    for i, name in enumerate(names):
        if isinstance(name, str) and name.startswith("_"):
            where = (*at, i) if isinstance(value, list) else at
            yield Refusal(where, f"{name!r} is not a type name")


def _result_format(value: Any, at: Location) -> Iterator[Refusal]:
    if value not in _RESULT_FORMATS:
        yield Refusal(at, f"`result_format` is one of {', '.join(_RESULT_FORMATS)}: DAT001 decides what else a result holds")


_RULES: dict[str, Callable[[Any, Location], Iterator[Refusal]]] = {
    "json_schema": _json_schema,
    "type_": _type_names,
    "type_list": _type_names,
    "result_format": _result_format,
}
