"""`readiness init [PATH]`: a commented readiness.yaml with the inputs discovery can find filled in.

Only what auto-discovery cannot decide at check time goes in (the spec and its previous release, the model
metadata, datasets, load-test evidence); the rest is left as commented examples to fill in by hand.
An existing config is never overwritten.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from checker.config import CONFIG_FILES
from checker.project.index import InputError, ProjectIndex

REFERENCE_WORDS = ("train", "reference", "ref", "baseline")
SERVING_WORDS = ("serving", "sample", "prod", "live", "inference", "request")
PREVIOUS_HINT = re.compile(r"(previous|old|released|v?\d+\.\d+)", re.IGNORECASE)


class InitError(Exception):
    pass


@dataclass
class Discovered:
    service: str
    spec: str | None = None
    previous_spec: str | None = None
    mlmodel: str | None = None
    reference: str | None = None
    suite: str | None = None
    serving: list[str] = field(default_factory=list)
    k6: str | None = None
    locust: str | None = None


def write_config(path: Path) -> str:
    from checker.engine.run import UsageError

    existing = [path / name for name in CONFIG_FILES if (path / name).exists()]
    if existing:
        raise UsageError(f"{existing[0]} already exists; not overwritten (edit it, or remove it first)")
    text = render(discover_inputs(path))
    target = path / CONFIG_FILES[0]
    try:
        with target.open("x", encoding="utf-8") as handle:  # "x": never replace a file created meanwhile
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from None
    return f"wrote {target}: review the commented settings, then run `readiness check {path}`"


def discover_inputs(root: Path) -> Discovered:
    index = ProjectIndex.build(root)
    found = Discovered(service=_service_name(index, root))
    own = [p for p in sorted(index.files) if index.in_scope(p)]  # tests, samples, docs are not the project's inputs
    specs = [p for p in own if _is_openapi(index, p)]
    # A spec in a `previous/` folder or named after a version is an earlier release's contract.
    current = [p for p in specs if not PREVIOUS_HINT.search(posixpath.basename(posixpath.dirname(p)) + "/" + posixpath.basename(p))]
    found.spec = next(iter(current or specs), None)
    found.previous_spec = next((p for p in specs if p != found.spec), None)
    found.mlmodel = next((p for p in own if posixpath.basename(p) == "MLmodel"), None)
    _datasets(index, own, found)
    found.k6 = next((p for p in own if p.endswith(".json") and _is_k6_summary(index, p)), None)
    found.locust = next((p for p in own if p.endswith("_stats.csv")), None)
    return found


def _service_name(index: ProjectIndex, root: Path) -> str:
    if "pyproject.toml" in index.files:
        try:
            name = index.toml("pyproject.toml").get("project", {}).get("name")
        except InputError:
            name = None
        if isinstance(name, str) and name:
            return name
    return root.resolve().name


def _is_openapi(index: ProjectIndex, path: str) -> bool:
    if not path.lower().endswith((".yaml", ".yml", ".json")):
        return False
    try:
        docs = index.data(path)
    except InputError:
        return False
    return any(isinstance(d, dict) and ("openapi" in d or "swagger" in d) and "paths" in d for d in docs)


def _is_k6_summary(index: ProjectIndex, path: str) -> bool:
    try:
        data = json.loads(index.text(path))
    except (InputError, ValueError, RecursionError):  # not JSON, or nested beyond reading: not this kind
        return False
    return isinstance(data, dict) and isinstance(data.get("metrics"), dict) and "http_req_duration" in data["metrics"]


def _datasets(index: ProjectIndex, own: list[str], found: Discovered) -> None:
    data_files = [p for p in own if p.startswith("data/") or "/data/" in p]
    tables = [p for p in data_files if p.lower().endswith((".csv", ".parquet", ".pq"))]
    for path in tables:
        name = posixpath.basename(path).lower()
        if found.reference is None and any(w in name for w in REFERENCE_WORDS):
            found.reference = path
        elif any(w in name for w in SERVING_WORDS):
            found.serving.append(path)
    found.suite = next((p for p in data_files if p.endswith(".json") and _is_suite(index, p)), None)


def _is_suite(index: ProjectIndex, path: str) -> bool:
    try:
        data = json.loads(index.text(path))
    except (InputError, ValueError, RecursionError):  # not JSON, or nested beyond reading: not this kind
        return False
    return isinstance(data, dict) and isinstance(data.get("expectations"), list)


def render(found: Discovered) -> str:
    lines = [
        f"# readiness-checker configuration for {found.service} (written by `readiness init`).",
        "# Declare only what auto-discovery cannot know: Dockerfiles, Kubernetes manifests, compose files,",
        "# dependency files, Prometheus rules and the CHANGELOG are found automatically.",
        "# Paths are relative to this file's folder. Reference: `readiness rules list`, `readiness schema`.",
        "",
        f"service: {_quote(found.service)}",
        "fail_on: high                 # lowest severity that fails the gate: critical|high|medium|low|info",
        "",
    ]
    return "\n".join(lines + _slo(found) + _model(found) + _api(found) + _data(found) + _tail()) + "\n"


def _slo(found: Discovered) -> list[str]:
    evidence = found.k6 or found.locust
    lines = ["# Latency and throughput objectives; load-test evidence is compared with them (SCA006).", "slo:"]
    lines += ["  # p95_latency_ms: 250         # TODO: your objective (ms)", "  # throughput_rps: 100         # TODO: your objective (requests/s)"]
    lines.append(f"  evidence: {_quote(evidence)}" if evidence else "  # evidence: loadtest/k6-summary.json   # k6 --summary-export, or Locust *_stats.csv")
    return lines + [""]


def _model(found: Discovered) -> list[str]:
    if not found.mlmodel:
        return ["# model:", "#   metadata: model/MLmodel       # the MLflow MLmodel file", "#   max_age_days: 180", ""]
    return ["model:", f"  metadata: {_quote(found.mlmodel)}", "  max_age_days: 180             # retrain at least this often", ""]


def _api(found: Discovered) -> list[str]:
    if not found.spec:
        return ["# api:", "#   spec: api/openapi.yaml", "#   previous: {git: v1.0.0, path: api/openapi.yaml}", ""]
    lines = ["api:", f"  spec: {_quote(found.spec)}"]
    if found.previous_spec:
        lines.append(f"  previous: {{file: {_quote(found.previous_spec)}}}   # last released contract (or {{git: TAG, path: …}})")
    else:
        lines.append("  # previous: {git: v1.0.0, path: " + found.spec + "}   # last released contract")
    lines.append("  # prediction_operation: predict   # operationId checked against the model signature")
    return lines + [""]


def _data(found: Discovered) -> list[str]:
    if not (found.reference or found.serving):
        return ["# data:", "#   reference: {path: data/train.parquet, suite: data/train_suite.json}",
                "#   serving: {path: data/serving_sample.csv}", ""]  # fmt: skip
    lines = ["data:", "  engine: pandas                # or spark"]
    if found.reference:
        suite = f", suite: {_quote(found.suite)}" if found.suite else ""
        lines.append(f"  reference: {{path: {_quote(found.reference)}{suite}}}")
    if len(found.serving) == 1:
        lines.append(f"  serving: {{path: {_quote(found.serving[0])}}}")
    elif found.serving:
        lines += ["  serving:"] + [f"    - {{path: {_quote(p)}}}" for p in found.serving]
    lines += ["  # categorical: [country, device]   # else inferred", "  # target: [label]                  # label columns, absent from serving data"]
    return lines + [""]


def _tail() -> list[str]:
    return [
        "# categories:                    # turn a whole category off",
        "#   data_compatibility: {enabled: false}",
        "# rules:                         # per-rule overrides",
        "#   REL008: {enabled: false}",
        "#   DAT006: {severity: high, params: {max_psi: 0.1}}",
        "# waivers:                       # governed exceptions: a reason and an expiry date are required",
        "#   - {rule: SEC005, path: k8s/legacy/*.yaml, reason: 'legacy sidecar (OPS-123)', owner: platform, expires: 2027-03-31}",
    ]


def _quote(value: str) -> str:
    """A YAML scalar that stays the same string whatever it looks like (`true`, `1.0`, `-x`)."""
    import yaml

    try:
        plain = re.fullmatch(r"[A-Za-z0-9_./-]+", value) is not None and yaml.safe_load(value) == value
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value)
