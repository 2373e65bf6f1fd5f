"""The expectation suites a project declares: GX suite JSON files and inline `expectations:` lists.

Every expectation remembers where it was written (file and line), so a failure points at its contract.
Every one is checked by checker.data.expectation_safety first: a refused type or argument is a config
error for `readiness.yaml` (at load) and a DAT001 `error` at its line for a suite file; neither reaches GX.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.data.expectation_safety import Refusal, refusals
from checker.project import classify as kinds
from checker.project.index import InputError
from checker.yamlpos import format_path, position_of

if TYPE_CHECKING:
    from checker.config import DataConfig, DatasetConfig, LoadedConfig
    from checker.project.index import ProjectIndex


_NON_FINITE = re.compile(r"(?<![\w\"])(-?Infinity|NaN)(?![\w\"])")


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    path: str | None  # the suite file or the config file
    line: int | None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.path and self.line else (self.path or "the config")


@dataclass(frozen=True)
class Suite:
    dataset: DatasetConfig
    name: str
    expectations: tuple[ExpectationSpec, ...]


class SuiteError(Exception):
    """A suite that cannot be used; `problems` are (line, message) in `path`, the first also as line/message."""

    def __init__(self, path: str, line: int | None, message: str, more: Sequence[tuple[int | None, str]] = ()) -> None:
        also = f" (and {len(more)} more)" if more else ""
        super().__init__(f"{path}:{line or 1}: {message}{also}")
        self.path = path
        self.line = line
        self.message = message
        self.problems = [(line, message), *more]


def datasets_with_keys(data: DataConfig) -> list[tuple[DatasetConfig, tuple[Any, ...]]]:
    """Each declared dataset with its key path in the config (to locate its inline expectations)."""
    found: list[tuple[DatasetConfig, tuple[Any, ...]]] = [(data.reference, ("data", "reference"))] if data.reference else []
    listed = isinstance(data.serving, list)
    found += [(s, ("data", "serving", i) if listed else ("data", "serving")) for i, s in enumerate(data.serving_sets)]
    return found


def config_problems(loaded: LoadedConfig) -> list[str]:
    """Config-error lines for refused inline expectations, at the offending type or argument."""
    return [
        loaded.problem((*key, "expectations", i, *refusal.at), refusal.message)
        for dataset, key in datasets_with_keys(loaded.config.data)
        for i, expectation in enumerate(dataset.expectations)
        for refusal in refusals(expectation.type, expectation.kwargs, expectation.meta)
    ]  # fmt: skip


def declared_suites(index: ProjectIndex, datasets: list[tuple[DatasetConfig, tuple[Any, ...]]]) -> list[Suite]:
    """One suite per dataset that has a suite file and/or inline expectations (`datasets`: with config keys)."""
    suites = []
    for dataset, key in datasets:
        specs = _from_file(index, dataset.suite) if dataset.suite else []
        specs += _inline(index, dataset, key)
        if specs:
            suites.append(Suite(dataset, _suite_name(index, dataset), tuple(specs)))
    return suites


def _suite_name(index: ProjectIndex, dataset: DatasetConfig) -> str:
    if dataset.suite:
        doc = index.json(dataset.suite)
        if isinstance(doc, dict) and isinstance(doc.get("name"), str):
            return str(doc["name"])
    return f"{dataset.path} (inline)"


def _from_file(index: ProjectIndex, path: str) -> list[ExpectationSpec]:
    try:
        doc = index.json(path)
    except InputError as exc:
        raise SuiteError(path, exc.problem.line, exc.problem.message) from None
    _refuse_non_finite(index.text(path), path)
    items = doc.get("expectations") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise SuiteError(path, 1, "not a Great Expectations suite: expected an object with an `expectations` list")
    specs = [_spec(item, path, _line(doc, ("expectations", i)), f"expectations[{i}]") for i, item in enumerate(items)]
    refused = [
        (_line(doc, key) or spec.line, f"{format_path(key)}: {refusal.message}")
        for i, spec in enumerate(specs)
        for refusal in refusals(spec.type, spec.kwargs, spec.meta)
        for key in [("expectations", i, *refusal.at)]
    ]  # fmt: skip
    _raise_refused(path, refused)
    return [_plain_spec(spec) for spec in specs]


def _raise_refused(path: str, refused: list[tuple[int | None, str]]) -> None:
    if refused:
        (line, message), *more = refused
        raise SuiteError(path, line, message, more)


def _refuse_non_finite(text: str, path: str) -> None:
    """`NaN` and `Infinity` are not JSON (Python's reader accepts them): a bound of NaN would make every
    value unexpected, so the suite is refused where the constant is written."""

    def reject(constant: str) -> None:
        raise ValueError(constant)

    try:
        json.loads(text, parse_constant=reject)
    except ValueError as exc:
        match = _NON_FINITE.search(text)
        line = text.count("\n", 0, match.start()) + 1 if match else None
        raise SuiteError(path, line, f"{exc} is not a JSON number; write a finite bound or leave the key out") from None


def _spec(item: Any, path: str, line: int | None, where: str) -> ExpectationSpec:
    if not isinstance(item, dict):
        raise SuiteError(path, line, f"{where}: an expectation must be an object with `type` and `kwargs`")
    # GX 0.x suites name the type `expectation_type`; both spell the same expectation.
    name = item.get("type", item.get("expectation_type"))
    kwargs, meta = item.get("kwargs", {}), item.get("meta") or {}
    if not isinstance(name, str) or not isinstance(kwargs, dict) or not isinstance(meta, dict):
        raise SuiteError(path, line, f"{where}: an expectation needs a `type` (text) and `kwargs` (an object)")
    return ExpectationSpec(name, kwargs, meta, path, line)


def _inline(index: ProjectIndex, dataset: DatasetConfig, key: tuple[Any, ...]) -> list[ExpectationSpec]:
    """Inline expectations were checked when the config was loaded; checked again, so that no other way of
    building a config can hand GX a refused one."""
    config_path, doc = _config_doc(index)
    specs, refused = [], []
    for i, expectation in enumerate(dataset.expectations):
        line = _line(doc, (*key, "expectations", i)) if doc is not None else None
        specs.append(ExpectationSpec(expectation.type, expectation.kwargs, expectation.meta, config_path, line))
        refused += [_refused(doc, (*key, "expectations", i), i, refusal, line)
                    for refusal in refusals(expectation.type, expectation.kwargs, expectation.meta)]  # fmt: skip
    _raise_refused(config_path or "the config", refused)
    return [_plain_spec(spec) for spec in specs]


def _refused(doc: Any, base: tuple[Any, ...], i: int, refusal: Refusal, line: int | None) -> tuple[int | None, str]:
    where = _line(doc, (*base, *refusal.at)) if doc is not None else None
    return where or line, f"{format_path(('expectations', i, *refusal.at))}: {refusal.message}"


def _config_doc(index: ProjectIndex) -> tuple[str | None, Any]:
    configs = sorted(f.path for f in index.of_kind(kinds.CONFIG))
    if not configs:
        return None, None
    try:
        docs = index.yaml(configs[0])
    except InputError:
        return configs[0], None
    return configs[0], docs[0] if docs else None


def _line(doc: Any, path: tuple[Any, ...]) -> int | None:
    position = position_of(doc, path)
    return position[0] if position and position[0] > 0 else None


def _plain_spec(spec: ExpectationSpec) -> ExpectationSpec:
    return ExpectationSpec(spec.type, _plain(spec.kwargs), _plain(spec.meta), spec.path, spec.line)


def _plain(value: Any) -> Any:
    """Positioned YAML/JSON containers as plain dicts and lists, which GX serialises without surprises.
    Only called on arguments already checked: text keys, bounded depth."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
