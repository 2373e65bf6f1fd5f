"""Image pinning (REL006): every image reference has an explicit tag other than a moving one, or a digest.

SPEC §7 "pinned image": moving tags (`latest`, `main`, `nightly`, … in any case) are not pinned, and
build-tool references (`ko://…`) are not images at all. Dockerfiles count `FROM`, `COPY --from=<image>` and
`RUN --mount=from=<image>`; build stages and `scratch` are not images, and `ARG` defaults are resolved
(checker.project.dockerfile).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.model import Finding

if TYPE_CHECKING:
    from checker.project.dockerfile import ImageReference

Source = Literal["kubernetes", "compose", "dockerfile"]
# Compose interpolation: `${VAR}`, `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` and bare `$VAR`;
# `$$` is a literal dollar sign.
_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|:?\?[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_UNRESOLVED = "\0"  # stands in for a variable that has no default
# Tags that name a branch or a channel, not a build: what they point at changes under the same name.
MOVING_TAGS = frozenset(
    {"latest", "main", "master", "develop", "dev", "edge", "nightly", "stable", "head", "trunk", "canary"}
)
# Placeholders a build tool replaces with the image it builds (`ko resolve`): not images themselves.
BUILD_REFERENCE_PREFIXES = ("ko://",)


class ImagePinningParams(Params):
    sources: list[Source] = Field(default=["kubernetes", "compose", "dockerfile"], min_length=1)


def register(registry: Registry) -> None:
    check_type(
        registry, "image_pinning", ImagePinningParams,
        "every image reference is pinned by a tag that does not move (not latest, main, …) or a digest", inputs=("kubernetes", "compose", "dockerfile"),
    )(image_pinning)  # fmt: skip


def is_build_reference(reference: str) -> bool:
    """A build-tool placeholder such as `ko://github.com/org/app/cmd/server`, which is not an image."""
    return reference.strip().lower().startswith(BUILD_REFERENCE_PREFIXES)


def pin_problem(reference: str) -> str | None:
    """Why image `reference` is not pinned, or None when it is; build-tool references are left out before."""
    ref = _resolve_variables(reference.strip())
    if not ref:
        return "empty image reference"
    name, _, digest = ref.partition("@")
    if _UNRESOLVED in digest or _UNRESOLVED in name.rsplit("/", 1)[-1]:
        # A variable in the registry or repository path does not matter; one in the tag or digest does.
        return f"image {reference!r} takes its tag from a variable without a default"
    if digest:
        return None if re.fullmatch(r"sha256:[0-9a-f]{64}", digest) else f"image {reference!r} has a malformed digest"
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {reference!r} has no tag (defaults to :latest)"
    tag = last.split(":", 1)[1]
    if tag.lower() == "latest":
        return f"image {reference!r} uses the mutable tag :latest"
    if tag.lower() in MOVING_TAGS:
        return f"image {reference!r} uses the moving tag :{tag}, which follows a branch or channel"
    return None if tag else f"image {reference!r} has an empty tag"


def _resolve_variables(ref: str) -> str:
    """Compose-style `${VAR:-default}` resolves to its default; a variable without one becomes `_UNRESOLVED`."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        if match.group(2) is None:  # no default: the value is only known when compose runs
            return _UNRESOLVED
        return match.group(3)

    return _VARIABLE.sub(substitute, ref)


def image_pinning(ctx: CheckContext, params: ImagePinningParams) -> Outcome:  # type: ignore[override]
    findings: list[Finding] = []
    seen = 0
    if "kubernetes" in params.sources:
        for workload in ctx.index.kube.pod_templates():
            for container in workload.containers(init=True):
                if container.borrows_image or _is_build_reference(container.data.get("image")):
                    continue  # (a KServe model spec runs its ServingRuntime's image: judged on the runtime)
                seen += 1
                findings += _judge(container.data.get("image"), container.source.path,
                                   container.source.line((*container.path, "image")), container.label,
                                   f"{container.source.ref}:{container.name}")  # fmt: skip
    if "compose" in params.sources:
        for service in ctx.index.compose.services:
            if "image" in service.data and not _is_build_reference(service.data["image"]):
                seen += 1
                findings += _judge(service.data["image"], service.path, service.line("image"), service.label,
                                   f"{service.path}:{service.name}")  # fmt: skip
    if "dockerfile" in params.sources:
        dockerfile_seen, dockerfile_findings = _dockerfile_images(ctx)
        seen += dockerfile_seen
        findings += dockerfile_findings
    if not seen:
        return Outcome.skipped("no image references in manifests, compose files or Dockerfiles")
    return Outcome.from_findings(findings, f"{seen} image references pinned", "{count} unpinned images")


def _is_build_reference(image: object) -> bool:
    return isinstance(image, str) and is_build_reference(image)


def _judge(image: object, path: str, line: int | None, label: str, locator: str) -> list[Finding]:
    if not isinstance(image, str):
        return [Finding(message=f"{label}: no image set", path=path, line=line, locator=locator)]
    problem = pin_problem(image)
    return [Finding(message=f"{label}: {problem}", path=path, line=line, locator=f"{locator}:{image}")] if problem else []


def _dockerfile_images(ctx: CheckContext) -> tuple[int, list[Finding]]:
    from checker.project.dockerfile import dockerfiles

    refs = [
        (d.path, ref) for d in dockerfiles(ctx.index).files for ref in d.image_references()
        if not is_build_reference(ref.resolved if ref.resolved is not None else ref.raw)
    ]  # fmt: skip
    return len(refs), [f for path, ref in refs for f in _judge_dockerfile_ref(path, ref)]


def _judge_dockerfile_ref(path: str, ref: ImageReference) -> list[Finding]:
    label = f"{ref.where} in {ref.stage.label}"
    problem: str | None
    if ref.resolved is None:
        problem = f"image {ref.raw!r} takes its tag from a build argument without a default"
    else:
        problem = pin_problem(ref.resolved)
        if problem and ref.resolved != ref.raw:
            problem += f" (resolved from {ref.raw})"
    if not problem:
        return []
    return [Finding(message=f"{label}: {problem}", path=path, line=ref.line, locator=f"{path}:{ref.where}:{ref.raw}")]
