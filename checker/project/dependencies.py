"""The project's declared runtime dependencies (names only), with the file and line that declares each.

Sources: pyproject `[project]` dependencies and optional dependencies, `[tool.poetry]` dependencies, and
requirements files. Development groups and files (dev, test, lint, docs) and the environment files of a
model artefact folder do not describe what the service runs with, so they are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.project import classify as kinds
from checker.project.index import InputError
from checker.project.versions import toml_key_line

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_DEV_WORDS = re.compile(r"(^|[^a-z])(dev|develop|test|tests|testing|lint|docs|doc)([^a-z]|$)")


@dataclass(frozen=True)
class Dependency:
    name: str  # normalised (PEP 503): lower case, runs of -_. become -
    path: str
    line: int | None
    extras: frozenset[str] = frozenset()

    def satisfies(self, wanted: str) -> bool:
        """`ray[serve]` is satisfied by `ray[serve,tune]`; `prometheus_client` by `prometheus-client`."""
        match = _NAME.match(wanted)
        if not match or normalise(match.group(1)) != self.name:
            return False
        return _extras(match.group(2)) <= self.extras


def is_dev_name(name: str) -> bool:
    """A dependency group or requirements file for development (dev, test, lint, docs), not for serving."""
    return bool(_DEV_WORDS.search(name.lower()))


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _extras(text: str | None) -> frozenset[str]:
    return frozenset(normalise(e.strip()) for e in (text or "").split(",") if e.strip())


def _parsed(requirement: str, path: str, line: int | None) -> Dependency | None:
    match = _NAME.match(requirement)
    if not match:
        return None
    return Dependency(normalise(match.group(1)), path, line, _extras(match.group(2)))


def declared_dependencies(index: ProjectIndex) -> list[Dependency]:
    return index.derived("dependencies", _collect)  # type: ignore[no-any-return]


def _collect(index: ProjectIndex) -> list[Dependency]:
    found: list[Dependency] = []
    for source in index.of_kind(kinds.PYPROJECT):
        if not index.in_model_dir(source.path):
            found += _from_pyproject(index, source.path)
    for source in index.of_kind(kinds.REQUIREMENTS):
        if not index.in_model_dir(source.path) and not _DEV_WORDS.search(
            source.path.lower().rsplit("/", 1)[-1]
        ):
            found += _from_requirements(index, source.path)
    return found


def _from_pyproject(index: ProjectIndex, path: str) -> list[Dependency]:
    try:
        data = index.toml(path)
        text = index.text(path)
    except InputError:
        return []
    found = []
    for requirement in _pep621_requirements(data):
        dep = _parsed(requirement, path, _string_line(text, requirement))
        found += [dep] if dep else []
    for name, spec in _table(data, "tool", "poetry", "dependencies").items():
        extras = ",".join(map(str, _list(spec.get("extras")))) if isinstance(spec, dict) else ""
        dep = _parsed(f"{name}[{extras}]", path, toml_key_line(text, "tool.poetry.dependencies", str(name)))
        found += [dep] if dep and name != "python" else []
    return found


def _pep621_requirements(data: dict[str, Any]) -> list[str]:
    project = _table(data, "project")
    requirements = _list(project.get("dependencies"))
    for group, extra in _table(project, "optional-dependencies").items():
        if not _DEV_WORDS.search(str(group).lower()):
            requirements += _list(extra)
    return [str(r) for r in requirements]


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """A nested TOML table, or {} where a key is missing or not a table (a hand-edited file may be odd)."""
    for key in keys:
        value = data.get(key)
        data = value if isinstance(value, dict) else {}
    return data


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _from_requirements(index: ProjectIndex, path: str) -> list[Dependency]:
    try:
        text = index.text(path)
    except InputError:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        dep = None if line.lstrip().startswith(("#", "-")) else _parsed(line, path, number)
        found += [dep] if dep else []
    return found


def _string_line(text: str, requirement: str) -> int | None:
    """The line holding the quoted requirement string (tomllib keeps no positions)."""
    for quoted in (f'"{requirement}"', f"'{requirement}'"):
        offset = text.find(quoted)
        if offset >= 0:
            return text.count("\n", 0, offset) + 1
    return None
