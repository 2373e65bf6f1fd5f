"""Safe YAML loading that remembers where every mapping key and list item came from.

Findings and validation errors must name file:line:col, so parsed documents are plain dicts and lists
(subclassed) that carry the 1-based position of each child. Hostile input becomes a YamlError with a
position, never a crash: aliases are expanded under a node budget (a "billion laughs" document, merge
keys included), nesting is capped before libyaml's recursive composer sees it (it overflows the C stack
at a few ten thousand levels), and tags other than the plain-data ones are refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import yaml

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_INT_BITS = 14_000  # about 4,200 decimal digits: below Python's int/str conversion limit
MAX_NODES = 250_000  # nodes of one document after alias and merge expansion
MAX_DEPTH = 200  # nested collections in one document (libyaml's composer recurses in C)
MAX_BYTES = 8 * 1024 * 1024  # a rule pack or config file read through `read_text`

Position = tuple[int, int]  # (line, column), both 1-based


class PosDict(dict):  # type: ignore[type-arg]
    """A mapping with the position of itself, of each key and of each value."""

    __slots__ = ("pos", "key_pos", "value_pos", "duplicates", "source")

    def __init__(self, pos: Position = (0, 0)) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[Any, Position] = {}
        self.value_pos: dict[Any, Position] = {}
        self.duplicates: list[tuple[Any, Position, Position]] = []  # (key, where repeated, where first)
        self.source: dict[Any, str] = {}  # plain scalars YAML read as non-strings: the text as written


class PosList(list):  # type: ignore[type-arg]
    """A sequence with the position of itself and of each item."""

    __slots__ = ("pos", "item_pos", "source")

    def __init__(self, pos: Position = (0, 0)) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Position] = []
        self.source: dict[int, str] = {}


class YamlError(ValueError):
    """A document that cannot be loaded; line and column are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _mark(node: yaml.Node | yaml.Event) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


# --- reading: regular files only, bounded, UTF-8 with the position of the first bad byte ---------------


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a regular file of at most `max_bytes`. Raises OSError, or YamlError with a position.

    Opened non-blocking and checked with fstat, so a FIFO or device named as a pack or config never hangs
    the run, and a file swapped between check and open is still the file checked.
    """
    from checker.project.safe_open import Refused, open_regular_file

    try:
        handle = open_regular_file(path)
    except Refused:
        raise YamlError("not a regular file (a FIFO, device or socket is never read)", 1, 1) from None
    with handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:
            raise YamlError(f"file is larger than the {_mb(max_bytes)} limit", 1, 1)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise YamlError(f"file is larger than the {_mb(max_bytes)} limit", 1, 1)
    return decode(data)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def decode(data: bytes) -> str:
    """UTF-8 text, or YamlError naming the line and column of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _offset_position(data[: exc.start].decode("utf-8"), exc.start)
        raise YamlError(f"not valid UTF-8: byte 0x{data[exc.start]:02x} ({exc.reason})", line, column) from None


def _offset_position(text: str, offset: int) -> Position:
    """1-based line and column of character `offset` of `text` (columns count characters)."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- nesting: a cheap bound first, libyaml's (iterative) event parser only when the bound is high ------

_BLOCK_INDENT = re.compile(r"^[ \-?:]*", re.MULTILINE)


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth: flow brackets, plus block levels (each needs an indentation
    column or a `- `/`? ` indicator; a sequence may share its parent mapping's column, hence the 2x)."""
    indent = max((len(m) for m in _BLOCK_INDENT.findall(text)), default=0)
    return text.count("[") + text.count("{") + 2 * (indent + 1)


def _check_depth(text: str, max_depth: int) -> None:
    if _depth_bound(text) <= max_depth:
        return
    try:
        _walk_depth(yaml.parse(text, Loader=_Loader), max_depth)
    except yaml.MarkedYAMLError as exc:
        if not _is_libyaml_nesting_cap(exc):
            raise
        # libyaml ≥ 0.2.6 (PyYAML 6.0.4's wheels) caps nesting itself, in its scanner, which runs ahead of
        # the events in flow context: its error would come first and at its own position. The pure-Python
        # parser has no cap and no recursion, so it finds where *our* cap is exceeded.
        _walk_depth(yaml.parse(text, Loader=yaml.SafeLoader), max_depth)
        raise


def _walk_depth(events: Iterator[yaml.Event], max_depth: int) -> None:
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise YamlError(f"nested more than {max_depth} levels deep", *_mark(event))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _is_libyaml_nesting_cap(exc: yaml.MarkedYAMLError) -> bool:
    return "nesting depth" in f"{exc.problem} {exc.context}"


# --- composing: plain data only, every expanded node counted --------------------------------------------

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary"))
_MERGE = _CORE + "merge"


def _shown_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


def _refuse_tag(node: yaml.Node) -> YamlError:
    tag = _shown_tag(node.tag)
    why = "it would construct a Python object" if "python/" in tag else "only plain data tags are accepted"
    return YamlError(f"YAML tag {tag!r} is not allowed: {why}", *_mark(node))


@dataclass
class _Converter:
    loader: Any
    budget: int = MAX_NODES
    max_depth: int = MAX_DEPTH
    depth: int = field(default=0)

    def convert(self, node: yaml.Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlError("document expands to too many nodes (YAML alias bomb?)", *_mark(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise _refuse_tag(node)
            try:
                value = self.loader.construct_object(node)
            except (ValueError, OverflowError) as exc:  # a 90,000-digit integer, a 13th month, bad base64
                raise YamlError(f"cannot read the value {str(node.value)[:40]!r}: {str(exc)[:80]}", *_mark(node)) from None
            # Octal, hex and base-60 integers have no digit limit when read, but a decimal repr of one in an
            # error message would raise: refuse them where the text is, like a too-long decimal integer.
            if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
                raise YamlError(f"the integer {str(node.value)[:40]!r}… is too large to be a setting", *_mark(node))
            return value
        self.depth += 1
        if self.depth > self.max_depth:  # aliases can nest deeper than the text does
            raise YamlError(f"nested more than {self.max_depth} levels deep (after alias expansion)", *_mark(node))
        try:
            if isinstance(node, yaml.MappingNode) and node.tag == _CORE + "map":
                return self._mapping(node)
            if isinstance(node, yaml.SequenceNode) and node.tag == _CORE + "seq":
                return self._sequence(node)
            raise _refuse_tag(node)
        finally:
            self.depth -= 1

    def _mapping(self, node: yaml.MappingNode) -> PosDict:
        result = PosDict(_mark(node))
        explicit = [(k, v) for k, v in node.value if k.tag != _MERGE]
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._merge(result, value_node)
        merged = set(result)
        for key_node, value_node in explicit:
            key = self.convert(key_node)
            if isinstance(key, (dict, list)):
                raise YamlError("a mapping key must be a scalar", *_mark(key_node))
            if key in result and key not in merged:
                result.duplicates.append((key, _mark(key_node), result.key_pos[key]))
            merged.discard(key)  # an explicit key overrides a merged one; a second explicit one is a duplicate
            self._put(result, key, key_node, value_node, self.convert(value_node))
        return result

    def _put(self, result: PosDict, key: Any, key_node: yaml.Node, value_node: yaml.Node, value: Any) -> None:
        try:
            result[key] = value
        except TypeError:  # an unhashable scalar such as !!binary is hashable; a set or dict key is not
            raise YamlError("a mapping key must be a scalar", *_mark(key_node)) from None
        result.key_pos[key] = _mark(key_node)
        result.value_pos[key] = _mark(value_node)
        text = _coerced_text(value_node, value)
        if text is not None:
            result.source[key] = text
        else:
            result.source.pop(key, None)

    def _merge(self, result: PosDict, value_node: yaml.Node) -> None:
        """`<<: *base` or `<<: [*a, *b]`: earlier sources win, explicit keys (set later) win over all."""
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source_node in reversed(sources):
            source = self.convert(source_node)
            if not isinstance(source, PosDict):
                raise YamlError("a merge key (<<) needs a mapping or a list of mappings", *_mark(source_node))
            for key, value in source.items():
                result[key] = value
                result.key_pos[key] = source.key_pos[key]
                result.value_pos[key] = source.value_pos[key]
                if key in source.source:
                    result.source[key] = source.source[key]

    def _sequence(self, node: yaml.SequenceNode) -> PosList:
        result = PosList(_mark(node))
        for item in node.value:
            value = self.convert(item)
            text = _coerced_text(item, value)
            if text is not None:
                result.source[len(result)] = text
            result.append(value)
            result.item_pos.append(_mark(item))
        return result


def _coerced_text(node: yaml.Node, value: Any) -> str | None:
    """The text of a plain scalar that YAML 1.1 read as something else (`no` -> False, `1.10` -> 1.1)."""
    if isinstance(node, yaml.ScalarNode) and not node.style and value is not None and not isinstance(value, str):
        return str(node.value)
    return None


def load_all(text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> list[Any]:
    """Every document of a YAML stream, with positions. Raises YamlError on any problem."""
    return list(_iter_documents(text, max_nodes, max_depth))


def load_one(text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> Any:
    docs = load_all(text, max_nodes=max_nodes, max_depth=max_depth)
    if len(docs) > 1:
        raise YamlError("expected a single YAML document, found several", *getattr(docs[1], "pos", (None, None)))
    return docs[0] if docs else None


def _iter_documents(text: str, max_nodes: int, max_depth: int) -> Iterator[Any]:
    try:
        _check_depth(text, max_depth)
        loader = _Loader(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text) from None
    converter = _Converter(loader, budget=max_nodes, max_depth=max_depth)
    try:
        while loader.check_node():
            node = loader.get_node()
            yield None if node is None else converter.convert(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text) from None
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError, text: str) -> YamlError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return YamlError(syntax_error(exc.problem or exc.context), *((mark.line + 1, mark.column + 1) if mark else (None, None)))
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(text)
    return YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML")


def syntax_error(parser_says: str | None) -> str:
    """The checker's words first, the parser's after them: a new PyYAML or libyaml release may reword its
    problems, and what users (and tests) rely on must not change with it."""
    return f"syntax error (parser: {parser_says})" if parser_says else "syntax error"


# What YAML accepts in a stream (YAML 1.1 §5.1); the C reader reports offsets we cannot map reliably.
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _reader_error(text: str) -> YamlError:
    found = _UNPRINTABLE.search(text)
    if found is None:
        return YamlError("unreadable character in the YAML stream")
    char = found.group()
    name = "a NUL byte" if char == "\x00" else f"control character U+{ord(char):04X}"
    return YamlError(f"{name} is not allowed in YAML (binary file?)", *_offset_position(text, found.start()))


PathPart = str | int


def position_of(root: Any, path: Sequence[PathPart]) -> Position | None:
    """Position of the deepest node along `path` that exists (the value's, else its key's parent)."""
    best: Position | None = getattr(root, "pos", None)
    node = root
    for part in path:
        if isinstance(node, PosDict) and part in node:
            best = node.key_pos.get(part, best)
            node = node[part]
        elif isinstance(node, PosList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_pos[part]
            node = node[part]
        else:
            break
    return best


def key_position(root: Any, path: Sequence[PathPart]) -> Position | None:
    """Position of the key (or list item) that `path` names exactly, for unknown-key errors."""
    if not path:
        return getattr(root, "pos", None)
    parent = _parent(root, path)
    last = path[-1]
    if isinstance(parent, PosDict) and last in parent:
        return parent.key_pos[last]
    if isinstance(parent, PosList) and isinstance(last, int) and 0 <= last < len(parent):
        return parent.item_pos[last]
    return position_of(root, path)


def _parent(root: Any, path: Sequence[PathPart]) -> Any:
    parent = root
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
    return parent


def coercion_hint(root: Any, path: Sequence[PathPart]) -> str | None:
    """`(`no` is read as the boolean false; quote it, 'no', if you mean the text)` for a plain scalar at
    `path` that YAML 1.1 resolved to a boolean, number or date; None otherwise."""
    parent: Any = _parent(root, path) if path else None
    source = getattr(parent, "source", None)
    if parent is None or not isinstance(source, dict) or path[-1] not in source:
        return None
    text, value = source[path[-1]], parent[path[-1]]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and str(value) == text:
        return None  # `3` read as 3: quoting would not make it mean anything else
    if isinstance(value, bool):
        read_as = f"the boolean {str(value).lower()}"
    elif isinstance(value, (int, float)):
        read_as = f"the number {value!r}"
    else:
        read_as = f"a {type(value).__name__}"
    return f"(`{text}` is read as {read_as}; quote it, '{text}', if you mean the text)"


def duplicate_keys(node: Any, path: tuple[PathPart, ...] = ()) -> list[tuple[tuple[PathPart, ...], Position, Position]]:
    """Every repeated key in the document: (key path, where repeated, where first written)."""
    found: list[tuple[tuple[PathPart, ...], Position, Position]] = []
    if isinstance(node, PosDict):
        found += [((*path, key), pos, first) for key, pos, first in node.duplicates]
        for key, value in node.items():
            found += duplicate_keys(value, (*path, key))
    elif isinstance(node, PosList):
        for i, value in enumerate(node):
            found += duplicate_keys(value, (*path, i))
    return found


def format_path(path: Sequence[PathPart]) -> str:
    """`rules[3].check.op` style, as users read paths in error messages."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"
