"""Project configuration: `readiness.yaml`, or `[tool.readiness]` in pyproject.toml.

Every key is declared here; an unknown key is an error, because a typo must not silently change the gate.
Errors name file:line:col and the dotted key path.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from collections.abc import Mapping
from typing import Annotated, Any, Callable, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from checker.messages import pydantic_problem
from checker.model import Category, Severity
from checker.yamlpos import (
    PathPart,
    YamlError,
    coercion_hint,
    duplicate_keys,
    format_path,
    key_position,
    load_one,
    read_text,
)

CONFIG_MAX_DEPTH = 64  # a config nests a few levels; the cap keeps hostile nesting away from recursion limits

CONFIG_FILES = ("readiness.yaml", "readiness.yml")


class Strict(BaseModel):
    # Empty list/dict defaults are written as `= []` / `= {}` (pydantic copies them per instance):
    # `default_factory=list` costs every run a signature inspection of the builtin at import.
    model_config = ConfigDict(extra="forbid", frozen=True)


class SloConfig(Strict):
    p95_latency_ms: float | None = Field(default=None, gt=0)
    throughput_rps: float | None = Field(default=None, gt=0)
    evidence: str | None = None


class ModelConfig(Strict):
    metadata: str | None = None
    max_age_days: int = Field(default=180, gt=0)


class PreviousSpec(Strict):
    git: str | None = None
    path: str | None = None
    file: str | None = None

    @field_validator("git")
    @classmethod
    def _plain_revision(cls, value: str | None) -> str | None:
        """The revision is passed to `git`: one that starts with `-` would be read as an option."""
        if value is not None and (value.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in value)):
            raise ValueError(f"{value!r} is not a git revision (no leading '-', spaces or control characters)")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> PreviousSpec:
        if self.file and (self.git or self.path):
            raise ValueError("give either `file`, or `git` with `path`, not both")
        if not self.file and not (self.git and self.path):
            raise ValueError("give `file`, or both `git` (a revision) and `path`")
        return self


class ApiConfig(Strict):
    spec: str | None = None
    previous: PreviousSpec | None = None
    prediction_operation: str | None = None


class Expectation(Strict):
    type: str = Field(pattern=r"^expect_[a-z0-9_]+$")
    kwargs: dict[str, Any] = {}
    meta: dict[str, Any] = {}

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        # A typo would make DAT001 error at run time; at load it is a config error with file:line.
        from checker.data.expectation_names import unknown_expectation_message

        problem = unknown_expectation_message(value)
        if problem:
            raise PydanticCustomError("readiness_unknown_expectation", problem)
        return value


class DatasetConfig(Strict):
    path: str
    suite: str | None = None
    expectations: list[Expectation] = []


class PersonalDataColumn(Strict):
    """SEC009: a dataset column that may hold personal data, and why (the reason is required, as a waiver's)."""

    path: str = Field(description="The data file, a folder of parts or a glob, relative to the project root.")
    column: str = Field(min_length=1, description="The column's name, as in the file's header or schema.")
    reason: str = Field(description="Why the column may hold personal data (consent, synthetic data, a ticket); shown in SEC009's result.")

    @field_validator("reason")
    @classmethod
    def _says_why(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why the column may hold personal data (consent, synthetic data, a ticket)")
        return value


class DataConfig(Strict):
    engine: Literal["pandas", "spark"] = "pandas"
    reference: DatasetConfig | None = None
    # One dataset or a list; the discriminator makes pydantic report errors of the shape written only.
    serving: Annotated[
        Annotated[DatasetConfig, Tag("DatasetConfig")] | Annotated[list[DatasetConfig], Tag("list[DatasetConfig]")],
        Discriminator(lambda v: "list[DatasetConfig]" if isinstance(v, list) else "DatasetConfig"),
    ] | None = None
    categorical: list[str] | None = None
    target: list[str] = []
    personal_data: list[PersonalDataColumn] = Field(
        default=[], description="Dataset columns that may hold personal data (SEC009), each with a reason."
    )

    @property
    def serving_sets(self) -> list[DatasetConfig]:
        if self.serving is None:
            return []
        return self.serving if isinstance(self.serving, list) else [self.serving]


class CategoryConfig(Strict):
    enabled: bool = True


class RuleOverride(Strict):
    enabled: bool | None = None
    severity: Severity | None = None
    params: dict[str, Any] = {}


class Waiver(Strict):
    rule: str
    path: str | None = None
    reason: str = Field(min_length=1)
    owner: str | None = None
    expires: date


class Limits(Strict):
    """Caps that keep hostile or oversized input from exhausting the machine; raise them here when a real
    project needs more (README, "Limits")."""

    max_file_mb: float = Field(default=8, gt=0)  # a project file above this is not read: an input problem, never a pass
    max_yaml_nodes: int = Field(default=250_000, gt=0)  # nodes of one YAML document after alias expansion
    rule_timeout_s: float | None = Field(default=None, gt=0)  # every rule's budget; default: its check type's
    rule_memory_mb: int = Field(default=4096, gt=0)  # a rule's evaluation is stopped above this resident memory
    max_dataset_rows: int = Field(default=50_000_000, gt=0)  # rows of one dataset (reference or serving)
    max_dataset_mb: int = Field(default=4096, gt=0)  # in-memory size of one dataset
    max_dataset_columns: int = Field(default=10_000, gt=0)  # columns of one dataset (pyarrow's CSV reader slows per column)


def _not_negated(pattern: str) -> str:
    if pattern.startswith("!"):
        raise ValueError(f"{pattern!r}: a scope pattern cannot be negated; put it in the other list")
    return pattern


ScopePattern = Annotated[str, AfterValidator(_not_negated)]


class ScopeConfig(Strict):
    """SPEC §10 *Scope*: gitignore-style patterns. `include` brings files below the default out-of-scope folders
    (tests/, examples/, docs/, …) back in; `exclude` takes files out, and wins over `include`."""

    include: list[ScopePattern] = []
    exclude: list[ScopePattern] = []


_SECTIONS = frozenset({"rule_packs", "slo", "model", "api", "data", "categories", "rules", "waivers", "limits", "scope"})


class ProjectConfig(Strict):
    service: str | None = None
    fail_on: Severity | None = None
    rule_packs: list[str] = []
    exclude: list[str] = []  # gitignore-style patterns of files that are not inputs (e.g. broken-on-purpose fixtures)
    scope: ScopeConfig = ScopeConfig()  # what is out of scope: read by SEC002 only (SPEC §10)
    slo: SloConfig = SloConfig()
    model: ModelConfig = ModelConfig()
    api: ApiConfig = ApiConfig()
    data: DataConfig = DataConfig()
    categories: dict[Category, CategoryConfig] = {}
    rules: dict[str, RuleOverride] = {}
    inline_waivers: bool = True  # false: `# nosec` / `pragma: allowlist secret` no longer suppress findings
    waivers: list[Waiver] = []
    limits: Limits = Limits()
    version_from: str | None = None  # the file that declares the project version (SPEC §7 *project version*)

    @model_validator(mode="before")
    @classmethod
    def _empty_sections_are_defaults(cls, data: Any) -> Any:
        """`slo:` with every setting commented out (as `readiness init` writes it) means the defaults."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (v is None and k in _SECTIONS)}
        return data

    def category_enabled(self, category: Category) -> bool:
        return self.categories.get(category, CategoryConfig()).enabled

    def params_for(self, rule_id: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
        """A rule's parameters: its pack's `params` with this project's overrides of them."""
        override = self.rules.get(rule_id)
        return {**defaults, **(override.params if override else {})}


class ConfigError(Exception):
    """The configuration is invalid; `problems` are `file:line:col: key.path: message` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = sorted(problems, key=_problem_order)
        super().__init__("\n".join(self.problems))


_LOCATION = re.compile(r"^(.*?):(\d+):(\d+): ")


def _problem_order(problem: str) -> tuple[str, int, int, str]:
    match = _LOCATION.match(problem)
    if match is None:
        return (problem, 0, 0, problem)
    return (match.group(1), int(match.group(2)), int(match.group(3)), problem)


@dataclass
class LoadedConfig:
    config: ProjectConfig
    file: str | None = None  # as shown to users
    doc: Any = None  # positioned YAML document, for locating later (semantic) errors
    table: dict[str, Any] | None = None  # the whole pyproject.toml, when the config is its [tool.readiness]
    key_prefix: tuple[PathPart, ...] = field(default_factory=tuple)
    text: str | None = None  # the config file as read: the run hands it to the project index, not re-read

    @property
    def parsed(self) -> tuple[str, Any]:
        """The file as the project index would parse it (format, documents), handed to it with the text."""
        if self.table is not None:
            return "toml", self.table
        return "yaml", [] if self.doc is None else [self.doc]

    def locate(self, path: tuple[PathPart, ...]) -> str:
        """`file:line:col` of a key path, as precisely as the format allows."""
        if self.doc is not None:
            line, col = key_position(self.doc, path) or (1, 1)
            return f"{self.file}:{line}:{col}"
        if self.table is not None and self.text is not None:
            return f"{self.file}:{_toml_line(self.text, path)}:1"
        return str(self.file)

    def problem(self, path: tuple[PathPart, ...], message: str) -> str:
        shown = format_path((*self.key_prefix, *path))
        return f"{self.locate(path)}: {shown}: {message}"


def load_config(target: Path, explicit: Path | None = None) -> LoadedConfig:
    """The project's configuration, or an empty one when it has none. Raises ConfigError.

    Configured paths are checked here, before anything (a rule pack, say) is read through them.
    """
    from checker.data.suites import config_problems  # inline expectations: data, never code (SPEC §9)

    loaded = _load(target, explicit)
    problems = path_problems(loaded, target) + config_problems(loaded)
    if problems:
        raise ConfigError(problems)
    return loaded


def _load(target: Path, explicit: Path | None) -> LoadedConfig:
    if explicit is not None:
        if not explicit.exists():
            raise ConfigError([f"{explicit}:1:1: (file): config file not found"])
        if explicit.name.endswith(".toml"):
            return _from_pyproject(explicit, required=True)
        return _from_yaml(explicit)
    for name in CONFIG_FILES:
        found = _discovered(target, name)
        if found is not None:
            return _from_yaml(found)
    pyproject = _discovered(target, "pyproject.toml")
    if pyproject is not None:
        return _from_pyproject(pyproject, required=False)
    return LoadedConfig(ProjectConfig())


def _read(path: Path) -> str:
    """The config text: a regular file under the size cap (its own `limits` cannot apply before it is read)."""
    try:
        return read_text(path)
    except OSError as exc:
        raise ConfigError([f"{path}:1:1: (file): cannot read config: {exc.strerror or exc}"]) from None
    except YamlError as exc:
        raise ConfigError([f"{path}:{exc.line or 1}:{exc.column or 1}: (file): {exc.message}"]) from None


def _discovered(target: Path, name: str) -> Path | None:
    """PATH/<name> when it is a file; a symlink out of the project is refused, not followed."""
    path = target / name
    if not path.is_symlink() and not path.exists():
        return None
    if not _inside(target.resolve(), path):
        raise ConfigError([f"{path}:1:1: (file): the config file is a symlink that leaves the project root; not read"])
    if not path.is_file():  # a FIFO would hang the read; a folder or device is no config either
        raise ConfigError([f"{path}:1:1: (file): the config file is not a regular file; not read"])
    return path


def _from_yaml(path: Path) -> LoadedConfig:
    text = _read(path)
    try:
        doc = load_one(text, max_depth=CONFIG_MAX_DEPTH)
    except YamlError as exc:
        raise ConfigError([f"{path}:{exc.line or 1}:{exc.column or 1}: (yaml): {exc.message}"]) from None
    loaded = LoadedConfig(ProjectConfig(), file=str(path), doc=doc, text=text)
    if doc is None:
        return loaded
    if not isinstance(doc, dict):
        raise ConfigError([loaded.problem((), "the config must be a mapping of keys")])
    duplicates = [
        f"{path}:{line}:{col}: {format_path(key_path)}: duplicate key (first written at line {first[0]}, column {first[1]})"
        for key_path, (line, col), first in duplicate_keys(doc)
    ]
    loaded.config = _validate(doc, loaded, duplicates)
    return loaded


def _from_pyproject(path: Path, required: bool) -> LoadedConfig:
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if not required and "[tool.readiness" not in text:
            return LoadedConfig(ProjectConfig())
        line, column = _toml_error_position(str(exc))
        raise ConfigError([f"{path}:{line}:{column}: (toml): invalid TOML: {exc}"]) from None
    section = data.get("tool", {}).get("readiness")
    loaded = LoadedConfig(ProjectConfig(), file=str(path), table=data, key_prefix=("tool", "readiness"), text=text)
    if section is None:
        if required:
            raise ConfigError([f"{path}:1:1: tool.readiness: no [tool.readiness] table in this file"])
        return loaded
    loaded.config = _validate(section, loaded, [])
    return loaded


def _validate(data: Any, loaded: LoadedConfig, problems: list[str]) -> ProjectConfig:
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        problems = problems + [_pydantic_problem(err, loaded) for err in exc.errors()]
        config = None
    if problems or config is None:
        raise ConfigError(problems)
    return config


def _pydantic_problem(err: Any, loaded: LoadedConfig, model: type[BaseModel] | None = None) -> str:
    """One validation error as a `file:line:col: key.path: message` line; `model`: the file's root model."""
    loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
    hint = coercion_hint(loaded.doc, loc) if loaded.doc is not None and _is_type_error(err) else None
    return loaded.problem(loc, _message(err, loc, model or ProjectConfig) + (f" {hint}" if hint else ""))


def _is_type_error(err: Any) -> bool:
    """A wrong kind of value, where YAML 1.1 reading `no` or `1.10` as a boolean or number is the likely cause."""
    kind = str(err["type"])
    return kind.endswith("_type") or kind in ("enum", "literal_error", "string_pattern_mismatch")


def _message(err: Any, loc: tuple[PathPart, ...], model: type[BaseModel]) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key" + _key_hint(str(loc[-1]), _allowed_keys(loc[:-1], model))
    if err["type"] == "missing":
        return "required key is missing"
    if err["type"] == "enum" or err["type"] == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{err['input']!r} is not one of {expected.replace(' or ', ', ')}"
    return pydantic_problem(err)


def _key_hint(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (allowed: {', '.join(allowed)})" if allowed else ""


def _allowed_keys(loc: tuple[PathPart, ...], root: type[BaseModel]) -> list[str]:
    """The keys the config model accepts at `loc`, by walking the pydantic models along it."""
    model: Any = root
    for part in loc:
        if isinstance(part, int) or not isinstance(model, type) or not issubclass(model, BaseModel):
            continue  # a list index or a dict key (rule id, category) keeps the item model
        field_info = model.model_fields.get(str(part))
        if field_info is None:
            model = _item_model(model)
            continue
        model = _item_model(field_info.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [info.alias or name for name, info in model.model_fields.items()]
    return []


def _item_model(annotation: Any) -> Any:
    """The pydantic model inside `X | None`, `list[X]` or `dict[K, X]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(get_args(annotation)):
        found = _item_model(arg)
        if found is not None:
            return found
    return None


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (part.startswith(("list[", "DatasetConfig")) or "function-after" in part)


def _toml_line(text: str, path: tuple[PathPart, ...]) -> int:
    """Best-effort line of a key in [tool.readiness] (tomllib keeps no positions): each part of the path is
    looked for after the line where the previous one was found."""
    lines = text.splitlines()
    headers = (i for i, row in enumerate(lines) if row.strip().startswith(("[tool.readiness", "[ tool.readiness")))
    line = next(headers, 0)
    previous: str | None = None
    for part in path:
        if isinstance(part, int):
            line = _nth_array_table(lines, line, previous, part) if previous else line
            continue
        found = next((i for i in range(line, len(lines)) if _defines(lines[i], part)), None)
        if found is None:
            break
        line, previous = found, part
    return line + 1


def _toml_error_position(message: str) -> tuple[int, int]:
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def _defines(row: str, key: str) -> bool:
    """Does this TOML line define `key` (as `key =`, `"key" =`, a dotted key, or a table header)?"""
    quoted = re.escape(key)
    pattern = rf'(^|[\s{{,.\[])("{quoted}"|\'{quoted}\'|{quoted})\s*(=|\.|\]|$)'
    code = row.split("#", 1)[0]
    return re.search(pattern, code.strip()) is not None


def _nth_array_table(lines: list[str], start: int, key: str | None, index: int) -> int:
    """Line of the `index`-th `[[...key]]` header from `start`, when the array is written as tables."""
    headers = [i for i in range(start, len(lines)) if lines[i].strip().startswith("[[") and _defines(lines[i], key or "")]
    return headers[index] if index < len(headers) else start


# --- configured paths: relative, inside the root, existing --------------------------------------------
# Checked right after the config is parsed and before anything it names is opened: the config of an
# untrusted pull request must not make the checker read outside the project, hang on a FIFO or fetch a URL.

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//|[^\\/])")  # http://, file://, s3://, data:… (not C:\)
_GLOB = re.compile(r"[*?[]")
MAX_PATH_PARTS = 256
_KeyedPath = tuple[tuple[PathPart, ...], str | None]


def path_problems(loaded: LoadedConfig, root: Path) -> list[str]:
    """Every configured path that is not a relative path to something inside `root`, as problem lines."""
    config = loaded.config
    root = root.resolve()
    problems = [
        loaded.problem(key, problem)
        for key, value in _file_paths(config) if value is not None
        for problem in [_lexical_problem(value) or _unreadable(_filesystem_problem, root, value)] if problem
    ]  # fmt: skip
    problems += [
        loaded.problem(("rule_packs", i), problem)
        for i, value in enumerate(config.rule_packs)
        for problem in [_lexical_problem(value) or _unreadable(_pack_problem, root, value)] if problem
    ]  # fmt: skip
    problems += [  # patterns and paths inside a git revision: never opened here, but they cannot name the outside
        loaded.problem(key, problem)
        for key, value in _pattern_paths(config) if value is not None
        for problem in [_lexical_problem(value)] if problem
    ]  # fmt: skip
    return problems


def _file_paths(config: ProjectConfig) -> list[_KeyedPath]:
    paths: list[_KeyedPath] = [
        (("slo", "evidence"), config.slo.evidence),
        (("model", "metadata"), config.model.metadata),
        (("api", "spec"), config.api.spec),
        (("api", "previous", "file"), config.api.previous.file if config.api.previous else None),
        (("version_from",), config.version_from),
    ]
    return paths + _dataset_paths(config.data)


def configured_files(config: ProjectConfig) -> list[str]:
    """The project files the config names (spec, model metadata, datasets, evidence, version file): in scope
    wherever they live, since the user pointed at them."""
    return [value for _, value in _file_paths(config) if value is not None]


def _pattern_paths(config: ProjectConfig) -> list[_KeyedPath]:
    found: list[_KeyedPath] = [(("waivers", i, "path"), w.path) for i, w in enumerate(config.waivers)]
    for side in ("include", "exclude"):
        found += [(("scope", side, i), p) for i, p in enumerate(getattr(config.scope, side))]
    if config.api.previous is not None:
        found.append((("api", "previous", "path"), config.api.previous.path))
    return found


def _dataset_paths(data: DataConfig) -> list[_KeyedPath]:
    found: list[_KeyedPath] = []
    if data.reference:
        found += [(("data", "reference", "path"), data.reference.path), (("data", "reference", "suite"), data.reference.suite)]
    serving_list = isinstance(data.serving, list)
    for i, dataset in enumerate(data.serving_sets):
        base: tuple[PathPart, ...] = ("data", "serving", i) if serving_list else ("data", "serving")
        found += [((*base, "path"), dataset.path), ((*base, "suite"), dataset.suite)]
    found += [(("data", "personal_data", i, "path"), entry.path) for i, entry in enumerate(data.personal_data)]
    return found


def _unreadable(check: Callable[[Path, str], str | None], root: Path, value: str) -> str | None:
    """`check`, with a path the OS refuses (too long, a loop, no permission) reported instead of raised."""
    try:
        return check(root, value)
    except OSError as exc:
        return f"path {value!r} cannot be checked: {exc.strerror or exc}"


def _lexical_problem(value: str) -> str | None:
    """What is wrong with the text of a path, before the file system is asked anything."""
    if not value.strip():
        return "empty path"
    if "\x00" in value:
        return f"path {value!r} contains a NUL byte"
    if _URL.match(value):
        return f"path {value!r} is a URL: only files inside the project are read, nothing is fetched"
    if value.startswith("~"):
        return f"path {value!r} starts with '~', which is not expanded: write it relative to the project root"
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value) or Path(value).is_absolute():
        return f"path {value!r} must be relative to the project root"
    parts = re.split(r"[\\/]", value)
    if len(parts) > MAX_PATH_PARTS:  # pathlib's glob recurses once per part
        return f"path {value[:40]!r}… has more than {MAX_PATH_PARTS} parts"
    depth = 0
    for part in parts:
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            return f"path {value!r} leaves the project root"
    return None


def _filesystem_problem(root: Path, value: str) -> str | None:
    if _GLOB.search(value):
        matches = _glob(root, value)
        if not matches:
            return f"no file matches {value!r}"
        outside = next((m for m in matches if not _inside(root, m)), None)
        return None if outside is None else f"{value!r} matches {_shown(root, outside)!r}, which leaves the project root"
    target = root / value
    if not _inside(root, target):
        return f"path {value!r} leaves the project root"
    return None if target.exists() else f"path {value!r} does not exist"


def _pack_problem(root: Path, value: str) -> str | None:
    """A rule pack entry: its files (a folder's *.yaml, a glob's matches) must be regular files inside."""
    problem = _filesystem_problem(root, value)
    if problem:
        return problem
    files = rule_pack_files(root, value)
    if not files:
        return f"no rule pack (*.yaml, *.yml) in {value!r}"
    for file in files:
        if not _inside(root, file):
            return f"{value!r} includes {_shown(root, file)!r}, which leaves the project root"
        if not file.is_file():
            return f"{_shown(root, file)!r} is not a regular file"
    return None


def rule_pack_files(root: Path, value: str) -> list[Path]:
    """The pack files that one `rule_packs` entry names: a file, a folder's *.yaml/*.yml, or a glob."""
    found: list[Path] = []
    for path in _glob(root, value) if _GLOB.search(value) else [root / value]:
        if path.is_dir():
            found += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        else:
            found.append(path)
    return found


def _glob(root: Path, pattern: str) -> list[Path]:
    try:
        return sorted(root.glob(pattern))
    except (ValueError, NotImplementedError, OSError, RecursionError):  # a pattern pathlib refuses matches nothing
        return []


def _inside(root: Path, path: Path) -> bool:
    """Does `path`, symlinks followed, stay inside `root` (already resolved)?"""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte: not a path inside
        return False


def _shown(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
