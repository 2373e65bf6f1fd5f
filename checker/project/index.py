"""The project index: every tracked file classified once, and read and parsed at most once per run.

Checks ask the index for documents; an unreadable or unparseable file becomes an `InputProblem` that the
report lists, never an exception that stops the run.
"""

from __future__ import annotations

import json
import os
import posixpath
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from checker.model import InputProblem
from checker.project import classify as kinds
from checker.project.discover import discover
from checker.yamlpos import YamlError, load_all

MAX_FILE_BYTES = 8 * 1024 * 1024
SNIFF_BYTES = 8192  # a NUL byte in the first block: a binary file


class InputError(Exception):
    """A file that cannot be used as data; the problem is also recorded on the index."""

    def __init__(self, problem: InputProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True)
class SourceFile:
    path: str  # posix, relative to the target root
    kinds: frozenset[str]


class ProjectIndex:
    def __init__(self, root: Path, paths: Iterable[str], problems: Iterable[InputProblem] = ()) -> None:
        self.root = root.resolve()
        paths = list(paths)
        charts = kinds.helm_chart_dirs(paths)
        self.files: dict[str, SourceFile] = {p: SourceFile(p, kinds.classify(p, charts)) for p in paths}
        self._problems: dict[str, InputProblem] = {p.path: p for p in problems}
        self._text: dict[str, str | None | InputError] = {}  # None: a binary file
        self._parsed: dict[str, Any] = {}
        self._derived: dict[str, Any] = {}

    @classmethod
    def build(cls, root: Path) -> ProjectIndex:
        found = discover(root)
        index = cls(root, found.files, found.problems)
        for path, data in found.read.items():
            index.remember(path, data)
        return index

    # --- selection -------------------------------------------------------------------------------

    def of_kind(self, kind: str) -> list[SourceFile]:
        return [f for f in self.files.values() if kind in f.kinds]

    def glob(self, patterns: Iterable[str]) -> list[str]:
        """Tracked files matching any gitignore-style pattern (`**/*.py`, `k8s/*.yaml`, `Dockerfile`)."""
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(list(patterns))
        return [p for p in self.files if spec.match_file(p)]

    @cached_property
    def model_dirs(self) -> tuple[str, ...]:
        """Folders holding an MLmodel file: a model artefact, whose own files describe the model's environment."""
        return tuple(posixpath.dirname(f.path) + "/" for f in self.of_kind(kinds.MLMODEL))

    def in_model_dir(self, path: str) -> bool:
        return any(path.startswith(d) for d in self.model_dirs if d != "/")

    @property
    def problems(self) -> list[InputProblem]:
        return sorted(self._problems.values(), key=lambda p: p.path)

    # --- reading and parsing ---------------------------------------------------------------------

    def text(self, path: str) -> str:
        text = self.text_unless_binary(path)
        if text is None:
            raise self._fail(path, "binary file; not read as text")
        return text

    def text_unless_binary(self, path: str) -> str | None:
        """The file's text, or None for a binary file without recording it as a problem: a scan of every file
        (secrets) meets images and models. Either way the file is read from disk once per run."""
        if path not in self._text:
            self._text[path] = self._read(path)
        value = self._text[path]
        if isinstance(value, InputError):
            raise value
        return value

    def _read(self, path: str) -> str | None | InputError:
        """Text, None for a binary file (only its first block is read), or the recorded problem."""
        try:
            with open(self.root / path, "rb") as handle:
                head = handle.read(SNIFF_BYTES)
                if b"\0" in head:
                    return None
                if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                    return self._fail(path, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not read")
                data = head + handle.read()
        except OSError as exc:
            return self._fail(path, f"cannot read: {exc.strerror or exc}")
        return self._decode(path, data)

    def _decode(self, path: str, data: bytes) -> str | InputError:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return self._fail(path, f"not UTF-8 text (byte {exc.start}); not read")

    def remember(self, path: str, data: bytes) -> None:
        """Bytes of a tracked file that the engine read before the index existed (a .gitignore while discovering
        files, the config file): kept as if the index had read them, so that no check reads the file again."""
        if path in self.files and path not in self._text and len(data) <= MAX_FILE_BYTES:
            self._text[path] = None if b"\0" in data[:SNIFF_BYTES] else self._decode(path, data)

    def yaml(self, path: str) -> list[Any]:
        """Every document of a YAML file (a JSON file counts as one YAML document)."""
        return self._cached(path, "yaml", lambda text: load_all(text))

    def json(self, path: str) -> Any:
        return self._cached(path, "json", _load_json)

    def toml(self, path: str) -> dict[str, Any]:
        return self._cached(path, "toml", tomllib.loads)

    def data(self, path: str) -> list[Any]:
        """Documents of a YAML, JSON or TOML file, chosen by extension."""
        lower = path.lower()
        if lower.endswith(".toml"):
            return [self.toml(path)]
        if lower.endswith(".json"):
            return [self.json(path)]
        return self.yaml(path)

    def _cached(self, path: str, fmt: str, parse: Any) -> Any:
        key = f"{fmt}:{path}"
        if key not in self._parsed:
            self._parsed[key] = self._parse(path, fmt, parse)
        value = self._parsed[key]
        if isinstance(value, InputError):
            raise value
        return value

    def _parse(self, path: str, fmt: str, parse: Any) -> Any:
        try:
            return parse(self.text(path))
        except InputError as exc:
            return exc
        except YamlError as exc:
            return self._fail(path, f"invalid YAML: {exc.message}", exc.line)
        except json.JSONDecodeError as exc:
            return self._fail(path, f"invalid JSON: {exc.msg}", exc.lineno)
        except tomllib.TOMLDecodeError as exc:
            return self._fail(path, f"invalid TOML: {exc}", _toml_error_line(str(exc)))
        except (ValueError, RecursionError) as exc:
            return self._fail(path, f"cannot parse: {exc}")

    def record_problem(self, path: str, message: str, line: int | None = None) -> InputError:
        """Record that a check could not use `path` as data (e.g. a Python syntax error); returns the error."""
        return self._fail(path, message, line)

    def _fail(self, path: str, message: str, line: int | None = None) -> InputError:
        problem = InputProblem(path=path, line=line, message=message)
        self._problems.setdefault(path, problem)
        return InputError(problem)

    # --- derived models --------------------------------------------------------------------------

    def derived(self, name: str, build: Any) -> Any:
        """A model derived from many files (versions, specs), built once per run on first use."""
        if name not in self._derived:
            self._derived[name] = build(self)
        return self._derived[name]

    @cached_property
    def kube(self) -> Any:
        from checker.project.kube import KubeModel

        return KubeModel.build(self)

    @cached_property
    def compose(self) -> Any:
        from checker.project.compose import ComposeModel

        return ComposeModel.build(self)


def _load_json(text: str) -> Any:
    """JSON with positions where the YAML reader can take it (most JSON is YAML), plain JSON otherwise."""
    data = json.loads(text)
    try:
        docs = load_all(text)
    except YamlError:
        return data
    return docs[0] if len(docs) == 1 else data


def _toml_error_line(message: str) -> int | None:
    marker = "(at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",")[0]
        return int(digits) if digits.isdigit() else None
    return None
