"""The built-in check types, declared by name: which module defines each and which input kinds it reads.

The registry imports a module only when one of its check types is first used, so a run pays for the checks
it evaluates and pre-commit selection imports none. `tests/test_lazy_checks.py` fails when this table and the
modules' own `register(registry)` functions disagree, so a new check type cannot be left out.
"""

from __future__ import annotations

from checker.checks.registry import Registry

# OpenAPI specs, the files their `$ref`s reach and the previous release's spec (engine/changed.py), not every
# YAML/JSON file: a staged manifest must not re-run the API rules.
SPEC = ("openapi",)
DATA = ("dataset", "mlmodel", "json")
ALERT_RULES = ("kubernetes", "yaml")
VERSION_SOURCES = ("pyproject", "setup_cfg", "setup_py", "python", "version_file", "package_json", "helm_chart", "config")

# check type -> (module under checker.checks, input kinds; () means any project file may be read)
BUILTIN_CHECK_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "openapi_breaking_changes": ("api_diff", SPEC),
    "health_endpoint": ("api_endpoints", (*SPEC, "kubernetes", "python")),  # probe paths too
    "openapi_security": ("api_endpoints", SPEC),
    "openapi_model_signature": ("api_signature", (*SPEC, "mlmodel")),
    "openapi_model_outputs": ("api_outputs", (*SPEC, "mlmodel")),
    "bandit": ("bandit_check", ("python",)),
    "compose": ("compose", ("compose",)),
    "categorical_domain": ("data", DATA),
    "categorical_drift": ("data", DATA),
    "dataset_schema": ("data", DATA),
    "dataset_signature": ("data", DATA),
    "dataset_suites": ("data", (*DATA, "config")),
    "null_rate": ("data", DATA),
    "numeric_drift": ("data", DATA),
    "dockerfile_user": ("dockerfile_user", ("dockerfile",)),
    "document_query": ("documents", ("yaml", "json", "toml")),
    "inline_secret_env": ("env_secrets", ("kubernetes", "compose")),
    "load_test_slo": ("evidence", ("config", "json", "dataset")),
    "file_absent": ("files", ()),
    "file_content": ("files", ()),
    "file_exists": ("files", ()),
    "healthcheck_or_probes": ("healthchecks", ("dockerfile", "kubernetes")),
    "image_pinning": ("images", ("kubernetes", "compose", "dockerfile")),
    "kubernetes": ("kubernetes", ("kubernetes",)),
    "metrics_exposed": ("metrics", ("kubernetes", "openapi", "python", "pyproject", "requirements")),
    "model_age": ("model_artifact", ("mlmodel",)),
    "model_identity": ("model_artifact", ()),
    "model_framework_versions": ("model_environment", ("mlmodel", "requirements", "lockfile", "pyproject", "yaml")),
    "alert_metadata": ("monitoring", ALERT_RULES),
    "alert_rules": ("monitoring", ALERT_RULES),
    "no_print": ("monitoring", ("python",)),
    "openapi_error_responses": ("openapi", SPEC),
    "openapi_operation_ids": ("openapi", SPEC),
    "openapi_request_schemas": ("openapi", SPEC),
    "openapi_semver": ("openapi", SPEC),
    "openapi_success_responses": ("openapi", SPEC),
    "openapi_valid": ("openapi", SPEC),
    "image_version": ("release", ("kubernetes", "compose", *VERSION_SOURCES)),
    "dockerfile_remote_fetch": ("remote_fetch", ("dockerfile",)),
    "personal_data": ("personal_data", ("dataset", "config")),
    "secrets": ("secrets", ()),
    "production_server": ("serving_command", ("dockerfile", "compose", "kubernetes", "python")),
    "changelog_entry": ("versioning", ("changelog", *VERSION_SOURCES)),
    "dependency_lock": ("versioning", ("pyproject", "requirements", "lockfile")),
    "project_version": ("versioning", VERSION_SOURCES),
}


def register_all(registry: Registry) -> None:
    for name, (module, inputs) in BUILTIN_CHECK_TYPES.items():
        registry.declare(name, f"checker.checks.{module}", inputs)
