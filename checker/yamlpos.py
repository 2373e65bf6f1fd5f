"""Safe YAML loading that remembers where every mapping key and list item came from.

Findings and validation errors must name file:line:col, so parsed documents are plain dicts and lists
(subclassed) that carry the 1-based position of each child. Aliases are expanded under a node budget:
a "billion laughs" document becomes a clear error instead of exhausting memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import yaml

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 250_000

Position = tuple[int, int]  # (line, column), both 1-based


class PosDict(dict):  # type: ignore[type-arg]
    """A mapping with the position of itself, of each key and of each value."""

    __slots__ = ("pos", "key_pos", "value_pos", "duplicates")

    def __init__(self, pos: Position = (0, 0)) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[Any, Position] = {}
        self.value_pos: dict[Any, Position] = {}
        self.duplicates: list[tuple[Any, Position]] = []


class PosList(list):  # type: ignore[type-arg]
    """A sequence with the position of itself and of each item."""

    __slots__ = ("pos", "item_pos")

    def __init__(self, pos: Position = (0, 0)) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Position] = []


class YamlError(ValueError):
    """A document that cannot be loaded; line and column are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _mark(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class _Converter:
    loader: Any
    budget: int = MAX_NODES

    def convert(self, node: yaml.Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlError("document expands to too many nodes (YAML alias bomb?)", *_mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node)
        return self.loader.construct_object(node)

    def _mapping(self, node: yaml.MappingNode) -> PosDict:
        self.loader.flatten_mapping(node)  # resolves `<<` merge keys the way PyYAML does
        result = PosDict(_mark(node))
        for key_node, value_node in node.value:
            key = self.convert(key_node)
            if isinstance(key, (dict, list)):
                raise YamlError("a mapping key must be a scalar", *_mark(key_node))
            if key in result:
                result.duplicates.append((key, _mark(key_node)))
            result[key] = self.convert(value_node)
            result.key_pos[key] = _mark(key_node)
            result.value_pos[key] = _mark(value_node)
        return result

    def _sequence(self, node: yaml.SequenceNode) -> PosList:
        result = PosList(_mark(node))
        for item in node.value:
            result.append(self.convert(item))
            result.item_pos.append(_mark(item))
        return result


def load_all(text: str) -> list[Any]:
    """Every document of a YAML stream, with positions. Raises YamlError on any problem."""
    return list(_iter_documents(text))


def load_one(text: str) -> Any:
    docs = load_all(text)
    if len(docs) > 1:
        raise YamlError("expected a single YAML document, found several", None, None)
    return docs[0] if docs else None


def _iter_documents(text: str) -> Iterator[Any]:
    loader = _Loader(text)
    converter = _Converter(loader)
    try:
        while loader.check_node():
            node = loader.get_node()
            yield None if node is None else converter.convert(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(problem, *((mark.line + 1, mark.column + 1) if mark else (None, None))) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None
    except RecursionError:
        raise YamlError("document is nested too deeply") from None
    finally:
        loader.dispose()


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
    parent = root
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return position_of(root, path)
    last = path[-1]
    if isinstance(parent, PosDict) and last in parent:
        return parent.key_pos[last]
    if isinstance(parent, PosList) and isinstance(last, int) and 0 <= last < len(parent):
        return parent.item_pos[last]
    return position_of(root, path)


def format_path(path: Sequence[PathPart]) -> str:
    """`rules[3].check.op` style, as users read paths in error messages."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"
