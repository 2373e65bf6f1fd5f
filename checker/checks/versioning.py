"""Versioning checks: a valid project version (VER001), a CHANGELOG entry for it (VER002),
pinned dependencies (VER004)."""

from __future__ import annotations

import posixpath
import re

from checker.checks.builtin import VERSION_SOURCES
from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project import classify as kinds
from checker.project import versions
from checker.project.index import InputError, ProjectIndex

_SEMVER = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_RST_UNDERLINE = re.compile(r"^([=\-~^*+#])\1{2,}\s*$")



def register(registry: Registry) -> None:
    check_type(registry, "project_version", NoParams, "the project declares a valid PEP 440 / semver version",
               inputs=VERSION_SOURCES)(project_version)  # fmt: skip
    check_type(registry, "changelog_entry", NoParams, "the CHANGELOG has an entry for the project version",
               inputs=("changelog", *VERSION_SOURCES))(changelog_entry)  # fmt: skip
    check_type(registry, "dependency_lock", NoParams, "dependencies are locked or pinned with ==",
               inputs=("pyproject", "requirements", "lockfile"))(dependency_lock)  # fmt: skip


def is_valid_version(value: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        Version(value)
        return True
    except InvalidVersion:
        return bool(_SEMVER.match(value))


def project_version(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    chosen = versions.project_version(ctx.index, ctx.config.version_from)
    decl = chosen.decl
    if decl is None:
        hint = "add `version` to [project] in pyproject.toml (or setup.cfg, setup.py, a package __version__, a VERSION file)"
        message = f"{chosen.why}: {hint}" if chosen.why == "no version declared" else chosen.why
        return Outcome.failed("no project version found", [Finding(message=message)])
    problem = _version_problem(decl)
    if problem is not None:
        return Outcome.failed(f"the project version in {decl.path} is not usable",
                              [Finding(message=problem, path=decl.path, line=decl.line, locator=f"{decl.path}:version")])  # fmt: skip
    how = " (config `version_from`)" if ctx.config.version_from else ""
    return Outcome.passed(f"version {decl.value or '(dynamic)'} in {decl.path}{how}")


def _version_problem(decl: versions.VersionDecl) -> str | None:
    if decl.problem:
        return f"{decl.path} cannot be read, so its version is unknown: {decl.problem}"
    if decl.value == "":
        return f"{decl.source}: the [project] table declares no version"
    if versions.is_placeholder(decl.value):
        return f"{decl.source}: {decl.value!r} is a placeholder, not a version"
    if decl.value is not None and not is_valid_version(decl.value):
        return f"{decl.source}: {decl.value!r} is neither a PEP 440 nor a semantic version"
    return None


def changelog_entry(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    decl = versions.primary(ctx.index, ctx.config.version_from)
    logs = _changelogs(ctx.index, posixpath.dirname(decl.path) if decl else "")
    if not logs:
        where = "at the project root" + (f" or beside {decl.path}" if decl and "/" in decl.path else "")
        return Outcome.failed("no CHANGELOG", [Finding(message=f"no CHANGELOG file (CHANGELOG, CHANGES, HISTORY or NEWS) {where}")])
    if decl is None or not is_valid_version(decl.value or ""):
        return Outcome.skipped("no valid project version to look up (see VER001)")
    path = logs[0]
    try:
        text = ctx.index.text(path)
    except InputError as exc:
        return Outcome.failed("CHANGELOG unreadable", [Finding(message=exc.problem.message, path=path)])
    assert decl.value is not None
    release, pre = _release_part(decl.value)
    line = _entry_line(text, release, decl.value, accept_unreleased=pre)
    if line:
        return Outcome.passed(f"{path} has an entry for {decl.value} (line {line})")
    wanted = f"{release} (or an Unreleased section)" if pre else release
    finding = Finding(message=f"{path} has no entry for version {wanted} declared in {decl.path}",
                      path=path, line=1, locator=f"{path}:{release}")  # fmt: skip
    return Outcome.failed(f"no CHANGELOG entry for {release}", [finding])


def _changelogs(index: ProjectIndex, version_dir: str) -> list[str]:
    """CHANGELOG files beside the version file first, then at the root (SPEC §7: nowhere else)."""
    places = [version_dir, ""] if version_dir else [""]
    found = [f.path for f in index.of_kind(kinds.CHANGELOG)]
    return [p for place in places for p in sorted(found) if posixpath.dirname(p) == place]


def _release_part(value: str) -> tuple[str, bool]:
    from packaging.version import InvalidVersion, Version

    try:
        parsed = Version(value)
    except InvalidVersion:
        core = value.lstrip("v").split("-")[0].split("+")[0]
        return core, "-" in value
    return ".".join(str(p) for p in parsed.release), parsed.is_prerelease or parsed.is_devrelease


def _entry_line(text: str, release: str, full: str, accept_unreleased: bool) -> int | None:
    wanted = re.compile(rf"(?<![\w.])v?({re.escape(release)}|{re.escape(full)})(?![\w]|\.\d)")
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        nxt = lines[number] if number < len(lines) else ""
        if not _is_heading(line, nxt):
            continue
        if wanted.search(line) or (accept_unreleased and "unreleased" in line.lower()):
            return number
    return None


def _is_heading(line: str, next_line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    return stripped.startswith(("#", "[", "v")) or stripped[0].isdigit() or bool(_RST_UNDERLINE.match(next_line))


# --- VER004 ------------------------------------------------------------------------------------------


def dependency_lock(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    index = ctx.index
    locks = [f.path for f in index.of_kind(kinds.LOCKFILE) if not index.in_model_dir(f.path)]
    reqs = [f.path for f in index.of_kind(kinds.REQUIREMENTS) if not index.in_model_dir(f.path)]
    pyprojects = [f.path for f in index.of_kind(kinds.PYPROJECT) if not index.in_model_dir(f.path)]
    projects = [p for p in pyprojects if _declares_dependencies(index, p)]
    locked_dirs = [posixpath.dirname(p) for p in locks]
    # Fail closed: an unparseable pyproject may declare dependencies that nothing pins.
    findings = [f for p in pyprojects if not _covered(p, locked_dirs) for f in _unreadable(index, p)]
    if not (locks or reqs or projects or findings):
        return Outcome.skipped("no dependency files (pyproject dependencies, requirements, lock files)")
    pinned_dirs = []
    for path in reqs:
        if _covered(path, locked_dirs):
            continue
        unpinned = _unpinned_requirements(index, path)
        findings += unpinned
        if not unpinned:
            pinned_dirs.append(posixpath.dirname(path))
    for path in projects:
        if not _covered(path, locked_dirs + pinned_dirs):
            findings.append(Finding(message=f"{path} declares dependency ranges but no lock file or fully pinned "
                                    "requirements file pins them", path=path, line=_dependencies_line(index, path),
                                    locator=f"{path}:unlocked"))  # fmt: skip
    what = ", ".join(locks) if locks else "requirements pinned with =="
    return Outcome.from_findings(findings, f"dependencies pinned ({what})", "{count} unpinned dependency declarations")


def _covered(path: str, dirs: list[str]) -> bool:
    folder = posixpath.dirname(path)
    return any(folder == d or folder.startswith(d + "/") or d == "" for d in dirs)


def _unreadable(index: ProjectIndex, path: str) -> list[Finding]:
    try:
        index.toml(path)
    except InputError as exc:
        message = f"{path} cannot be read, so its dependencies cannot be judged: {exc.problem.message}"
        return [Finding(message=message, path=path, line=exc.problem.line, locator=f"{path}:unreadable")]
    return []


def _dependencies_line(index: ProjectIndex, path: str) -> int | None:
    """Where the dependencies are declared: `dependencies =` in [project], else [tool.poetry.dependencies]."""
    text = index.text(path)
    line = versions.toml_key_line(text, "project", "dependencies")
    if line is None:
        headers = (n for n, ln in enumerate(text.splitlines(), 1) if ln.strip() == "[tool.poetry.dependencies]")
        line = next(headers, None)
    return line


def _declares_dependencies(index: ProjectIndex, path: str) -> bool:
    try:
        data = index.toml(path)
    except InputError:
        return False
    project = data.get("project")
    if not isinstance(project, dict):
        project = {}
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    return bool(project.get("dependencies")) or bool({k for k in poetry if k != "python"})


def _unpinned_requirements(index: ProjectIndex, path: str) -> list[Finding]:
    try:
        text = index.text(path)
    except InputError as exc:
        return [Finding(message=exc.problem.message, path=path)]
    findings = []
    for number, requirement in _requirement_lines(text):
        if not _is_pinned(requirement):
            findings.append(Finding(message=f"requirement {requirement!r} is not pinned with ==",
                                    path=path, line=number, locator=f"{path}:{requirement}"))  # fmt: skip
    return findings


def _requirement_lines(text: str) -> list[tuple[int, str]]:
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip().rstrip("\\").strip()
        if not line or line.startswith("#") or line.startswith("--hash") or raw.startswith((" ", "\t")):
            continue
        if line.startswith("-"):
            if line.startswith(("-e ", "--editable")) and "git+" in line:
                found.append((number, line))
            continue  # options, includes (-r/-c) and local editables are not requirements to pin
        found.append((number, line.split(";", 1)[0].strip()))
    return found


def _is_pinned(requirement: str) -> bool:
    if " @ " in requirement or requirement.startswith(("-e", "git+")):
        return bool(re.search(r"@[0-9a-f]{40}\b", requirement))
    match = re.search(r"===?\s*([^,;\s]+)", requirement)
    if match is None:
        return False
    return "*" not in match.group(1) and "," not in requirement.split("==", 1)[-1]
