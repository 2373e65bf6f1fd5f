"""File kinds by name and place. Kinds that need content (Kubernetes, OpenAPI) are decided at parse time."""

from __future__ import annotations

import fnmatch
import posixpath

DOCKERFILE = "dockerfile"
COMPOSE = "compose"
KUBERNETES = "kubernetes"
YAML = "yaml"
JSON = "json"
TOML = "toml"
PYTHON = "python"
PYPROJECT = "pyproject"
SETUP_CFG = "setup_cfg"
SETUP_PY = "setup_py"
REQUIREMENTS = "requirements"
LOCKFILE = "lockfile"
CHANGELOG = "changelog"
MLMODEL = "mlmodel"
HELM_TEMPLATE = "helm_template"
KUSTOMIZATION = "kustomization"
CONFIG = "config"
VERSION_FILE = "version_file"  # a `VERSION` file holding just the version
PACKAGE_JSON = "package_json"
HELM_CHART = "helm_chart"  # Chart.yaml: its appVersion is a project version candidate
DATASET = "dataset"  # a CSV or Parquet file (SEC009 samples every one in scope)
DATASET_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv", ".parquet", ".pq", ".parq")

LOCK_FILE_NAMES = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml", "conda-lock.yaml"})
CHANGELOG_NAMES = frozenset({"changelog", "changes", "history", "news"})  # any case, any extension (§7)
CONFIG_NAMES = frozenset({"readiness.yaml", "readiness.yml"})


def classify(path: str, helm_chart_dirs: frozenset[str] = frozenset()) -> frozenset[str]:
    """Kinds of the file at posix `path` (relative to the target root)."""
    name = posixpath.basename(path)
    lower = name.lower()
    kinds: set[str] = set()
    if _is_dockerfile(name):
        kinds.add(DOCKERFILE)
    if lower.endswith((".yaml", ".yml")):
        kinds.add(YAML)
        kinds |= _yaml_kinds(path, name, lower, helm_chart_dirs)
    elif lower.endswith(".json"):
        kinds.add(JSON)
    elif lower.endswith(".toml"):
        kinds.add(TOML)
    elif lower.endswith(".py"):
        kinds.add(PYTHON)
    if lower == "pyproject.toml":
        kinds.add(PYPROJECT)
    elif lower == "setup.cfg":
        kinds.add(SETUP_CFG)
    elif lower == "setup.py":
        kinds.add(SETUP_PY)
    if name in LOCK_FILE_NAMES:
        kinds.add(LOCKFILE)
    if _is_requirements(path, lower):
        kinds.add(REQUIREMENTS)
    if lower.split(".")[0] in CHANGELOG_NAMES:
        kinds.add(CHANGELOG)
    if name == "VERSION":
        kinds.add(VERSION_FILE)
    elif name == "package.json":
        kinds.add(PACKAGE_JSON)
    elif name == "Chart.yaml":
        kinds.add(HELM_CHART)
    if name == "MLmodel":
        kinds.add(MLMODEL)
    if lower.endswith(DATASET_SUFFIXES):
        kinds.add(DATASET)
    return frozenset(kinds)


def _yaml_kinds(path: str, name: str, lower: str, helm_chart_dirs: frozenset[str]) -> set[str]:
    kinds = set()
    if fnmatch.fnmatch(lower, "*compose*.y*ml"):
        kinds.add(COMPOSE)
    if lower in ("kustomization.yaml", "kustomization.yml"):
        kinds.add(KUSTOMIZATION)
    if lower in CONFIG_NAMES and "/" not in path:
        kinds.add(CONFIG)
    if any(path.startswith(chart + "templates/") for chart in helm_chart_dirs):
        kinds.add(HELM_TEMPLATE)
    return kinds


def _is_dockerfile(name: str) -> bool:
    """SPEC §7: `Dockerfile`, `Containerfile`, `Dockerfile.*`, `Dockerfile_*`, `*.Dockerfile`, `*.dockerfile`."""
    lower = name.lower()
    if lower in ("dockerfile", "containerfile"):
        return True
    return lower.startswith(("dockerfile.", "dockerfile_")) or lower.endswith(".dockerfile")


def _is_requirements(path: str, lower: str) -> bool:
    if not lower.endswith(".txt"):
        return False
    return lower.startswith("requirements") or "/requirements/" in "/" + path.lower()


def helm_chart_dirs(files: list[str]) -> frozenset[str]:
    """Folders holding a Chart.yaml ('' for the root), each with a trailing slash."""
    dirs = set()
    for path in files:
        if posixpath.basename(path) == "Chart.yaml":
            folder = posixpath.dirname(path)
            dirs.add(folder + "/" if folder else "")
    return frozenset(dirs)
