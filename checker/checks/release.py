"""VER005: the image tag the manifests (and compose files) deploy equals the project version.

Only the project's own images are compared: those whose repository ends with the config `service` name or
the pyproject project name. Third-party images (databases, sidecars, Prometheus) have versions of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.builtin import VERSION_SOURCES
from checker.checks.images import is_build_reference
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project import classify as kinds
from checker.project import versions
from checker.project.dependencies import normalise
from checker.project.index import InputError, ProjectIndex

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")



@dataclass(frozen=True)
class ImageUse:
    reference: str
    path: str
    line: int | None
    label: str  # what deploys it: container 'x' in Deployment 'y', compose service 'z'

    @property
    def repository(self) -> str:
        name = self.reference.partition("@")[0]
        head, _, last = name.rpartition("/")
        return f"{head}/{last.split(':')[0]}" if head else last.split(":")[0]

    @property
    def tag(self) -> str | None:
        last = self.reference.partition("@")[0].rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else None

    @property
    def digest_only(self) -> bool:
        return "@" in self.reference and self.tag is None


def register(registry: Registry) -> None:
    check_type(
        registry,
        "image_version",
        NoParams,
        "the deployed tag of the project's own images equals the project version",
        inputs=("kubernetes", "compose", *VERSION_SOURCES),
    )(image_version)  # type: ignore[arg-type]  # the registry stores checks by their base Params type


def image_version(ctx: CheckContext, params: NoParams) -> Outcome:
    names = own_names(ctx)
    if not names:
        return Outcome.skipped("no project name to recognise its images (config `service` or pyproject name)")
    own = [u for u in _image_uses(ctx.index) if _is_own(u, names)]
    comparable = [u for u in own if not u.digest_only]
    if not comparable:
        return Outcome.skipped(
            f"no image of the project's own (repository ending in {' or '.join(names)}) "
            "deployed by tag in manifests or compose files"
        )
    decl = versions.primary(ctx.index, ctx.config.version_from)
    if decl is None or not decl.value:
        return Outcome.skipped("no project version to compare image tags with (see VER001)")
    findings = [_mismatch(u, decl) for u in comparable if not _same_version(u.tag, decl.value)]
    return Outcome.from_findings(
        findings,
        f"{len(comparable)} deployed images tagged {decl.value} ({decl.path})",
        "{count} deployed images do not carry the project version",
    )


def own_names(ctx: CheckContext) -> list[str]:
    names = [ctx.config.service] if ctx.config.service else []
    project = _project_name(ctx.index)
    return sorted({normalise(n) for n in names + ([project] if project else [])})


def _project_name(index: ProjectIndex) -> str | None:
    """The name in the shallowest pyproject.toml outside model artefacts ([project] or [tool.poetry])."""
    paths = sorted(
        (f.path for f in index.of_kind(kinds.PYPROJECT) if not index.in_model_dir(f.path)),
        key=lambda p: (p.count("/"), p),
    )
    for path in paths:
        try:
            data = index.toml(path)
        except InputError:
            continue
        tool = data.get("tool")
        for table in (data.get("project"), tool.get("poetry") if isinstance(tool, dict) else None):
            name = table.get("name") if isinstance(table, dict) else None
            if isinstance(name, str):
                return name
    return None


def _image_uses(index: ProjectIndex) -> Iterator[ImageUse]:
    """Every image deployed; build-tool references (`ko://…`) are not images (SPEC §7) and carry no tag."""
    for workload in index.kube.workloads:
        for container in workload.containers(init=True):
            image = container.data.get("image")
            if isinstance(image, str) and not is_build_reference(image):
                yield ImageUse(
                    _resolve(image),
                    container.source.path,
                    container.source.line((*container.path, "image")),
                    container.label,
                )
    for service in index.compose.services:
        image = service.data.get("image")
        if isinstance(image, str) and not is_build_reference(image):
            yield ImageUse(_resolve(image), service.path, service.line("image"), service.label)


def _resolve(reference: str) -> str:
    """Compose `${VAR:-default}` reads as its default; a bare `${VAR}` stays unresolved (and mismatches)."""
    return _VARIABLE.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(0), reference.strip())


def _is_own(use: ImageUse, names: list[str]) -> bool:
    repository = normalise(use.repository)
    return any(repository.endswith(name) for name in names)


def _same_version(tag: str | None, version: str) -> bool:
    if tag is None:
        return False
    if tag.lstrip("vV") == version.lstrip("vV"):
        return True
    from packaging.version import InvalidVersion, Version

    try:
        return Version(tag) == Version(version)
    except InvalidVersion:
        return False


def _mismatch(use: ImageUse, decl: versions.VersionDecl) -> Finding:
    shown = f"tag {use.tag}" if use.tag else "no tag (:latest)"
    return Finding(
        message=f"{use.label} deploys {use.reference} with {shown}, but the project version is "
        f"{decl.value} ({decl.path})",
        path=use.path,
        line=use.line,
        locator=f"{use.path}:{use.label}:{use.reference}",
    )
