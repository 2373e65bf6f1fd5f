"""Compare messages in the checker's own words: what a library says is quoted after them, as
`(parser: …)`, `(jsonschema: …)`, and may change with any release, so tests pin our part only."""

from __future__ import annotations

import re

_QUOTED = re.compile(r"\((parser|jsonschema|pydantic|openapi-spec-validator): [^()]*(?:\([^()]*\)[^()]*)*\)")


def own_words(text: str) -> str:
    """`text` with every quoted library message replaced by `(library: …)`."""
    return _QUOTED.sub(lambda m: f"({m.group(1)}: …)", text)


def own_lines(lines: list[str]) -> list[str]:
    return [own_words(line) for line in lines]
