"""Project configuration: `readiness.yaml`, or `[tool.readiness]` in pyproject.toml.

Every key is declared here; an unknown key is an error, because a typo must not silently change the gate.
Errors name file:line:col and the dotted key path.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from checker.model import Category, Severity
from checker.yamlpos import PathPart, YamlError, format_path, key_position, load_one

CONFIG_FILES = ("readiness.yaml", "readiness.yml")


class Strict(BaseModel):
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
    kwargs: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)


class DatasetConfig(Strict):
    path: str
    suite: str | None = None
    expectations: list[Expectation] = Field(default_factory=list)


class DataConfig(Strict):
    engine: Literal["pandas", "spark"] = "pandas"
    reference: DatasetConfig | None = None
    serving: DatasetConfig | list[DatasetConfig] | None = None
    categorical: list[str] | None = None
    target: list[str] = Field(default_factory=list)

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
    params: dict[str, Any] = Field(default_factory=dict)


class Waiver(Strict):
    rule: str
    path: str | None = None
    reason: str = Field(min_length=1)
    owner: str | None = None
    expires: date


class ProjectConfig(Strict):
    service: str | None = None
    fail_on: Severity | None = None
    rule_packs: list[str] = Field(default_factory=list)
    slo: SloConfig = SloConfig()
    model: ModelConfig = ModelConfig()
    api: ApiConfig = ApiConfig()
    data: DataConfig = DataConfig()
    categories: dict[Category, CategoryConfig] = Field(default_factory=dict)
    rules: dict[str, RuleOverride] = Field(default_factory=dict)
    waivers: list[Waiver] = Field(default_factory=list)

    def category_enabled(self, category: Category) -> bool:
        return self.categories.get(category, CategoryConfig()).enabled


class ConfigError(Exception):
    """The configuration is invalid; `problems` are `file:line:col: key.path: message` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadedConfig:
    config: ProjectConfig
    file: str | None = None  # as shown to users
    doc: Any = None  # positioned YAML document, for locating later (semantic) errors
    toml_text: str | None = None
    key_prefix: tuple[PathPart, ...] = field(default_factory=tuple)

    def locate(self, path: tuple[PathPart, ...]) -> str:
        """`file:line:col` of a key path, as precisely as the format allows."""
        if self.doc is not None:
            line, col = key_position(self.doc, path) or (1, 1)
            return f"{self.file}:{line}:{col}"
        if self.toml_text is not None:
            return f"{self.file}:{_toml_line(self.toml_text, path)}:1"
        return str(self.file)

    def problem(self, path: tuple[PathPart, ...], message: str) -> str:
        shown = format_path(path)
        return f"{self.locate(path)}: {shown}: {message}"


def load_config(target: Path, explicit: Path | None = None) -> LoadedConfig:
    """The project's configuration, or an empty one when it has none. Raises ConfigError."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError([f"{explicit}:1:1: (file): config file not found"])
        if explicit.name.endswith(".toml"):
            return _from_pyproject(explicit, required=True)
        return _from_yaml(explicit)
    for name in CONFIG_FILES:
        if (target / name).is_file():
            return _from_yaml(target / name)
    if (target / "pyproject.toml").is_file():
        return _from_pyproject(target / "pyproject.toml", required=False)
    return LoadedConfig(ProjectConfig())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}:1:1: (file): cannot read config: {exc}"]) from None


def _from_yaml(path: Path) -> LoadedConfig:
    text = _read(path)
    try:
        doc = load_one(text)
    except YamlError as exc:
        raise ConfigError([f"{path}:{exc.line or 1}:{exc.column or 1}: (yaml): {exc.message}"]) from None
    loaded = LoadedConfig(ProjectConfig(), file=str(path), doc=doc)
    if doc is None:
        return loaded
    if not isinstance(doc, dict):
        raise ConfigError([loaded.problem((), "the config must be a mapping of keys")])
    duplicates = [loaded.problem((key,), "duplicate key") for key, _ in getattr(doc, "duplicates", [])]
    loaded.config = _validate(doc, loaded, duplicates)
    return loaded


def _from_pyproject(path: Path, required: bool) -> LoadedConfig:
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if not required and "[tool.readiness" not in text:
            return LoadedConfig(ProjectConfig())
        raise ConfigError([f"{path}:1:1: (toml): invalid TOML: {exc}"]) from None
    section = data.get("tool", {}).get("readiness")
    loaded = LoadedConfig(ProjectConfig(), file=str(path), toml_text=text, key_prefix=("tool", "readiness"))
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


def _pydantic_problem(err: dict[str, Any], loaded: LoadedConfig) -> str:
    loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
    message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
    return loaded.problem(loc, message)


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (part.startswith(("list[", "DatasetConfig")) or "function-after" in part)


def _toml_line(text: str, path: tuple[PathPart, ...]) -> int:
    """Best-effort line of a key in [tool.readiness] (tomllib keeps no positions)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("[tool.readiness")), 0)
    for part in reversed([p for p in path if isinstance(p, str)]):
        for i in range(start, len(lines)):
            stripped = lines[i].strip()
            if stripped.startswith((f"{part} ", f"{part}=", f'"{part}"')) or stripped.endswith(f".{part}]"):
                return i + 1
    return start + 1
