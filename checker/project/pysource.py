"""Python files of the project as syntax trees: parsed once per run, never imported or executed.

A file that does not parse (Python 2, a template, a merge conflict) is recorded on the index as an input
problem and yields no tree, so a check can carry on with the other files.
"""

from __future__ import annotations

import ast
import fnmatch
import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from checker.project import classify as kinds
from checker.project.index import InputError

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex

# SPEC §7 "service code": folders and file names that hold tests, load tests, scripts and documentation.
NON_SERVICE_DIRS = frozenset({"tests", "loadtest", "scripts", "docs", "examples"})
NON_SERVICE_NAMES = ("test_*.py", "*_test.py", "conftest.py", "locustfile*.py")


def is_service_code(path: str) -> bool:
    """True for a Python file that runs as part of the service (not a test, load test, script or doc)."""
    if not path.endswith(".py"):
        return False  # notebooks and other formats are never service code
    *folders, name = path.split("/")
    if any(folder in NON_SERVICE_DIRS for folder in folders):
        return False
    return not any(fnmatch.fnmatchcase(name, pattern) for pattern in NON_SERVICE_NAMES)


class PythonSources:
    """Syntax trees of the project's Python files, parsed lazily and at most once."""

    def __init__(self, index: ProjectIndex) -> None:
        self._index = index
        self._trees: dict[str, ast.Module | None] = {}

    @classmethod
    def of(cls, index: ProjectIndex) -> PythonSources:
        return index.derived("python_sources", cls)  # type: ignore[no-any-return]

    def service_files(self) -> list[str]:
        return sorted(f.path for f in self._index.of_kind(kinds.PYTHON) if is_service_code(f.path))

    def tree(self, path: str) -> ast.Module | None:
        """The module's syntax tree, or None when the file cannot be read or parsed (recorded on the index)."""
        if path not in self._trees:
            self._trees[path] = self._parse(path)
        return self._trees[path]

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


def walk_outside_main_guard(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree except those under a module-level `if __name__ == "__main__":`."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(node, ast.Module) and is_main_guard(child):
                stack += getattr(child, "orelse", [])  # the `else:` branch runs on import
                continue
            stack.append(child)


def call_name(node: ast.Call) -> str:
    """`print` for print(...), `expose` for a.b.expose(...): the name the call is made by."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
