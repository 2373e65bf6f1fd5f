"""Image pinning (REL006): every image reference has an explicit tag other than `latest`, or a digest."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.model import Finding

Source = Literal["kubernetes", "compose"]
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


class ImagePinningParams(Params):
    sources: list[Source] = Field(default=["kubernetes", "compose"], min_length=1)


def register(registry: Registry) -> None:
    check_type(
        registry, "image_pinning", ImagePinningParams,
        "every image reference is pinned by tag (not latest) or digest", inputs=("kubernetes", "compose"),
    )(image_pinning)  # fmt: skip


def pin_problem(reference: str) -> str | None:
    """Why `reference` is not pinned, or None when it is."""
    ref = _resolve_variables(reference.strip())
    if ref is None:
        return f"image {reference!r} takes its tag from a variable without a default"
    if not ref:
        return "empty image reference"
    name, _, digest = ref.partition("@")
    if digest:
        return None if re.fullmatch(r"sha256:[0-9a-f]{64}", digest) else f"image {reference!r} has a malformed digest"
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {reference!r} has no tag (defaults to :latest)"
    tag = last.split(":", 1)[1]
    if tag.lower() == "latest":
        return f"image {reference!r} uses the mutable tag :latest"
    return None if tag else f"image {reference!r} has an empty tag"


def _resolve_variables(ref: str) -> str | None:
    """Compose-style `${VAR:-default}` resolves to its default; a bare `${VAR}` cannot be judged."""
    unresolved = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unresolved
        if match.group(2) is None:
            unresolved = True
            return ""
        return match.group(2)

    resolved = _VARIABLE.sub(substitute, ref)
    return None if unresolved else resolved


def image_pinning(ctx: CheckContext, params: ImagePinningParams) -> Outcome:  # type: ignore[override]
    findings: list[Finding] = []
    seen = 0
    if "kubernetes" in params.sources:
        for workload in ctx.index.kube.workloads:
            for container in workload.containers(init=True):
                seen += 1
                findings += _judge(container.data.get("image"), container.source.path,
                                   container.source.line((*container.path, "image")), container.label,
                                   f"{container.source.ref}:{container.name}")  # fmt: skip
    if "compose" in params.sources:
        for service in ctx.index.compose.services:
            if "image" in service.data:
                seen += 1
                findings += _judge(service.data["image"], service.path, service.line("image"), service.label,
                                   f"{service.path}:{service.name}")  # fmt: skip
    if not seen:
        return Outcome.skipped("no image references in manifests or compose files")
    return Outcome.from_findings(findings, f"{seen} image references pinned", "{count} unpinned images")


def _judge(image: object, path: str, line: int | None, label: str, locator: str) -> list[Finding]:
    if not isinstance(image, str):
        return [Finding(message=f"{label}: no image set", path=path, line=line, locator=locator)]
    problem = pin_problem(image)
    return [Finding(message=f"{label}: {problem}", path=path, line=line, locator=f"{locator}:{image}")] if problem else []
