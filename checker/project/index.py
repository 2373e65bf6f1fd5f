"""The project index: every tracked file classified once, and read and parsed at most once per run.

Checks ask the index for documents; an unreadable or unparseable file becomes an `InputProblem` that the
report lists, never an exception that stops the run.
"""

from __future__ import annotations

import json
import os
import posixpath
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from checker.model import InputProblem
from checker.project import classify as kinds
from checker.project import crd
from checker.project.discover import discover
from checker.project.safe_open import Refused, open_regular
from checker.project.scope import Decision, Scope
from checker.project.templating import is_template_name, template_or_documents
from checker.yamlpos import MAX_NODES, YamlError, load_all

if TYPE_CHECKING:
    from checker.config import Limits

MAX_FILE_BYTES = 8 * 1024 * 1024  # default of `limits.max_file_mb`
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
    out_of_scope: Decision | None = None  # below tests/, docs/, …: read by SEC002 only (checker.project.scope)


@dataclass(frozen=True)
class NotEvaluatedFile:
    """An in-scope file that no rule reads as it is written, and why (a template that nothing renders)."""

    path: str
    reason: str


class ProjectIndex:
    def __init__(
        self, root: Path, paths: Iterable[str], problems: Iterable[InputProblem] = (), limits: Limits | None = None,
        scope: Scope | None = None,
    ) -> None:  # fmt: skip
        self.root = root.resolve()
        self.max_file_bytes = _max_file_bytes(limits)
        self.max_yaml_nodes = limits.max_yaml_nodes if limits else MAX_NODES
        paths = list(paths)
        charts = kinds.helm_chart_dirs(paths)
        self._problems: dict[str, InputProblem] = {p.path: p for p in problems}
        self._text: dict[str, str | None | InputError] = {}  # None: a binary file
        self._templates: dict[str, bool] = {}
        self.scope = scope or Scope()
        self.files: dict[str, SourceFile] = {}
        for path in paths:
            self.files[path] = self._scoped(SourceFile(path, kinds.classify(path, charts), self.scope.decide(path)))
        self._parsed: dict[str, Any] = {}
        self._derived: dict[str, Any] = {}
        # Problems raised to the code running inside `problems_met` blocks (innermost last), and those met while
        # building each derived model: every later user of the model depends on those files too.
        self._meeting: list[dict[str, InputProblem]] = []
        self._derived_met: dict[str, dict[str, InputProblem]] = {}

    @classmethod
    def build(
        cls, root: Path, limits: Limits | None = None, exclude: Sequence[str] = (), scope: Scope | None = None
    ) -> ProjectIndex:
        """The index of the files under `root`, minus those matching the gitignore-style `exclude` patterns;
        `limits` (the config's) caps the size of a file read and the nodes of a YAML document; `scope` decides
        which of the files rules other than SEC002 read (default: the out-of-scope folders of SPEC §10)."""
        found = discover(root, exclude, _max_file_bytes(limits))
        index = cls(root, found.files, found.problems, limits, scope)
        for path, data in found.read.items():
            index.remember(path, data)
        return index

    def _scoped(self, source: SourceFile) -> SourceFile:
        """An OpenAPI spec below docs/ or doc/ (and nothing else out of scope) stays in scope (SPEC §10)."""
        decision = source.out_of_scope
        if decision is None or not decision.docs_only or not source.kinds & {kinds.YAML, kinds.JSON}:
            return source
        from checker.project.openapi import looks_like_spec

        text = self.peek_text(source.path)
        if text is not None and looks_like_spec(text, json=kinds.JSON in source.kinds):
            return SourceFile(source.path, source.kinds)
        return source

    # --- selection -------------------------------------------------------------------------------

    def of_kind(self, kind: str) -> list[SourceFile]:
        """In-scope files of a kind: what rules read (SEC002 alone reads `files`, out-of-scope ones too)."""
        return [f for f in self.files.values() if kind in f.kinds and f.out_of_scope is None]

    def in_scope(self, path: str) -> bool:
        source = self.files.get(path)
        return source is not None and source.out_of_scope is None

    def glob(self, patterns: Iterable[str], out_of_scope: bool = False) -> list[str]:
        """Tracked in-scope files matching any gitignore-style pattern (`**/*.py`, `k8s/*.yaml`, `Dockerfile`);
        with `out_of_scope`, the out-of-scope ones too."""
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(list(patterns))
        return [p for p, f in self.files.items() if (out_of_scope or f.out_of_scope is None) and spec.match_file(p)]

    @property
    def out_of_scope_counts(self) -> dict[str, int]:
        """Out-of-scope files by the folder name (or `scope.exclude`) that put them there."""
        from checker.project.scope import counts

        return counts(f.out_of_scope for f in self.files.values() if f.out_of_scope is not None)

    def is_template(self, path: str) -> bool:
        """An in-scope YAML file that needs rendering before it means anything (checker.project.templating):
        no rule reads it as written. Chart files other than templates/ (Chart.yaml, values files) are data."""
        if path not in self._templates:
            self._templates[path] = self._templated(path)
        return self._templates[path]

    def _templated(self, path: str) -> bool:
        source = self.files.get(path)
        if source is None or kinds.YAML not in source.kinds or kinds.CONFIG in source.kinds:
            return False
        if kinds.HELM_TEMPLATE in source.kinds:
            return True  # Helm renders every file of templates/, directives or not
        if kinds.HELM_CHART in source.kinds or _chart_values(source.path, self.files):
            return False
        text = self.peek_text(path)
        if text is None:
            return False
        load = lambda t: crd.load_all(t, max_nodes=self.max_yaml_nodes)  # noqa: E731
        template, docs = template_or_documents(text, load)
        if docs is not None:  # parsed to tell: kept, so no rule parses it again
            self._parsed.setdefault(f"yaml:{path}", docs)
        return template

    @cached_property
    def not_evaluated(self) -> tuple[NotEvaluatedFile, ...]:
        """In-scope files that are templates (YAML with directives, `*.yaml.j2`, …) and that nothing renders."""
        found = [
            NotEvaluatedFile(p, "template") for p, f in self.files.items()
            if f.out_of_scope is None and (is_template_name(p) or self.is_template(p))
        ]  # fmt: skip
        return tuple(sorted(found, key=lambda n: n.path))

    @cached_property
    def model_dirs(self) -> tuple[str, ...]:
        """Folders holding an MLmodel file: a model artefact, whose own files describe the model's environment."""
        return tuple(posixpath.dirname(f.path) + "/" for f in self.of_kind(kinds.MLMODEL))

    def in_model_dir(self, path: str) -> bool:
        return any(path.startswith(d) for d in self.model_dirs if d != "/")

    @property
    def problems(self) -> list[InputProblem]:
        return sorted(self._problems.values(), key=lambda p: p.path)

    # --- which rule met which problem ------------------------------------------------------------

    @contextmanager
    def problems_met(self) -> Iterator[dict[str, InputProblem]]:
        """Collect, by path, the problems of the files that code inside the block asked for and could not get
        (an `InputError` raised to it, a cached one included): a rule that read an unreadable file must not pass
        as if the file were fine. Blocks nest; an inner block's problems count for the outer ones too."""
        met: dict[str, InputProblem] = {}
        self._meeting.append(met)
        try:
            yield met
        finally:
            self._meeting.pop()
            self._meet(met.values())

    def met_again(self, path: str) -> None:
        """The caller depends on `path` again through a cache of its own (parsed Python facts): the problem
        recorded for it, if any, counts for the current block as well."""
        if path in self._problems:
            self._meet([self._problems[path]])

    def _meet(self, problems: Iterable[InputProblem]) -> None:
        if self._meeting:
            for problem in problems:
                self._meeting[-1].setdefault(problem.path, self._problems.get(problem.path, problem))

    def _raised(self, error: InputError) -> InputError:
        self._meet([error.problem])
        return error

    # --- reading and parsing ---------------------------------------------------------------------

    def text(self, path: str) -> str:
        text = self.text_unless_binary(path)
        if text is None:
            raise self._raised(self._fail(path, "binary file; not read as text"))
        return text

    def text_unless_binary(self, path: str) -> str | None:
        """The file's text, or None for a binary file without recording it as a problem: a scan of every file
        (secrets) meets images and models. Either way the file is read from disk once per run."""
        if path not in self._text:
            self._text[path] = self._read(path)
        value = self._text[path]
        if isinstance(value, InputError):
            raise self._raised(value)
        return value

    def peek_text(self, path: str) -> str | None:
        """The file's text, or None (binary, unreadable), without recording a problem: deciding what a file is
        (a template, a spec in docs/) must not make it an input problem of rules that never read it."""
        if path not in self._text:
            value = self._read(path, record=False)
            if isinstance(value, InputError):
                return None  # not kept: a rule that reads the file records the problem then
            self._text[path] = value
        value = self._text[path]
        return value if isinstance(value, str) else None

    def _read(self, path: str, record: bool = True) -> str | None | InputError:
        """Text, None for a binary file (only its first block is read), or the recorded problem. Only a regular
        file inside the root is opened, without blocking (see safe_open), and never more than the cap is read."""
        try:
            with open_regular(self.root, path) as handle:
                head = handle.read(SNIFF_BYTES)
                if b"\0" in head:
                    return None
                too_big = os.fstat(handle.fileno()).st_size > self.max_file_bytes
                data = b"" if too_big else head + handle.read(self.max_file_bytes + 1 - len(head))
        except Refused as exc:
            return self._fail(path, exc.message, record=record)
        except OSError as exc:
            return self._fail(path, f"cannot read: {exc.strerror or exc}", record=record)
        if too_big or len(data) > self.max_file_bytes:  # also a file that grew while being read
            return self._fail(path, f"larger than {round(self.max_file_bytes / (1024 * 1024), 3):g} MB (limits.max_file_mb); not read", record=record)
        return self._decode(path, data, record)

    def _decode(self, path: str, data: bytes, record: bool = True) -> str | InputError:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return self._fail(path, f"not UTF-8 text (byte {exc.start}); not read", line, record)

    def remember(self, path: str, data: bytes, parsed: tuple[str, Any] | None = None) -> None:
        """Bytes of a tracked file that the engine read before the index existed (a .gitignore while discovering
        files, the config file): kept as if the index had read them, so that no check reads the file again.
        `parsed` is (format, what `yaml()`/`toml()` return) when the engine parsed it too (the config file)."""
        if path in self.files and path not in self._text and len(data) <= self.max_file_bytes:
            self._text[path] = None if b"\0" in data[:SNIFF_BYTES] else self._decode(path, data)
            if parsed is not None and isinstance(self._text[path], str):
                fmt, value = parsed
                self._parsed.setdefault(f"{fmt}:{path}", value)

    def yaml(self, path: str) -> list[Any]:
        """Every document of a YAML file (a JSON file counts as one YAML document); none for a template, which
        is not evaluated as written (`not_evaluated`) and never an input problem."""
        if self.is_template(path):
            return []
        return self._cached(path, "yaml", lambda text: crd.load_all(text, max_nodes=self.max_yaml_nodes))

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
            raise self._raised(value)
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
        except RecursionError:  # JSON and TOML parsers recurse per nesting level; YAML's depth is capped earlier
            return self._fail(path, f"invalid {fmt.upper()}: nested too deeply to read")
        except ValueError as exc:
            return self._fail(path, f"cannot parse: {exc}")

    def record_problem(self, path: str, message: str, line: int | None = None) -> InputError:
        """Record that a check could not use `path` as data (e.g. a Python syntax error); returns the error."""
        return self._raised(self._fail(path, message, line))

    def _fail(self, path: str, message: str, line: int | None = None, record: bool = True) -> InputError:
        problem = InputProblem(path=path, line=line, message=message)
        if record:
            self._problems.setdefault(path, problem)
        return InputError(problem)

    # --- derived models --------------------------------------------------------------------------

    def derived(self, name: str, build: Any) -> Any:
        """A model derived from many files (versions, specs), built once per run on first use. Every user of
        the model meets the problems of the files its build could not read (see `problems_met`)."""
        if name not in self._derived:
            with self.problems_met() as met:
                self._derived[name] = build(self)
            self._derived_met[name] = met
        self._meet(self._derived_met[name].values())
        return self._derived[name]

    @property
    def kube(self) -> Any:
        from checker.project.kube import KubeModel

        return self.derived("kube", KubeModel.build)

    @property
    def compose(self) -> Any:
        from checker.project.compose import ComposeModel

        return self.derived("compose", ComposeModel.build)


def _chart_values(path: str, files: dict[str, SourceFile]) -> bool:
    """A values file beside a Chart.yaml: chart input, `{{ }}` in it is for `tpl`, not a manifest template."""
    folder, _, name = path.rpartition("/")
    chart = f"{folder}/Chart.yaml" if folder else "Chart.yaml"
    return name.startswith("values") and chart in files


def _max_file_bytes(limits: Limits | None) -> int:
    return int(limits.max_file_mb * 1024 * 1024) if limits else MAX_FILE_BYTES


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
