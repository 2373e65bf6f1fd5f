"""Services of Docker Compose files, for the rules that judge compose (REL006, SEC004, SEC007, SCA005)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from checker.project import classify as kinds
from checker.project.index import InputError
from checker.yamlpos import PathPart, PosDict, position_of

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex


@dataclass(frozen=True, eq=False)
class ComposeService:
    path: str
    name: str
    data: PosDict
    root: PosDict

    @property
    def label(self) -> str:
        return f"compose service '{self.name}'"

    def line(self, *path: PathPart) -> int | None:
        pos = position_of(self.root, ("services", self.name, *path))
        return pos[0] if pos else None

    def environment(self) -> Iterator[tuple[str, Any, int | None]]:
        """(name, value, line) of each `environment` entry, in mapping or `KEY=value` list form."""
        env = self.data.get("environment")
        if isinstance(env, dict):
            for key, value in env.items():
                yield str(key), value, self.line("environment", key)
        elif isinstance(env, list):
            for i, item in enumerate(env):
                key, sep, value = str(item).partition("=")
                yield key, (value if sep else None), self.line("environment", i)


class ComposeModel:
    def __init__(self, services: list[ComposeService]) -> None:
        self.services = services

    @classmethod
    def build(cls, index: ProjectIndex) -> ComposeModel:
        services: list[ComposeService] = []
        for source in index.of_kind(kinds.COMPOSE):
            try:
                docs = index.yaml(source.path)
            except InputError:
                continue
            for doc in docs:
                if isinstance(doc, PosDict) and isinstance(doc.get("services"), dict):
                    services += [
                        ComposeService(source.path, str(name), data, doc)
                        for name, data in doc["services"].items() if isinstance(data, PosDict)
                    ]  # fmt: skip
        return cls(services)

    @property
    def files(self) -> list[str]:
        return sorted({s.path for s in self.services})
