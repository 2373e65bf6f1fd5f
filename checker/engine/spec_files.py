"""The files the API rules read, for pre-commit selection: the specs, every file their `$ref`s reach (a
fragment of a fragment too) and the specs the config names (`api.spec`, the previous release's `api.previous`).

Found only when a changed YAML/JSON file could be one of them: it parses the specs, which a run of the API
rules then reuses from the index.
"""

from __future__ import annotations

import posixpath
from functools import cached_property

from checker.config import ProjectConfig
from checker.project.index import InputError, ProjectIndex


class SpecFiles:
    def __init__(self, index: ProjectIndex, config: ProjectConfig) -> None:
        self.index, self.config = index, config

    def __contains__(self, path: object) -> bool:
        return path in self.files

    @cached_property
    def files(self) -> frozenset[str]:
        from checker.project.openapi import model_of

        roots = [spec.path for spec in model_of(self.index, self.config).specs]
        previous = self.config.api.previous
        roots += [p for p in (self.config.api.spec, previous.file if previous else None) if p]
        return frozenset(self._reached(roots))

    def _reached(self, roots: list[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            path = todo.pop()
            if path not in seen:
                seen.add(path)
                todo += self._referenced(path)
        return seen

    def _referenced(self, path: str) -> list[str]:
        """Files named by the `$ref`s of `path`, relative to it (URLs and paths leaving the root are not files)."""
        from checker.project.openapi import is_uri, refs

        try:
            docs = self.index.data(path) if path in self.index.files else []
        except InputError:
            return []
        found = []
        for ref in refs(docs):
            target = ref.partition("#")[0]
            if not target or is_uri(target):
                continue
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if not joined.startswith(("../", "/")) and joined != "..":
                found.append(joined)
        return found

