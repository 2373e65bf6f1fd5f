"""Where a project declares its version — pyproject [project] / [tool.poetry], setup.cfg, setup.py, a package
`__version__`, Chart.yaml `appVersion`, package.json, a `VERSION` file — and which one is *the* project
version (SPEC §7 *project version*). Read as text, TOML, YAML and JSON, never imported."""

from __future__ import annotations

import configparser
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.project import classify as kinds
from checker.project.index import InputError
from checker.yamlpos import position_of

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex

_ASSIGNED_VERSION = re.compile(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", re.M)
_SETUP_PY_VERSION = re.compile(r"""\bversion\s*=\s*["']([^"']+)["']""")
_VERSION_FILE = re.compile(r"^\s*(\S+)\s*$", re.M)  # the first non-blank line, as written
PLACEHOLDERS = frozenset({"version", "0.0.0", "unknown"})  # written by templates and build tools: no version yet


@dataclass(frozen=True)
class VersionDecl:
    path: str
    line: int | None
    value: str | None  # None: declared dynamic from a source we cannot read as text (e.g. git tags)
    source: str  # human words: "pyproject.toml [project]"
    problem: str | None = None  # the file cannot be parsed: its version is unknown, not absent


def toml_key_line(text: str, table: str, key: str) -> int | None:
    """Line of `key = …` inside `[table]` (tomllib keeps no positions)."""
    in_table = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == table
        elif in_table and re.match(rf"""["']?{re.escape(key)}["']?\s*=""", stripped):
            return number
    return None


def _depth(path: str) -> tuple[int, str]:
    return (path.count("/"), path)


def declarations(index: ProjectIndex) -> list[VersionDecl]:
    """Every version declaration of the project's own packages, shallowest first."""
    return index.derived("versions", _declarations)  # type: ignore[no-any-return]


def _declarations(index: ProjectIndex) -> list[VersionDecl]:
    found: list[VersionDecl] = []
    for source in index.of_kind(kinds.PYPROJECT):
        found += _from_pyproject(index, source.path)
    for source in index.of_kind(kinds.SETUP_CFG):
        found += _from_setup_cfg(index, source.path)
    for source in index.of_kind(kinds.SETUP_PY):
        found += _from_regex(index, source.path, _SETUP_PY_VERSION, "setup.py version=")
    for source in index.of_kind(kinds.PYTHON):
        name = posixpath.basename(source.path)
        if name in ("__init__.py", "_version.py", "version.py", "__about__.py"):
            found += _from_regex(index, source.path, _ASSIGNED_VERSION, "__version__")
    for source in index.of_kind(kinds.VERSION_FILE):
        found += _from_regex(index, source.path, _VERSION_FILE, "VERSION file")
    for source in index.of_kind(kinds.PACKAGE_JSON):
        found += _from_mapping(index, source.path, ("version",), "package.json version")
    for source in index.of_kind(kinds.HELM_CHART):
        found += _from_mapping(index, source.path, ("appVersion",), "Chart.yaml appVersion")
    # Tests, examples and docs are out of scope (checker.project.scope): `of_kind` never lists them.
    own = [d for d in found if not index.in_model_dir(d.path)]
    # A dynamic version's source file is also found on its own: report each place once.
    unique = {(d.path, d.line): d for d in reversed(own)}
    return sorted(unique.values(), key=lambda d: _depth(d.path))


def _from_pyproject(index: ProjectIndex, path: str) -> list[VersionDecl]:
    try:
        data = index.toml(path)
        text = index.text(path)
    except InputError as exc:
        # Fail closed: an unparseable pyproject may well declare a version; it must not pass as "none".
        return [VersionDecl(path, exc.problem.line, None, "pyproject.toml", problem=exc.problem.message)]
    project = data.get("project")
    if isinstance(project, dict):
        if "version" in project:
            return [VersionDecl(path, toml_key_line(text, "project", "version"), str(project["version"]), "pyproject.toml [project]")]
        if "version" in (project.get("dynamic") or []):
            return [_dynamic(index, path, data, text)]
        return [VersionDecl(path, toml_key_line(text, "project", "name"), "", "pyproject.toml [project] (no version)")]
    poetry = data.get("tool", {}).get("poetry")
    if isinstance(poetry, dict) and "version" in poetry:
        return [VersionDecl(path, toml_key_line(text, "tool.poetry", "version"), str(poetry["version"]), "[tool.poetry]")]
    return []  # a pyproject holding only tool settings declares no version


def _dynamic(index: ProjectIndex, path: str, data: dict[str, Any], text: str) -> VersionDecl:
    """A dynamic version: follow a file source where the build backend names one."""
    line = toml_key_line(text, "project", "dynamic")
    tool = data.get("tool", {})
    hatch = tool.get("hatch", {}).get("version", {})
    setuptools_attr = tool.get("setuptools", {}).get("dynamic", {}).get("version", {})
    base = posixpath.dirname(path)
    file = hatch.get("path") if isinstance(hatch, dict) else None
    if isinstance(setuptools_attr, dict) and setuptools_attr.get("file"):
        file = setuptools_attr["file"]
    if file:
        target = posixpath.normpath(posixpath.join(base, str(file)))
        decls = _from_regex(index, target, _ASSIGNED_VERSION, f"__version__ in {target}") if target in index.files else []
        if decls:
            return decls[0]
    if isinstance(setuptools_attr, dict) and setuptools_attr.get("attr"):
        module = str(setuptools_attr["attr"]).rsplit(".", 1)[0].replace(".", "/")
        for candidate in (f"{module}/__init__.py", f"{module}.py", f"src/{module}/__init__.py", f"src/{module}.py"):
            target = posixpath.normpath(posixpath.join(base, candidate))
            decls = _from_regex(index, target, _ASSIGNED_VERSION, f"__version__ in {target}") if target in index.files else []
            if decls:
                return decls[0]
    return VersionDecl(path, line, None, "pyproject.toml dynamic version (from the build backend, e.g. git tags)")


def _from_setup_cfg(index: ProjectIndex, path: str) -> list[VersionDecl]:
    try:
        text = index.text(path)
    except InputError:
        return []
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    value = parser.get("metadata", "version", fallback=None)
    if value is None or value.startswith(("attr:", "file:")):
        return []
    line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith("version")), None)
    return [VersionDecl(path, line, value.strip(), "setup.cfg [metadata]")]


def _from_regex(index: ProjectIndex, path: str, pattern: re.Pattern[str], source: str) -> list[VersionDecl]:
    try:
        text = index.text(path)
    except InputError:
        return []
    match = pattern.search(text)
    if not match:
        return []
    return [VersionDecl(path, text.count("\n", 0, match.start()) + 1, match.group(1), source)]


def _from_mapping(index: ProjectIndex, path: str, key: tuple[str, ...], source: str) -> list[VersionDecl]:
    """A version under `key` of a JSON or YAML mapping (package.json, Chart.yaml)."""
    try:
        docs = index.data(path)
    except InputError:
        return []
    doc = docs[0] if docs else None
    for part in key:
        doc = doc.get(part) if isinstance(doc, dict) else None
    if doc is None or isinstance(doc, (dict, list, bool)):
        return []
    pos = position_of(docs[0], key)
    return [VersionDecl(path, pos[0] if pos else None, str(doc), source)]


def is_placeholder(value: str | None) -> bool:
    text = (value or "").strip().lower()
    return text in PLACEHOLDERS or text.removeprefix("v") in PLACEHOLDERS


# Where several files at the root declare a version, the packaging metadata speaks for the project.
_ROOT_PREFERENCE = ("pyproject.toml", "setup.cfg", "setup.py", "VERSION", "package.json", "Chart.yaml")


def _preference(decl: VersionDecl) -> int:
    name = posixpath.basename(decl.path)
    return _ROOT_PREFERENCE.index(name) if name in _ROOT_PREFERENCE else len(_ROOT_PREFERENCE)


@dataclass(frozen=True)
class ProjectVersion:
    """The one declaration that is the project version, or None with the reason there is none."""

    decl: VersionDecl | None
    why: str  # how it was chosen, or why there is none, in words for a finding


def project_version(index: ProjectIndex, version_from: str | None = None) -> ProjectVersion:
    """SPEC §7: `version_from:` when set; else the declaration at the target root; else the single
    shallowest in-scope candidate. A placeholder is no version."""
    decls = declarations(index)
    if version_from is not None:
        chosen = [d for d in decls if d.path == version_from]
        if not chosen:
            return ProjectVersion(None, f"{version_from} (config `version_from`) declares no version")
        return ProjectVersion(chosen[0], f"{version_from} (config `version_from`)")
    at_root = sorted((d for d in decls if "/" not in d.path), key=_preference)
    if at_root:
        return ProjectVersion(at_root[0], f"{at_root[0].path} at the project root")
    if not decls:
        return ProjectVersion(None, "no version declared")
    shallowest = [d for d in decls if d.path.count("/") == decls[0].path.count("/")]
    if len({d.path for d in shallowest}) > 1:
        names = ", ".join(sorted({d.path for d in shallowest}))
        return ProjectVersion(None, f"several candidates at the same depth ({names}): set `version_from` in the config")
    return ProjectVersion(shallowest[0], f"{shallowest[0].path}, the shallowest declaration")


def primary(index: ProjectIndex, version_from: str | None = None) -> VersionDecl | None:
    """The project version's declaration when it has a real value (not dynamic, not a placeholder)."""
    decl = project_version(index, version_from).decl
    return decl if decl is not None and decl.value and not is_placeholder(decl.value) else None
