"""OpenAPI specs as data: discovered by content, `$ref`s resolved across files, every node located.

A spec is walked through `Located` cursors: each carries the file a node was written in, its line there,
and the *logical* JSON pointer from the spec root (through `$ref`s), so a finding can say both where the
problem is in the contract and where to edit it. `$ref` chains are followed with cycle protection: a chain
that loops is a problem of the spec, a recursive schema is legal and simply not expanded twice.
Documents come from a `DocumentSource` (the project index, plain files, or a git revision).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from checker.project import classify as kinds
from checker.project import gitcmd
from checker.project.index import MAX_FILE_BYTES
from checker.project.safe_open import Refused, read_regular
from checker.yamlpos import PosDict, PosList, YamlError, load_all, position_of

if TYPE_CHECKING:
    from checker.config import ProjectConfig
    from checker.project.index import ProjectIndex

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# A top-level key in YAML (column 0), or a quoted key in JSON: cheap to test before parsing anything.
_YAML_MARKER = re.compile(r"""^["']?(?:openapi|swagger)["']?\s*:""", re.MULTILINE)
_JSON_MARKER = re.compile(r"""["'](?:openapi|swagger)["']\s*:""")
MAX_REF_CHAIN = 64  # `$ref`s followed from one node before the chain is reported (a loop is reported at once)
# A URI with a scheme (http:, https:, file:, urn:, …) or a network path (//host): never a file of the project.
_URI = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")


def is_uri(target: str) -> bool:
    """Does the file part of a `$ref` name a URL or URN rather than a file relative to the spec?"""
    return bool(_URI.match(target))


class SpecError(Exception):
    """A spec (or one of its `$ref` targets) that cannot be used; `path`/`line` say where."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.key = key or f"{path}:{line}:{message}"  # one cycle reached from several places is one problem


@dataclass(frozen=True)
class SpecProblem:
    message: str
    path: str
    line: int | None = None
    pointer: str = ""


# --- JSON pointers -----------------------------------------------------------------------------------


def escape(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def pointer_parts(pointer: str) -> list[str]:
    """`/paths/~1v1~1predict/post` -> ['paths', '/v1/predict', 'post'] (a leading '#' is allowed)."""
    body = pointer.lstrip("#")
    if not body:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in body.split("/")[1:]]


def pointer_line(doc: Any, pointer: str) -> int | None:
    """The line of the node a JSON pointer names (or of its deepest existing ancestor)."""
    parts: list[str | int] = []
    node = doc
    for part in pointer_parts(pointer):
        key: str | int = int(part) if isinstance(node, list) and part.isdigit() else part
        parts.append(key)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    pos = position_of(doc, parts)
    return pos[0] if pos else None


# --- where documents come from ---------------------------------------------------------------------


class DocumentSource(Protocol):
    revision: str | None  # a git revision, when the documents are not the working tree's

    def load(self, path: str) -> Any:
        """The first document of the YAML/JSON file at posix `path`; raises SpecError."""


def _parse(text: str, path: str) -> Any:
    try:
        docs = load_all(text)
    except YamlError as exc:
        if path.lower().endswith(".json"):
            return _parse_json(text, path)
        raise SpecError(f"invalid YAML: {exc.message}", path, exc.line) from None
    return docs[0] if docs else None


def _parse_json(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"invalid JSON: {exc.msg}", path, exc.lineno) from None
    except RecursionError:
        raise SpecError("document is nested too deeply", path) from None


class IndexSource:
    """Documents of the checked project, read and parsed once through the project index."""

    revision: str | None = None

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index

    def load(self, path: str) -> Any:
        from checker.project.index import InputError

        if path not in self.index.files:
            known = next((p for p in self.index.problems if p.path == path), None)  # a FIFO, a link out, …
            raise SpecError(f"{path}: {known.message}" if known else f"{path} does not exist (or is not a tracked file)", path)
        try:
            docs = self.index.data(path)
        except InputError as exc:
            raise SpecError(exc.problem.message, path, exc.problem.line) from None
        return docs[0] if docs else None


class FileSource:
    """Documents read from a folder on disk (the `api-diff` command, a previous spec given as a file)."""

    revision: str | None = None

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[str, Any] = {}

    def load(self, path: str) -> Any:
        if path not in self._cache:
            self._cache[path] = self._load(path)
        return self._cache[path]

    def _load(self, path: str) -> Any:
        full = (self.root / path).resolve()
        if not full.is_relative_to(self.root):
            raise SpecError(f"{path} is outside {self.root}", path)
        try:  # like the index: a regular file inside the root, never a FIFO that would block the read
            data = read_regular(self.root, path, MAX_FILE_BYTES)
        except Refused as exc:
            raise SpecError(f"cannot read {path}: {exc.message}", path) from None
        except OSError as exc:
            raise SpecError(f"cannot read {path}: {exc.strerror or exc}", path) from None
        if data is None:
            raise SpecError(f"cannot read {path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", path)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpecError(f"cannot read {path}: not UTF-8 text (byte {exc.start})", path) from None
        return _parse(text, path)


class GitSource:
    """Documents as of a git revision, read from git's object store (checker.project.gitcmd) — never a
    checkout; each capped at `max_bytes` like a project file."""

    def __init__(self, workdir: Path, revision: str, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.workdir = workdir
        self.revision: str | None = revision
        self.max_bytes = max_bytes
        self._at: tuple[gitcmd.Repo, str] | None = None  # the repository and the revision's commit id
        self._cache: dict[str, Any] = {}

    def verify(self) -> None:
        """Raise SpecError with a hint when git is refused here or the revision is not in the local history."""
        if not self.revision or self.revision.startswith("-"):  # git would read it as an option
            raise SpecError(f"{self.revision!r} is not a git revision")
        try:
            repo = gitcmd.locate(self.workdir)
            commit = gitcmd.resolve_commit(repo, self.revision)
        except gitcmd.GitError as exc:
            raise SpecError(f"git revision {self.revision!r} cannot be read: {exc.message}; "
                            "give the previous spec as a file instead") from None  # fmt: skip
        if commit is None:
            raise SpecError(f"git revision {self.revision!r} cannot be resolved here (a shallow clone?); "
                            "fetch the history, e.g. `git fetch --tags --unshallow`")  # fmt: skip
        self._at = (repo, commit)

    def load(self, path: str) -> Any:
        if path not in self._cache:
            self._cache[path] = _parse(self._read(path).decode("utf-8-sig", errors="replace"), path)
        return self._cache[path]

    def _read(self, path: str) -> bytes:
        if self._at is None:
            self.verify()
        assert self._at is not None
        try:
            return gitcmd.read_blob(*self._at, path, self.max_bytes)
        except gitcmd.NotAtRevision:
            raise SpecError(f"{path} does not exist at git revision {self.revision}", path) from None
        except gitcmd.TooLarge:
            size = round(self.max_bytes / (1024 * 1024), 3)
            raise SpecError(f"{path} at git revision {self.revision} is larger than {size:g} MB "
                            "(limits.max_file_mb); not read", path) from None  # fmt: skip
        except gitcmd.GitError as exc:
            raise SpecError(f"{path} at git revision {self.revision}: {exc.message}", path) from None


# --- a loaded spec and cursors into it -------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """A node of a spec: the file it is written in, its line there and its logical pointer from the root."""

    file: str
    node: Any
    pointer: str
    line: int | None

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Operation:
    path: str  # the path template, e.g. /v1/predict
    method: str
    at: Located
    path_item: Located

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str | None:
        value = self.at.node.get("operationId")
        return str(value) if value is not None else None


@dataclass
class Spec:
    source: DocumentSource
    path: str
    root: Any
    _docs: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.root.get("openapi") or self.root.get("swagger") or "")

    @property
    def is_swagger2(self) -> bool:
        return "swagger" in self.root

    @property
    def info_version(self) -> Located | None:
        return self.child(self.child(self.top(), "info"), "version")

    def top(self) -> Located:
        return Located(self.path, self.root, "", _line(self.root))

    def document(self, path: str) -> Any:
        if path == self.path:
            return self.root
        if path not in self._docs:
            self._docs[path] = self.source.load(path)
        return self._docs[path]

    # --- resolution ---

    def resolve(self, file: str, ref: str) -> tuple[str, Any, str, int | None]:
        """(file, node, pointer in that file, line) of a `$ref` written in `file`; raises SpecError."""
        target, _, fragment = ref.partition("#")
        if is_uri(target):
            raise SpecError(f"$ref {ref!r} is a URL: not followed (the checker fetches nothing, reads only the project)", file)
        if fragment and not fragment.startswith("/"):
            raise SpecError(f"$ref {ref!r} does not resolve: only JSON-pointer fragments (#/…) are supported", file)
        target_file = _join(file, target) if target else file
        if target_file is None:
            raise SpecError(f"$ref {ref!r} points outside the project", file)
        doc = self.document(target_file)
        node, keys = doc, []
        for part in pointer_parts(fragment):
            key: str | int = int(part) if isinstance(node, list) and part.isdigit() else part
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                raise SpecError(f"$ref {ref!r} does not resolve: no {part!r} in {target_file}", file) from None
            keys.append(key)
        pos = position_of(doc, keys)
        return target_file, node, fragment, pos[0] if pos else None

    def deref(self, at: Located) -> Located:
        """Follow a `$ref` chain to the node it names; raises SpecError for a broken or circular chain."""
        seen: list[str] = []
        start = at
        while isinstance(at.node, dict) and isinstance(at.node.get("$ref"), str):
            ref = at.node["$ref"]
            try:
                file, node, fragment, line = self.resolve(at.file, ref)
            except SpecError as exc:
                raise SpecError(exc.message, at.file, _value_line(at.node, "$ref") or at.line) from None
            key = f"{file}#{fragment}"
            if key in seen:
                loop = seen[seen.index(key):]
                raise SpecError(f"circular $ref chain: {' -> '.join(seen + [key])}", start.file,
                                _value_line(start.node, "$ref") or start.line, "cycle:" + "|".join(sorted(loop)))  # fmt: skip
            if len(seen) >= MAX_REF_CHAIN:
                raise SpecError(f"$ref chain longer than {MAX_REF_CHAIN} links: {seen[0]} -> … -> {key}", start.file,
                                _value_line(start.node, "$ref") or start.line, "chain")  # fmt: skip  # reported once
            seen.append(key)
            at = Located(file, node, at.pointer, line)
        return at

    def child(self, at: Located | None, key: str | int) -> Located | None:
        """The child `key` of a node, `$ref`s followed; None when absent or unresolvable."""
        if at is None:
            return None
        node = at.node
        if isinstance(node, dict) and key in node:
            value, line = node[key], _value_line(node, key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            value, line = node[key], _item_line(node, key)
        else:
            return None
        try:
            return self.deref(Located(at.file, value, f"{at.pointer}/{escape(key)}", line))
        except SpecError:
            return None

    def items(self, at: Located | None) -> Iterator[tuple[str, Located]]:
        """The (key, child) pairs of a mapping node, `$ref`s followed, unresolvable ones left out."""
        if at is None or not isinstance(at.node, dict):
            return
        for key in list(at.node):
            child = self.child(at, key)
            if child is not None:
                yield str(key), child

    def operations(self) -> list[Operation]:
        found = []
        for path, item in self.items(self.child(self.top(), "paths")):
            for method, op in self.items(item):
                if method in HTTP_METHODS and isinstance(op.node, dict):
                    found.append(Operation(path, method, op, item))
        return found


def _line(node: Any) -> int | None:
    pos = getattr(node, "pos", None)
    return pos[0] if pos and pos[0] else None


def _value_line(node: Any, key: Any) -> int | None:
    if isinstance(node, PosDict):
        pos = node.key_pos.get(key)
        return pos[0] if pos else None
    return None


def _item_line(node: Any, index: int) -> int | None:
    if isinstance(node, PosList) and index < len(node.item_pos):
        return node.item_pos[index][0]
    return None


def _join(base_file: str, target: str) -> str | None:
    """A `$ref` file path relative to the referring file; None when it leaves the root."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), target))
    return None if joined.startswith(("../", "/")) or joined == ".." else joined


# --- discovery -------------------------------------------------------------------------------------


def is_spec_document(doc: Any) -> bool:
    """A top-level `openapi: 3.x` or `swagger: "2.0"` with `paths` or `info`."""
    if not isinstance(doc, dict) or not ({"paths", "info"} & set(doc)):
        return False
    openapi, swagger = doc.get("openapi"), doc.get("swagger")
    return (isinstance(openapi, str) and openapi.startswith("3.")) or str(swagger) == "2.0"


@dataclass
class OpenApiModel:
    """The project's specs, loaded once per run; `problems` are specs that could not be loaded."""

    specs: list[Spec]
    problems: list[SpecProblem]
    configured: bool

    @classmethod
    def build(cls, index: ProjectIndex, config: ProjectConfig) -> OpenApiModel:
        source = IndexSource(index)
        if config.api.spec:
            return cls._load([config.api.spec], source, configured=True)
        excluded = {config.api.previous.file} if config.api.previous and config.api.previous.file else set()
        candidates = [p for p in _candidates(index) if p not in excluded]
        model = cls._load(candidates, source, configured=False)
        # A file that is only a `$ref` target of another spec is a fragment, not a spec of its own.
        targets = {t for spec in model.specs for t in referenced_files(spec)}
        model.specs = [s for s in model.specs if s.path not in targets]
        return model

    @classmethod
    def _load(cls, paths: list[str], source: IndexSource, configured: bool) -> OpenApiModel:
        specs, problems = [], []
        for path in paths:
            try:
                doc = source.load(path)
            except SpecError as exc:
                if configured or path in source.index.files:
                    problems.append(SpecProblem(exc.message, path, exc.line))
                continue
            if is_spec_document(doc):
                specs.append(Spec(source, path, doc))
            elif configured:
                problems.append(SpecProblem("not an OpenAPI 3.x / Swagger 2.0 document (no top-level "
                                            "`openapi: 3.x` or `swagger: \"2.0\"` with `paths`)", path, 1))  # fmt: skip
        return cls(specs, problems, configured)


def _candidates(index: ProjectIndex) -> list[str]:
    """YAML/JSON files whose text has a top-level `openapi:`/`swagger:` key (parsed only then)."""
    from checker.project.index import InputError

    found = []
    for source in sorted(index.files.values(), key=lambda f: f.path):
        if source.out_of_scope is not None:
            continue
        if not source.kinds & {kinds.YAML, kinds.JSON} or source.kinds & {kinds.COMPOSE, kinds.CONFIG, kinds.HELM_TEMPLATE}:
            continue
        try:
            text = index.text(source.path)
        except InputError:
            continue
        if looks_like_spec(text, json=kinds.JSON in source.kinds):
            found.append(source.path)
    return found


def looks_like_spec(text: str, json: bool) -> bool:
    """A top-level `openapi:` / `swagger:` key in the text: a spec candidate, parsed only then."""
    return bool((_JSON_MARKER if json else _YAML_MARKER).search(text))


def referenced_files(spec: Spec) -> set[str]:
    """Other files the spec's `$ref`s name (one level: enough to tell fragments from specs)."""
    files = set()
    for ref in refs(spec.root):
        target = ref.partition("#")[0]
        if target and not is_uri(target):
            joined = _join(spec.path, target)
            if joined and joined != spec.path:
                files.add(joined)
    return files


def refs(node: Any) -> Iterator[str]:
    """Every `$ref` string anywhere in a document (iterative: documents nest deeply)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def model_of(index: ProjectIndex, config: ProjectConfig) -> OpenApiModel:
    """The run's OpenAPI model, built on first use."""
    return index.derived("openapi", lambda idx: OpenApiModel.build(idx, config))  # type: ignore[no-any-return]


def load_spec(source: DocumentSource, path: str) -> Spec:
    """One spec from a source (a previous release, an `api-diff` argument); raises SpecError."""
    doc = source.load(path)
    if not is_spec_document(doc):
        raise SpecError("not an OpenAPI 3.x / Swagger 2.0 document", path, 1)
    return Spec(source, path, doc)
