"""Python files of the project, parsed once per run into the facts checks ask about; never imported or executed.

A syntax tree costs ~150 KB per 100-line module, so a run over thousands of files cannot keep them: each file
is parsed once, reduced to its `ModuleFacts` (its calls and imports, a few KB) and its tree dropped. Every
check that reads Python code works from these facts, so no file is parsed twice.

A file that does not parse (Python 2, a template, a merge conflict) is recorded on the index as an input
problem and yields no facts, so a check can carry on with the other files.
"""

from __future__ import annotations

import ast
import fnmatch
import posixpath
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.project import classify as kinds
from checker.project.index import InputError

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex

# SPEC §7 "service code": folders and file names that hold load tests, scripts and tests. Tests, docs and examples
# folders are out of scope altogether (checker.project.scope), so the index never lists their files as Python.
NON_SERVICE_DIRS = frozenset({"loadtest", "scripts"})
NON_SERVICE_NAMES = ("test_*.py", "*_test.py", "conftest.py", "locustfile*.py")


def is_service_code(path: str) -> bool:
    """True for a Python file that runs as part of the service (not a test, load test, script or doc)."""
    if not path.endswith(".py"):
        return False  # notebooks and other formats are never service code
    *folders, name = path.split("/")
    if any(folder in NON_SERVICE_DIRS for folder in folders):
        return False
    return not any(fnmatch.fnmatchcase(name, pattern) for pattern in NON_SERVICE_NAMES)


@dataclass(frozen=True, slots=True)
class CallSite:
    """One call in a module, reduced to what checks ask about."""

    name: str  # `print` for print(...), `expose` for a.b.expose(...)
    receiver: str | None  # None for f(...); for x.f(...) the receiver's name, "" when it is not a plain name
    line: int
    col: int
    in_main_guard: bool  # under a module-level `if __name__ == "__main__":`: runs only as a script
    first_arg: str | None  # the first positional argument, when it is a string literal
    keywords: tuple[tuple[str | None, str | None], ...]  # (keyword or None for **kw, value when a string literal)

    def keyword_string(self, name: str) -> str | None:
        """The string literal passed as keyword `name` (the first such keyword), else None."""
        return next((value for key, value in self.keywords if key == name), None)

    def has_keyword(self, name: str) -> bool:
        return any(key == name for key, _ in self.keywords)


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    calls: tuple[CallSite, ...]  # in `ast.walk` order
    imported_roots: frozenset[str]  # `os` for `import os.path`, `fastapi` for `from fastapi import X`


class PythonSources:
    """Facts of the project's Python files, each file parsed lazily and at most once."""

    def __init__(self, index: ProjectIndex) -> None:
        self._index = index
        self._facts: dict[str, ModuleFacts | None] = {}

    @classmethod
    def of(cls, index: ProjectIndex) -> PythonSources:
        return index.derived("python_sources", cls)  # type: ignore[no-any-return]

    def service_files(self) -> list[str]:
        return sorted(f.path for f in self._index.of_kind(kinds.PYTHON) if is_service_code(f.path))

    def facts(self, path: str) -> ModuleFacts | None:
        """The module's calls and imports, or None when it cannot be read or parsed (recorded on the index)."""
        if path not in self._facts:
            tree = self._parse(path)
            self._facts[path] = None if tree is None else module_facts(tree)
        elif self._facts[path] is None:
            self._index.met_again(path)  # a later rule depends on the unreadable file too (fail closed)
        return self._facts[path]

    def _parse(self, path: str) -> ast.Module | None:
        try:
            text = self._index.text(path)
        except InputError:
            return None
        try:
            return ast.parse(text, filename=posixpath.basename(path))
        except SyntaxError as exc:
            self._index.record_problem(path, f"not valid Python: {exc.msg}", exc.lineno)
        except (ValueError, RecursionError, MemoryError) as exc:
            self._index.record_problem(path, f"cannot parse as Python: {type(exc).__name__}")
        return None


def module_facts(tree: ast.Module) -> ModuleFacts:
    """Calls and imported modules of a tree, in one breadth-first walk (the order of `ast.walk`)."""
    calls: list[CallSite] = []
    roots: set[str] = set()
    guards = {id(node) for node in tree.body if is_main_guard(node)}
    todo: deque[tuple[ast.AST, bool]] = deque([(tree, False)])
    while todo:
        node, guarded = todo.popleft()
        if isinstance(node, ast.Call):
            site = _call_site(node, guarded)
            if site is not None:
                calls.append(site)
        elif isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
        if id(node) in guards:
            assert isinstance(node, ast.If)
            else_branch = {id(child) for child in node.orelse}  # the `else:` branch runs on import
            todo.extend((child, id(child) not in else_branch) for child in _children(node))
        else:
            todo.extend((child, guarded) for child in _children(node))
    return ModuleFacts(tuple(calls), frozenset(roots))


# Nodes that never hold a call or an import. Not visiting them (half of a typical tree) makes the walk
# ~2x faster than `ast.iter_child_nodes`; the order of the other nodes stays that of `ast.walk`.
_LEAVES = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.alias)


def _children(node: ast.AST) -> Iterator[ast.AST]:
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            yield from (item for item in value if isinstance(item, ast.AST) and not isinstance(item, _LEAVES))
        elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
            yield value


def _call_site(node: ast.Call, guarded: bool) -> CallSite | None:
    name = call_name(node)
    if not name:
        return None  # f()(), x[0](): nothing a check looks for is called like that
    func = node.func
    receiver = None
    if isinstance(func, ast.Attribute):
        receiver = func.value.id if isinstance(func.value, ast.Name) else ""
    first = _string(node.args[0]) if node.args else None
    keywords = tuple((k.arg, _string(k.value)) for k in node.keywords)
    return CallSite(name, receiver, node.lineno, node.col_offset, guarded, first, keywords)


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def is_main_guard(node: ast.AST) -> bool:
    """`if __name__ == "__main__":` (either operand order): code that runs only as a script."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    operands = {_operand(test.left), _operand(test.comparators[0])}
    return operands == {"__name__", "'__main__'"}


def _operand(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return repr(node.value)
    return ""


def call_name(node: ast.Call) -> str:
    """`print` for print(...), `expose` for a.b.expose(...): the name the call is made by."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
