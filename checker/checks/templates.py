"""Finding-message templates of rule packs: `{subject}` and friends are substituted, nothing else.

`str.format` would let a pack pad a field to any width (`{subject:>300000000}` writes 300 MB per finding),
reach attributes and items of the value (`{subject.__class__}`, `{subject[0]}`) or convert it (`!r`). A
template is therefore checked when the pack is loaded — a field may only be one of the names its check type
offers, with no format spec, conversion, attribute or index (a rule-pack error with file:line:col) — and
filled by plain substitution, never by `str.format`.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

_PARSER = string.Formatter()


def problems(template: str, fields: tuple[str, ...]) -> list[str]:
    """What is wrong with `template` given the fields it may name; empty when it is fine."""
    try:
        parts = list(_PARSER.parse(template))
    except ValueError as exc:  # an unmatched `{` or `}`
        return [f"not a valid message template: {exc} (write {{{{ and }}}} for literal braces)"]
    found = []
    allowed = ", ".join(f"{{{name}}}" for name in fields)
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if conversion or spec:
            found.append(f"{shown}: a template field takes no conversion or format spec (padding, alignment)")
        elif name not in fields:
            found.append(f"{shown}: a template field is one of {allowed}, without attributes or indexes")
    return found


def fill(template: str, **values: str) -> str:
    """`template` with each `{name}` replaced by its value (and `{{`/`}}` by a brace); for checked templates."""
    out = []
    for literal, name, spec, conversion in _PARSER.parse(template):
        out.append(literal)
        if name is None:
            continue
        if spec or conversion or name not in values:  # a template that skipped the check: never formatted
            raise ValueError(f"message template field {{{name}}} is not allowed")
        out.append(values[name])
    return "".join(out)


def _checked(fields: tuple[str, ...]) -> Callable[[str | None], str | None]:
    def check(template: str | None) -> str | None:
        found = problems(template, fields) if template is not None else []
        if found:
            raise ValueError("; ".join(found))
        return template

    return check


SUBJECT_FIELDS = ("subject", "explanation")
# The `message` parameter of checks that judge one object at a time: `{subject}` names it, `{explanation}`
# says what failed.
SubjectMessage = Annotated[str | None, AfterValidator(_checked(SUBJECT_FIELDS))]
