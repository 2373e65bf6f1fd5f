"""What a verdict is about (SPEC §10 *Scope*): the deployed project, not its tests, samples, docs or vendored code.

A file below a folder with one of the `OUT_OF_SCOPE_DIRS` names, at any depth, is out of scope: the index keeps it
(SEC002 scans every tracked file) but no other rule reads it. The config's `scope.include` patterns win over those
folders, its `scope.exclude` patterns win over both, and a path the config names (a spec, a dataset, the model
metadata) is always in scope: the user pointed at it. One decision, made here, for every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.config import ProjectConfig

OUT_OF_SCOPE_DIRS = frozenset({
    "test", "tests", "testdata", "test-data", "fixtures", "e2e", "__tests__", "examples", "example", "samples",
    "sample", "tutorials", "docs", "doc", "hack", "benchmarks", "benchmark", "vendor", "third_party", "node_modules",
    ".github",
})  # fmt: skip
DOC_DIRS = frozenset({"docs", "doc"})  # an OpenAPI spec below these stays in scope: projects publish contracts there
EXCLUDED_BY_CONFIG = "scope.exclude"  # what a file the config excludes is counted under, beside the folder names


@dataclass(frozen=True)
class Decision:
    """Why a file is out of scope: the folder name that puts it there (or `scope.exclude`)."""

    folder: str
    docs_only: bool = False  # every out-of-scope folder on its path is docs/doc: an OpenAPI spec there is kept


class Scope:
    """The scope decision for one run: the default folders, the config's patterns and the configured paths."""

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = (), named: Iterable[str] = ()) -> None:
        self._include = _matcher(include)
        self._exclude = _matcher(exclude)
        self._named = frozenset(named)

    @classmethod
    def of(cls, config: ProjectConfig) -> Scope:
        """The scope a project's config asks for: its `scope:` patterns and the files it names."""
        from checker.config import configured_files

        return cls(config.scope.include, config.scope.exclude, configured_files(config))

    def decide(self, path: str) -> Decision | None:
        """None for an in-scope file, else why it is out of scope."""
        if path in self._named:
            return None
        if self._exclude(path):
            return Decision(EXCLUDED_BY_CONFIG)
        folders = [part for part in path.split("/")[:-1] if part in OUT_OF_SCOPE_DIRS]
        if not folders or self._include(path):
            return None
        return Decision(folders[0], docs_only=all(f in DOC_DIRS for f in folders))


def _matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    if not patterns:
        return lambda path: False
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(list(patterns)).match_file  # type: ignore[no-any-return]


def counts(decisions: Iterable[Decision]) -> dict[str, int]:
    """Out-of-scope files by folder name, sorted by name: what every report shows."""
    found: dict[str, int] = {}
    for decision in decisions:
        found[decision.folder] = found.get(decision.folder, 0) + 1
    return dict(sorted(found.items()))
