"""Exact versions (`name==1.5.2`) on both sides of VER008: the project's own pinned dependency files, and the
environment MLflow recorded beside an `MLmodel` file.

Project side: requirements files (not development ones, not inside a model artefact folder) and `[project]`
dependencies pinned with `==`, and the lock files — poetry.lock, uv.lock, pdm.lock (`[[package]]`),
Pipfile.lock (`default`), conda-lock.yml (`main`). Model side: `requirements.txt`, `python_env.yaml`
(`dependencies`) and `conda.yaml` (conda packages `name=1.5.2`, and its `pip:` list) beside the MLmodel file.
Names are normalised (PEP 503) and conda's own names mapped to pip's (`pytorch` is `torch`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.project import classify as kinds
from checker.project.dependencies import is_dev_name, normalise
from checker.project.index import InputError

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex

MODEL_ENV_FILES = ("requirements.txt", "python_env.yaml", "conda.yaml")
# Other distribution names of the same library (conda packages, hardware builds, renamed projects).
ALIASES = {"pytorch": "torch", "pytorch-cpu": "torch", "pytorch-gpu": "torch", "py-xgboost": "xgboost",
           "tensorflow-cpu": "tensorflow", "tensorflow-gpu": "tensorflow", "onnxruntime-gpu": "onnxruntime",
           "fbprophet": "prophet", "py-lightgbm": "lightgbm"}  # fmt: skip
_PIP_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([0-9][0-9A-Za-z.+!_-]*)\s*(?:[;#].*)?$")
_CONDA_PIN = re.compile(r"^\s*(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*==?\s*([0-9][0-9A-Za-z.+!_-]*)(?:=\S*)?\s*$")


@dataclass(frozen=True)
class Pin:
    name: str  # normalised, aliases resolved
    version: str
    path: str
    line: int | None


def library(name: str) -> str:
    normal = normalise(name)
    return ALIASES.get(normal, normal)


# --- the model's environment -----------------------------------------------------------------------


def model_environment(index: ProjectIndex, mlmodel_path: str) -> tuple[list[str], list[Pin]]:
    """The environment files beside `mlmodel_path` and the exact versions they record."""
    folder = posixpath.dirname(mlmodel_path)
    files = [p for name in MODEL_ENV_FILES if (p := posixpath.join(folder, name)) in index.files]
    pins: list[Pin] = []
    for path in files:
        pins += _requirements(index, path) if path.endswith(".txt") else _environment_yaml(index, path)
    return files, pins


def _environment_yaml(index: ProjectIndex, path: str) -> list[Pin]:
    """python_env.yaml `dependencies` (pip strings) or conda.yaml `dependencies` (conda specs and a `pip:` list)."""
    try:
        docs = index.yaml(path)
        text = index.text(path)
    except InputError:
        return []  # the engine reports the unreadable file with the rule
    entries = _items(docs[0] if docs else None, "dependencies")
    conda = path.endswith("conda.yaml")
    pins = []
    for entry in entries:
        if isinstance(entry, dict):  # conda's `- pip: [...]`
            pins += [p for item in _strings(entry.get("pip")) if (p := _pin(_PIP_PIN, item, path, text))]
        elif isinstance(entry, str) and (p := _pin(_CONDA_PIN if conda else _PIP_PIN, entry, path, text)):
            pins.append(p)
    return pins


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _table(value: Any, key: str) -> dict[str, Any]:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def _items(value: Any, key: str) -> list[Any]:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, list) else []


def _pin(pattern: re.Pattern[str], entry: str, path: str, text: str, line: int | None = None) -> Pin | None:
    match = pattern.match(entry)
    if match is None:
        return None
    return Pin(library(match.group(1)), match.group(2), path, line if line is not None else _line_of(text, entry))


def _line_of(text: str, entry: str) -> int | None:
    wanted = entry.strip()
    return next((n for n, row in enumerate(text.splitlines(), 1) if wanted in row), None)


# --- the project's own pins ------------------------------------------------------------------------


def project_pins(index: ProjectIndex) -> list[Pin]:
    """Every exact version the project's own dependency files pin (see the module docstring)."""
    own = [f.path for f in index.files.values() if not index.in_model_dir(f.path)]
    pins: list[Pin] = []
    for path in own:
        source = index.files[path].kinds
        if kinds.REQUIREMENTS in source and not is_dev_name(posixpath.basename(path)):
            pins += _requirements(index, path)
        elif kinds.PYPROJECT in source:
            pins += _pyproject(index, path)
        elif kinds.LOCKFILE in source:
            pins += _lock_file(index, path)
    return pins


def _requirements(index: ProjectIndex, path: str) -> list[Pin]:
    try:
        text = index.text(path)
    except InputError:
        return []
    return [p for n, row in enumerate(text.splitlines(), 1) if (p := _pin(_PIP_PIN, row, path, text, n))]


def _pyproject(index: ProjectIndex, path: str) -> list[Pin]:
    try:
        data, text = index.toml(path), index.text(path)
    except InputError:
        return []
    project = _table(data, "project")
    extras = _table(project, "optional-dependencies")
    requirements = _strings(project.get("dependencies"))
    requirements += [r for group, items in extras.items() if not is_dev_name(str(group)) for r in _strings(items)]
    return [p for r in requirements if (p := _pin(_PIP_PIN, r, path, text))]


def _lock_file(index: ProjectIndex, path: str) -> list[Pin]:
    name = posixpath.basename(path)
    try:
        if name == "Pipfile.lock":
            return _pipfile_lock(index.json(path), path, index.text(path))
        if name.startswith("conda-lock"):
            docs = index.yaml(path)
            return _conda_lock(docs[0] if docs else None, path, index.text(path))
        return _toml_packages(index.toml(path), path, index.text(path))
    except InputError:
        return []


def _toml_packages(data: dict[str, Any], path: str, text: str) -> list[Pin]:
    """poetry.lock, uv.lock and pdm.lock: `[[package]]` tables with `name` and `version`."""
    packages = _items(data, "package")
    return [Pin(library(str(p["name"])), str(p["version"]), path, _line_of(text, f'name = "{p["name"]}"'))
            for p in packages if isinstance(p, dict) and "name" in p and "version" in p]  # fmt: skip


def _pipfile_lock(data: Any, path: str, text: str) -> list[Pin]:
    default = _table(data, "default")
    return [Pin(library(str(name)), str(spec["version"]).lstrip("="), path, _line_of(text, f'"{name}"'))
            for name, spec in default.items() if isinstance(spec, dict) and str(spec.get("version", "")).startswith("==")]  # fmt: skip


def _conda_lock(doc: Any, path: str, text: str) -> list[Pin]:
    packages = _items(doc, "package")
    return [Pin(library(str(p["name"])), str(p["version"]), path, _line_of(text, f"name: {p['name']}"))
            for p in packages if isinstance(p, dict) and "name" in p and "version" in p
            and p.get("category", "main") == "main"]  # fmt: skip


def by_library(pins: Iterable[Pin]) -> dict[str, list[Pin]]:
    found: dict[str, list[Pin]] = {}
    for pin in pins:
        found.setdefault(pin.name, []).append(pin)
    return found
