"""The JSON Schema of `readiness.yaml` (`readiness schema --config`), generated from the config model.

Everything structural comes from `checker.config.ProjectConfig` (pydantic's schema of it): a key added to the
model is in the schema with no change here. What pydantic cannot see is added the way the model reads it:
the sections that may be left empty (`slo:` with every setting commented out, as `readiness init` writes
it) also accept null, and an expectation's `type` lists the allowlisted expectation types. Descriptions are
the model's own (a `Field(description=…)`, a class docstring); DESCRIPTIONS fills in the rest, and
tests/test_config_schema.py fails for a key that has none.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_ID = "https://readiness-checker.dev/schemas/readiness.schema.json"
ROOT_MODEL = "ProjectConfig"

# "<model>.<field>": what an editor shows for the key. The model's own description wins over these.
DESCRIPTIONS = {
    "ProjectConfig.service": "The service's name: VER005 recognises the project's own images by it (else the pyproject project name).",
    "ProjectConfig.fail_on": "Lowest severity that fails the gate (default: high); --fail-on on the command line wins.",
    "ProjectConfig.rule_packs": "Extra rule packs besides the built-ins: files, folders or globs, relative to the project root.",
    "ProjectConfig.exclude": "Files that are not inputs at all (gitignore-style patterns), e.g. broken-on-purpose fixtures.",
    "ProjectConfig.scope": "What is out of scope (read by SEC002 only), beyond the default tests/, examples/, docs/, … folders.",
    "ProjectConfig.slo": "Service level objectives that the load-test evidence must meet (SCA006).",
    "ProjectConfig.model": "The model's MLflow metadata and how old the model may be.",
    "ProjectConfig.api": "The OpenAPI spec, the previous release's spec (API005) and the prediction operation (API007).",
    "ProjectConfig.data": "The reference and serving datasets of the data rules (DAT001–DAT007) and the engine that reads them.",
    "ProjectConfig.categories": "Per category: `enabled: false` turns the whole category off (reported as a gate change).",
    "ProjectConfig.rules": "Per-rule overrides, by rule id: enabled, severity, params.",
    "ProjectConfig.inline_waivers": "false: `# nosec` and `pragma: allowlist secret` comments no longer suppress findings.",
    "ProjectConfig.waivers": "Accepted findings, each with a rule, an optional path pattern, a reason, an owner and an expiry date.",
    "ProjectConfig.limits": "Resource caps that keep hostile or oversized input from exhausting the machine.",
    "ProjectConfig.version_from": "The file that declares the project version (pyproject.toml, setup.cfg, setup.py, "
                                  "__init__.py, Chart.yaml, package.json, VERSION); default: discovered.",
    "SloConfig.p95_latency_ms": "The p95 latency the load test must stay within, in milliseconds.",
    "SloConfig.throughput_rps": "The throughput the load test must reach, in requests per second.",
    "SloConfig.evidence": "The load-test result (k6 --summary-export JSON or Locust *_stats.csv); default: discovered.",
    "ModelConfig.metadata": "The model's MLflow MLmodel file; default: discovered.",
    "ModelConfig.max_age_days": "How old the model may be, in days (MON005).",
    "ApiConfig.spec": "The OpenAPI / Swagger spec of the service; default: discovered.",
    "ApiConfig.previous": "The previous release's spec, for breaking changes (API005): {git: REVISION, path: PATH} or {file: PATH}.",
    "ApiConfig.prediction_operation": "The operationId of the prediction endpoint, checked against the model signature (API007).",
    "PreviousSpec.git": "A git revision (tag, branch or commit) that holds the previous spec at `path`.",
    "PreviousSpec.path": "The spec's path in that revision.",
    "PreviousSpec.file": "A file holding the previous spec, instead of `git` and `path`.",
    "DataConfig.engine": "What reads the datasets: pandas (the `data` extra) or spark (the `spark` extra).",
    "DataConfig.reference": "The reference (training) dataset.",
    "DataConfig.serving": "The serving dataset, or a list of them, compared with the reference.",
    "DataConfig.categorical": "The categorical columns (DAT004); default: inferred.",
    "DataConfig.target": "Label columns: not expected in serving data.",
    "DatasetConfig.path": "The dataset: a file, a folder of parts or a glob, relative to the project root.",
    "DatasetConfig.suite": "A Great Expectations suite (JSON) run on this dataset (DAT001).",
    "DatasetConfig.expectations": "Expectations run on this dataset (DAT001), written inline.",
    "Expectation.type": "A built-in Great Expectations column or table expectation.",
    "Expectation.kwargs": "The expectation's arguments (plain data).",
    "Expectation.meta": "Notes kept with the expectation.",
    "CategoryConfig.enabled": "false: the category's rules do not run, and the category counts neither for nor against the verdict.",
    "RuleOverride.enabled": "false: the rule does not run.",
    "RuleOverride.severity": "The rule's severity in this project.",
    "RuleOverride.params": "Values for the parameters the rule's pack declares (`readiness rules show ID` lists them).",
    "Waiver.rule": "The id of the rule whose findings are accepted.",
    "Waiver.path": "Only findings in files matching this gitignore-style pattern; default: every file.",
    "Waiver.reason": "Why the findings are accepted; shown in every report.",
    "Waiver.owner": "Who answers for the waiver.",
    "Waiver.expires": "The date (YYYY-MM-DD) the waiver runs until; after it, it no longer applies and is reported as expired.",
    "Limits.max_file_mb": "A project file larger than this (MB) is not read: an input problem, never a pass.",
    "Limits.max_yaml_nodes": "Nodes of one YAML document after alias expansion.",
    "Limits.rule_timeout_s": "Every rule's time budget in seconds; default: its check type's.",
    "Limits.rule_memory_mb": "A rule's evaluation is stopped above this much memory (MB).",
    "Limits.max_dataset_rows": "Rows of one dataset (reference or serving).",
    "Limits.max_dataset_mb": "In-memory size of one dataset (MB).",
    "Limits.max_dataset_columns": "Columns of one dataset.",
    "ScopeConfig.include": "Patterns that bring files below the default out-of-scope folders (tests/, examples/, docs/, …) back in.",
    "ScopeConfig.exclude": "Patterns that take files out of scope; exclude wins over include.",
}


def config_schema_text() -> str:
    return json.dumps(build_config_schema(), indent=2, ensure_ascii=False) + "\n"


def build_config_schema() -> dict[str, Any]:
    from checker.config import ProjectConfig

    generated = ProjectConfig.model_json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = generated.pop("$defs", {})
    defs[ROOT_MODEL] = generated
    for name, model in defs.items():
        _describe(name, _untitled(model))
    _expectation_types(defs.get("Expectation"))
    root = defs.pop(ROOT_MODEL)
    _empty_sections_allowed(root)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "readiness.yaml",
        "description": "The project configuration of readiness-checker (`readiness.yaml`, or [tool.readiness] in "
                       "pyproject.toml): what discovery cannot know. Every key is checked: an unknown key is an error.",
        **root,
        "$defs": dict(sorted(defs.items())),
    }  # fmt: skip


def _untitled(schema: dict[str, Any]) -> dict[str, Any]:
    """pydantic's titles ("P95 Latency Ms") repeat the key; editors show the description instead."""
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return schema


def _describe(name: str, model: dict[str, Any]) -> None:
    for key, prop in model.get("properties", {}).items():
        text = DESCRIPTIONS.get(f"{name}.{key}")
        if text and "description" not in prop:
            prop["description"] = text


def _expectation_types(expectation: dict[str, Any] | None) -> None:
    """The model refuses a type that is not on the allowlist: listing them gives editors completion."""
    from checker.data.expectation_names import allowed_expectations

    if expectation is not None:
        expectation["properties"]["type"]["enum"] = sorted(allowed_expectations())


def _empty_sections_allowed(root: dict[str, Any]) -> None:
    """The model reads a section left empty (`slo:`) as its defaults: null is a valid value there."""
    from checker.config import _SECTIONS

    for key in sorted(_SECTIONS & root.get("properties", {}).keys()):
        root["properties"][key] = _or_null(root["properties"][key])


def _or_null(prop: dict[str, Any]) -> dict[str, Any]:
    if isinstance(prop.get("type"), str):
        return {**prop, "type": [prop["type"], "null"]}
    if "$ref" in prop:
        rest = {k: v for k, v in prop.items() if k != "$ref"}
        return {"anyOf": [{"$ref": prop["$ref"]}, {"type": "null"}], **rest}
    return prop
