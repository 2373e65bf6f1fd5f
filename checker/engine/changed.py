"""Pre-commit mode: which rules read a set of changed files, and which files a rule reads.

A rule reads a file when one of its checks names it by glob (`files:` / `paths:` parameters) or declares an
input kind the file has (`CheckType.inputs`, kinds of checker.project.classify plus content kinds decided
here). A check that declares neither may read any project file, so every tracked file is relevant to it: a
pre-commit run may do more than needed, never less. The config file, and the rule packs it names, make every rule relevant.

The `openapi` kind is a spec, a file that a spec's `$ref`s reach (a fragment, however deep) or the previous
release's spec named in the config — so a staged manifest does not re-run the API rules. A YAML/JSON file that
cannot be read, or was deleted, may have been a manifest or a spec: it counts as both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checker.checks.registry import Registry
from checker.config import LoadedConfig, ProjectConfig
from checker.engine.spec_files import SpecFiles
from checker.packs.model import Rule, TypedCheck, leaves
from checker.project import classify
from checker.project.index import InputError, ProjectIndex

KUBERNETES = "kubernetes"
OPENAPI = "openapi"
DATASET = "dataset"
DATA_SUFFIXES = (".csv", ".parquet", ".pq", ".tsv", ".jsonl")
# Kinds that only a file's content reveals, and what a file must be for it to possibly have them.
STRUCTURED = frozenset({classify.YAML, classify.JSON})
CONTENT_KINDS = frozenset({KUBERNETES, OPENAPI})
GLOB_FIELDS = ("files", "paths")


def file_kinds(index: ProjectIndex, path: str) -> frozenset[str]:
    """Kinds by name and place, plus the content kinds: Kubernetes (apiVersion + kind), OpenAPI, dataset.
    An out-of-scope file (tests/, docs/, …) has none: only the rules that read every tracked file (SEC002) read it."""
    source = index.files.get(path)
    if _out_of_scope(index, path):
        return frozenset()
    kinds = set(source.kinds if source else classify.classify(path))
    if path.lower().endswith(DATA_SUFFIXES):
        kinds.add(DATASET)
    if kinds & STRUCTURED and source is not None:
        kinds |= _content_kinds(index, path)
    elif kinds & STRUCTURED and not (index.root / path).exists():
        kinds |= CONTENT_KINDS  # deleted: its content is gone, it may have been either
    return frozenset(kinds)


def _out_of_scope(index: ProjectIndex, path: str) -> bool:
    """Tracked: as the index decided. Deleted: by its folders (a deleted spec below docs/ may have been one)."""
    source = index.files.get(path)
    if source is not None:
        return source.out_of_scope is not None
    decision = index.scope.decide(path)
    return decision is not None and not decision.docs_only


def _content_kinds(index: ProjectIndex, path: str) -> set[str]:
    if index.is_template(path):
        return {KUBERNETES}  # read by no rule, but it may have been a manifest before this change: re-judge
    try:
        docs = index.data(path)
    except InputError:
        return set(CONTENT_KINDS)  # unreadable: the rules that read it must say so
    found = set()
    for doc in docs:
        if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
            found.add(KUBERNETES)
        if isinstance(doc, dict) and ("openapi" in doc or "swagger" in doc):
            found.add(OPENAPI)
    return found


def config_files(loaded: LoadedConfig) -> set[str]:
    """Target-relative files whose change affects every rule: the config and the packs it names."""
    names = set(classify.CONFIG_NAMES) | set(loaded.config.rule_packs)
    if loaded.key_prefix:  # the config is [tool.readiness] of pyproject.toml
        names.add("pyproject.toml")
    return names


def relevant_rules(
    rules: list[Rule], changed: Iterable[str], index: ProjectIndex, registry: Registry, loaded: LoadedConfig
) -> list[Rule]:
    changed = list(dict.fromkeys(changed))
    if set(changed) & config_files(loaded):
        return rules
    specs = SpecFiles(index, loaded.config)
    kinds = {path: _with_spec_kind(path, file_kinds(index, path), specs) for path in changed}
    return [
        rule for rule in rules
        if any(reads(rule, loaded.config, path, kinds[path], registry, path in index.files,
                     not _out_of_scope(index, path)) for path in changed)
    ]  # fmt: skip


def _with_spec_kind(path: str, kinds: frozenset[str], specs: SpecFiles) -> frozenset[str]:
    """A YAML/JSON file that a spec reaches is an OpenAPI input, whatever it holds (a fragment has no `openapi:`)."""
    if OPENAPI in kinds or not path.lower().endswith((".yaml", ".yml", ".json")) or path not in specs:
        return kinds  # (a fragment below docs/ is out of scope, yet the spec it serves reads it)
    return kinds | {OPENAPI}


def reads(
    rule: Rule, config: ProjectConfig, path: str, kinds: frozenset[str], registry: Registry, tracked: bool,
    in_scope: bool = True,
) -> bool:  # fmt: skip
    params = config.params_for(rule.id, rule.params)
    return any(_leaf_reads(leaf, path, kinds, registry, tracked, params, in_scope) for leaf in leaves(rule.check))


def _leaf_reads(
    leaf: TypedCheck, path: str, kinds: frozenset[str], registry: Registry, tracked: bool, params: Mapping[str, Any],
    in_scope: bool = True,
) -> bool:  # fmt: skip
    globs = glob_params(leaf, params)
    if globs:
        return in_scope and matches(globs, path)
    declared = registry.inputs(leaf.type) if leaf.type in registry else ()
    if not declared:
        return tracked  # may read any project file (secrets scanning does), but never an ignored one
    return bool(set(declared) & kinds)


def glob_params(leaf: TypedCheck, params: Mapping[str, Any] | None = None) -> list[str]:
    """The leaf's globs as the check will get them, without building (and importing) its check type.

    Check types declare these fields without a default (tests/test_lazy_checks.py holds the built-ins to it),
    so a leaf that takes globs writes them; the rule's `params` (with the project's overrides) replace a
    field the leaf writes, as `evaluate.with_params` does when the check runs.
    """
    found: list[str] = []
    for name in GLOB_FIELDS:
        value = leaf.raw.get(name)
        if value is not None and params and name in params:
            value = params[name]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            found += value
    return found


def matches(globs: list[str], path: str) -> bool:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(globs).match_file(path)


def inputs_of(rule: Rule, config: ProjectConfig, index: ProjectIndex, registry: Registry) -> list[str] | None:
    """The files `rule` may read, for cache keys; None when that cannot be narrowed (every file counts)."""
    params = config.params_for(rule.id, rule.params)
    paths: set[str] = set()
    for leaf in leaves(rule.check):
        globs = glob_params(leaf, params)
        declared = set(registry.inputs(leaf.type)) if leaf.type in registry else set()
        if globs:
            paths.update(index.glob(globs))
            continue
        if not declared or declared - _NAMED_KINDS - set(_CONTENT_KIND_FILES) - {DATASET}:
            return None  # nothing declared, or a kind unknown here: any file may be read
        wanted = declared.union(*(_CONTENT_KIND_FILES.get(k, set()) for k in declared))
        paths.update(f.path for f in index.files.values() if f.kinds & wanted and f.out_of_scope is None)
        if DATASET in declared:
            paths.update(p for p in index.files if p.lower().endswith(DATA_SUFFIXES) and index.in_scope(p))
    return sorted(paths)


# A content kind can only be a file of these name kinds: a cache key lists them all, parsing none.
_CONTENT_KIND_FILES = {KUBERNETES: STRUCTURED, OPENAPI: STRUCTURED}


# Kinds decided by file name alone, so a cache key can list their files without parsing anything.
_NAMED_KINDS = frozenset({
    classify.DOCKERFILE, classify.COMPOSE, classify.YAML, classify.JSON, classify.TOML, classify.PYTHON,
    classify.PYPROJECT, classify.SETUP_CFG, classify.SETUP_PY, classify.REQUIREMENTS, classify.LOCKFILE,
    classify.CHANGELOG, classify.MLMODEL, classify.HELM_TEMPLATE, classify.KUSTOMIZATION, classify.CONFIG,
    classify.VERSION_FILE, classify.PACKAGE_JSON, classify.HELM_CHART,
})  # fmt: skip
