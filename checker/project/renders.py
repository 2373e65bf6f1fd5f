"""Renders (SPEC §10 *Render units*): documents that a tool produces from the project's files — a Helm chart's
`helm template`, a kustomize root's build — read as manifests beside the plain ones, each in a render unit of
its own so that a join never crosses from one to another (SPEC §7 *joins*).

Nothing renders yet: `renders()` is the one place a renderer adds its output, and `KubeModel` reads every
render's documents exactly as it reads a manifest file's. A render names the files it consumed (a chart's
templates, a root's bases and patches): those are not judged again on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.yamlpos import PosDict

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex
    from checker.project.kube import RenderUnit


@dataclass(frozen=True)
class RenderedDocument:
    """One rendered document and its source map: the template file it came from (target-relative)."""

    doc: PosDict  # positions are the template's where they can be found
    source: str


@dataclass(frozen=True)
class Render:
    unit: RenderUnit
    documents: tuple[RenderedDocument, ...]
    consumed: frozenset[str] = frozenset()  # project files the render read: not manifests of their own


def renders(index: ProjectIndex) -> list[Render]:
    """Every render of the run, built once (none until a renderer is configured)."""
    return index.derived("renders", lambda _index: [])  # type: ignore[no-any-return]
