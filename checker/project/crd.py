"""A fast path for CustomResourceDefinition documents: their schemas are skimmed, not parsed.

A CRD bundle (KServe's, KubeRay's) is megabytes of OpenAPI schema under `spec.versions[].schema` (`spec.validation`
in v1beta1), which no rule reads: rules need a CRD's kind and metadata at most. Parsing that schema into
positioned dicts was most of the time spent on such repositories. `skim` blanks those blocks in the text before
it is parsed, line for line, so every line and column outside them stays where it was; the document keeps
`spec.versions: []` (or `spec.validation: {}`) and everything else it had (group, names, scope).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from functools import lru_cache
from typing import Any

from checker import yamlpos
from checker.yamlpos import MAX_NODES, YamlError

_MARKER = "CustomResourceDefinition"
_DOCUMENT_BREAK = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|\Z)", re.MULTILINE)
_CRD_KIND = re.compile(r"^kind:[ \t]*([\"']?)CustomResourceDefinition\1[ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE)
_CRD_API = re.compile(r"^apiVersion:[ \t]*[\"']?apiextensions\.k8s\.io/", re.MULTILINE)
# `spec:` as a top-level key whose value is a block on the following lines (not `spec: {…}` on the line).
_SPEC = re.compile(r"^spec:[ \t]*(?:#[^\n]*)?\r?\n", re.MULTILINE)
_FIRST_CHILD = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*( +)\S")
_SCHEMA_KEYS = {"versions": "[]", "validation": "{}"}


def skim(text: str) -> str:
    """`text` with the schema blocks of its CRD documents blanked; the same object when it has none."""
    if _MARKER not in text:
        return text  # nearly every file: one substring search
    starts = [0, *(brk.start() for brk in _DOCUMENT_BREAK.finditer(text)), len(text)]
    # Each piece but the first opens with its `---` line, which no pattern below takes for a key.
    skimmed = "".join(_skim_document(text[a:b]) for a, b in zip(starts, starts[1:]))
    return text if skimmed == text else skimmed


def _skim_document(doc: str) -> str:
    if not (_CRD_KIND.search(doc) and _CRD_API.search(doc)):
        return doc
    spec = _SPEC.search(doc)
    if spec is None:
        return doc
    spec_end = _block(0).match(doc, spec.end()).end()  # type: ignore[union-attr]  # `*` always matches
    child = _FIRST_CHILD.match(doc, spec.end())
    if child is None or child.end() > spec_end:
        return doc
    indent = len(child.group(1))
    body = _children(indent).sub(_blanked(indent), doc[spec.end():spec_end])
    return doc[:spec.end()] + body + doc[spec_end:]


def _blanked(indent: int) -> Callable[[re.Match[str]], str]:
    """A replacement for one schema key and its block: the key with an empty value, then as many empty lines."""

    def replace(match: re.Match[str]) -> str:
        key, block = match.group("key"), match.group("block")
        return f"{' ' * indent}{key}: {_SCHEMA_KEYS[key]}\n" + "\n" * block.count("\n")

    return replace


@lru_cache(maxsize=32)
def _block(indent: int) -> re.Pattern[str]:
    """The lines of a block value under a key at `indent`: deeper lines, `- ` items at the same indentation
    (a sequence may sit at its key's column), blank and comment lines. Ends at the next line at `indent` or
    less; a YAML value cannot continue there."""
    return re.compile(
        rf"(?:(?: {{{indent + 1},}}[^\n]*| {{{indent}}}-(?:[ \t][^\n]*)?\r?|[ \t]*(?:#[^\n]*)?\r?)(?:\n|\Z))*"
    )


@lru_cache(maxsize=32)
def _children(indent: int) -> re.Pattern[str]:
    keys = "|".join(_SCHEMA_KEYS)
    return re.compile(
        rf"^ {{{indent}}}(?P<key>{keys}):[ \t]*(?:#[^\n]*)?\r?\n(?P<block>{_block(indent).pattern})", re.MULTILINE
    )


def load_all(text: str, *, max_nodes: int = MAX_NODES) -> list[Any]:
    """Every document of a YAML stream (`checker.yamlpos.load_all`), CRD schemas skimmed. A skimmed text that
    does not load (an anchor defined in a schema and used outside it) is loaded as written, errors and all."""
    skimmed = skim(text)
    if skimmed is not text:
        with suppress(YamlError):
            return yamlpos.load_all(skimmed, max_nodes=max_nodes)
    return yamlpos.load_all(text, max_nodes=max_nodes)
