"""Benchmark: scale (SPEC §8). Prints figures; asserts nothing.

Generates monorepos of N files (20 % Python) in a temporary folder — services with Kubernetes manifests,
a Dockerfile, a compose file, an OpenAPI spec, pyproject + pinned requirements, a Python package of
60–150-line modules with tests, Markdown docs and YAML/JSON config — and runs whole
`readiness check TREE --format json --jobs 2` processes on each:

- cold: a fresh cache (nothing in TREE/.readiness-cache), the first run on a checkout;
- warm: the same command again, answered by the content-hash cache;
- with `--no-cache-run`, also a run with `--no-cache` (neither reads nor writes a cache).

For each size it prints wall time, CPU time (the run and its bandit workers; steadier than wall time when
other work shares the machine) and peak RSS of the run (the largest of the main process and its bandit
workers, from wait4), the largest size's cold time over the smallest's (target: 20,000 files
≤ 2.2× 10,000), and the ten slowest rules of the cold run from readiness.json.

    python bench/scale.py                      # 10,000 and 20,000 files (several minutes)
    python bench/scale.py --sizes 2000 4000    # a quicker look for hot spots
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGETS = "targets: 20k/10k cold ≤ 2.2x; peak RSS ≤ 400 MB; warm re-run ≤ 2 s"
PYTHON_SHARE = 0.2

# --- one service: 40 artefact, doc and config files + 10 Python files -------------------------------------

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: ml-serving
  labels: {{app.kubernetes.io/name: {name}, team: team-{team}}}
spec:
  replicas: 3
  revisionHistoryLimit: 5
  strategy: {{type: RollingUpdate, rollingUpdate: {{maxUnavailable: 0, maxSurge: 1}}}}
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: {name}}}
    spec:
      serviceAccountName: {name}
      securityContext: {{runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001}}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}
      containers:
        - name: server
          image: registry.example.com/ml/{name}:1.{i}.0
          ports: [{{name: http, containerPort: 8080}}]
          env:
            - {{name: LOG_LEVEL, value: info}}
            - {{name: MODEL_PATH, value: /models/{pkg}/model.onnx}}
            - name: DB_PASSWORD
              valueFrom: {{secretKeyRef: {{name: {name}-db, key: password}}}}
          envFrom: [{{configMapRef: {{name: {name}-config}}}}]
          resources:
            requests: {{cpu: 500m, memory: 768Mi}}
            limits: {{memory: 1536Mi}}
          readinessProbe: {{httpGet: {{path: /readyz, port: http}}, periodSeconds: 5}}
          livenessProbe: {{httpGet: {{path: /healthz, port: http}}, periodSeconds: 10}}
          startupProbe: {{httpGet: {{path: /readyz, port: http}}, failureThreshold: 30, periodSeconds: 2}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
          volumeMounts: [{{name: tmp, mountPath: /tmp}}]
      volumes: [{{name: tmp, emptyDir: {{}}}}]
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: ml-serving, labels: {{app.kubernetes.io/name: {name}}}}}
spec:
  selector: {{app.kubernetes.io/name: {name}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"""
HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}, namespace: ml-serving}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 3
  maxReplicas: {max_replicas}
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
"""
PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}, namespace: ml-serving}}
spec:
  minAvailable: 2
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}-config, namespace: ml-serving}}
data:
  REVIEW_THRESHOLD: "0.{i_mod}"
  DECLINE_THRESHOLD: "0.9"
  WEB_CONCURRENCY: "4"
  FEATURE_STORE_URL: http://features.ml-serving.svc.cluster.local:8080
"""
SERVICEMONITOR = """\
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {{name: {name}, namespace: ml-serving, labels: {{release: kube-prometheus-stack}}}}
spec:
  selector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}
  endpoints: [{{port: http, path: /metrics, interval: 15s}}]
"""
PROMETHEUSRULE = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {{name: {name}, namespace: ml-serving}}
spec:
  groups:
    - name: {name}.alerts
      rules:
        - alert: {alert}HighErrorRate
          expr: sum(rate({pkg}_requests_total{{status=~"5.."}}[5m])) / sum(rate({pkg}_requests_total[5m])) > 0.02
          for: 5m
          labels: {{severity: critical, team: team-{team}}}
          annotations:
            summary: {name} returns 5xx for more than 2% of requests
            runbook_url: https://runbooks.example.com/ml/{name}#errors
        - alert: {alert}HighLatency
          expr: histogram_quantile(0.95, sum by (le) (rate({pkg}_request_duration_seconds_bucket[5m]))) > 0.25
          for: 10m
          labels: {{severity: warning, team: team-{team}}}
          annotations:
            summary: {name} p95 latency above 250 ms
            runbook_url: https://runbooks.example.com/ml/{name}#latency
"""
DOCKERFILE = """\
FROM python:3.11.9-slim-bookworm AS build
WORKDIR /src
COPY requirements.txt .
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt
COPY src/ ./src/
FROM python:3.11.9-slim-bookworm
ENV PYTHONUNBUFFERED=1 PROMETHEUS_MULTIPROC_DIR=/tmp/metrics
COPY --from=build /install /usr/local
COPY --from=build /src/src /app
WORKDIR /app
USER 10001
EXPOSE 8080
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "-w", "4", "-b", "0.0.0.0:8080", "{pkg}.app:app"]
"""
COMPOSE = """\
services:
  {name}:
    build: .
    image: registry.example.com/ml/{name}:1.{i}.0
    command: gunicorn -k uvicorn.workers.UvicornWorker -w 2 -b 0.0.0.0:8080 {pkg}.app:app
    ports: ["{port}:8080"]
    environment:
      LOG_LEVEL: debug
      MODEL_PATH: /models/{pkg}/model.onnx
    healthcheck:
      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"]
      interval: 10s
"""
PYPROJECT = """\
[project]
name = "{name}"
version = "1.{i}.0"
description = "Scoring service {name} of team {team}"
requires-python = ">=3.11"
dependencies = [
    "fastapi==0.115.0",
    "gunicorn==23.0.0",
    "uvicorn==0.30.6",
    "prometheus-client==0.20.0",
    "onnxruntime==1.19.2",
    "numpy==1.26.4",
]

[project.optional-dependencies]
dev = ["pytest==8.3.3", "httpx==0.27.2"]

[tool.setuptools.packages.find]
where = ["src"]
"""
REQUIREMENTS = """\
fastapi==0.115.0
gunicorn==23.0.0
uvicorn==0.30.6
prometheus-client==0.20.0
onnxruntime==1.19.2
numpy==1.26.4
pydantic==2.9.2
"""
OPENAPI = """\
openapi: 3.0.3
info: {{title: {name}, version: 1.{i}.0}}
security: [{{bearer: []}}]
paths:
  /v1/predict:
    post:
      operationId: predict_{pkg}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [features]
              properties:
                features: {{type: object, additionalProperties: {{type: number}}}}
      responses:
        "200":
          description: scored
          content: {{application/json: {{schema: {{$ref: "#/components/schemas/Prediction"}}}}}}
        "422": {{description: invalid input, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Error"}}}}}}}}
        default: {{description: error, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Error"}}}}}}}}
  /healthz:
    get:
      operationId: health_{pkg}
      security: []
      responses:
        "200": {{description: alive, content: {{application/json: {{schema: {{type: object}}}}}}}}
        default: {{description: error, content: {{application/json: {{schema: {{$ref: "#/components/schemas/Error"}}}}}}}}
components:
  securitySchemes:
    bearer: {{type: http, scheme: bearer}}
  schemas:
    Prediction:
      type: object
      required: [score, model_version]
      properties:
        score: {{type: number, minimum: 0, maximum: 1}}
        model_version: {{type: string}}
    Error:
      type: object
      required: [detail]
      properties:
        detail: {{type: string}}
"""
README = """\
# {name}

Scores requests for team {team} with an ONNX model served by FastAPI under gunicorn.

## Running locally

```bash
docker compose up --build
curl -s localhost:{port}/healthz
```

## Configuration

| variable | default | meaning |
| --- | --- | --- |
| `LOG_LEVEL` | `info` | log level of the JSON logs |
| `MODEL_PATH` | `/models/{pkg}/model.onnx` | the model file baked into the image |
| `REVIEW_THRESHOLD` | `0.{i_mod}` | scores at or above it are sent for review |

See `docs/` for the design, the runbook and the on-call notes.
"""
CHANGELOG = """\
# Changelog

## [1.{i}.0] - 2024-0{month}-1{day}
### Changed
- Retrained model on the latest quarter of data.
- Raised the review threshold to 0.{i_mod}.

## [1.{prev}.0] - 2024-01-10
### Fixed
- Request validation returns 422 with a field path.
"""
DOC = """\
# {title} — {name}

{name} is one of the scoring services of team {team}. This page covers {topic}.

## Context

The service loads its model once at start-up and answers `POST /v1/predict` with a score between
0 and 1. Requests carry a feature map; unknown features are rejected with a 422 so that a client
never silently scores with a stale schema.

## Details

1. The readiness probe turns green only after the model is loaded and a warm-up request was scored.
2. Latency budget: p95 under 250 ms at {rps} requests per second per replica.
3. Dashboards: `{pkg}-overview` and `{pkg}-model-quality` in Grafana.
4. Owner: team {team}; escalation through the ML on-call rotation.

## Notes

- Changes to the feature schema need a new API version and a CHANGELOG entry.
- The model card lives next to the model in the registry; its checksum is verified at start-up.
"""
DOC_TOPICS = [("Design", "the architecture"), ("Runbook", "what to do when alerts fire"),
              ("On-call", "the escalation path"), ("Model card", "the model and its data"),
              ("API guide", "calling the API"), ("Capacity", "sizing and autoscaling"),
              ("Security", "authentication and secrets"), ("Release", "the release process")]  # fmt: skip
CONFIG_YAML = """\
# {env} settings of {name}
service: {name}
environment: {env}
logging:
  level: {level}
  format: json
model:
  path: /models/{pkg}/model.onnx
  warmup_requests: 3
  intra_op_threads: 2
thresholds:
  review: 0.{i_mod}
  decline: 0.9
feature_store:
  url: http://features.{env}.svc.cluster.local:8080
  timeout_ms: 50
  retries: 2
"""
CONFIG_NAMES = ["dev", "staging", "prod", "canary", "perf", "eu-prod", "us-prod", "ap-prod", "dr",
                "shadow", "replay", "local"]  # fmt: skip
CONFIG_JSON = '{{"service": "{name}", "features": [{features}], "defaults": {{"amount": 0.0, "country": "US"}}}}\n'
FLAGS_JSON = '{{"flags": {{"new_scorer": {flag}, "log_payloads": false, "shadow_traffic_percent": {i_mod}}}}}\n'
SCRIPT = """\
#!/usr/bin/env bash
# {what} for {name}
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=registry.example.com/ml/{name}:1.{i}.0
{command}
"""
MAKEFILE = """\
.PHONY: test lint image
test:
\tpytest -q tests
lint:
\truff check src tests
image:
\tdocker build -t registry.example.com/ml/{name}:1.{i}.0 .
"""
DOCKERIGNORE = ".git\n.venv\n__pycache__\ntests/\ndocs/\n*.md\n"

# --- Python modules: realistic code of 60–150 lines, different in every service --------------------------

APP_PY = '''\
"""HTTP API of {name}: scores feature maps with the service's model."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import Response

from .metrics import REQUEST_DURATION, REQUESTS, render_latest
from .model import Model
from .schemas import PredictionRequest, PredictionResponse
from .settings import Settings

logger = logging.getLogger("{pkg}")


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = Settings.from_env()
    app.state.settings = settings
    app.state.model = Model.load(settings.model_path, settings.intra_op_threads)
    logger.info("model loaded", extra={{"version": app.state.model.version}})
    yield
    app.state.model = None


app = FastAPI(title="{name}", lifespan=lifespan)


def current_model(request: Request) -> Model:
    model = request.app.state.model
    if model is None:
        raise HTTPException(status_code=503, detail="model not loaded")
    return model


@app.middleware("http")
async def observe(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    endpoint = getattr(route, "path", "unmatched")
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    REQUEST_DURATION.labels(endpoint, request.method).observe(time.perf_counter() - started)
    return response


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {{"status": "ok"}}


@app.get("/readyz")
def readyz(request: Request) -> dict[str, str]:
    if request.app.state.model is None:
        raise HTTPException(status_code=503, detail="loading")
    return {{"status": "ready"}}


@app.get("/metrics")
def metrics() -> Response:
    body, content_type = render_latest()
    return Response(content=body, media_type=content_type)


@app.post("/v1/predict", response_model=PredictionResponse)
def predict(payload: PredictionRequest, model: Model = Depends(current_model)) -> PredictionResponse:
    missing = sorted(set(model.features) - set(payload.features))
    if missing:
        raise HTTPException(status_code=422, detail=f"missing features: {{', '.join(missing)}}")
    score = model.score(payload.features)
    logger.debug("scored", extra={{"score": score}})
    return PredictionResponse(score=score, model_version=model.version)
'''
MODULE_HEAD = '''\
"""{doc} of {name}."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

DEFAULTS_{i} = {{"amount": 0.0, "country": "US", "device": "web", "hour": 12}}


@dataclass
class {cls}:
    """State kept by the {doc_lower} step."""

    name: str
    weights: dict[str, float] = field(default_factory=dict)
    calls: int = 0

    def update(self, key: str, value: float) -> None:
        self.weights[key] = value
        self.calls += 1
'''
HELPER = '''

def {verb}_{noun}_{k}(values: dict[str, float], scale: float = {scale}) -> float:
    """{verb_title} the {noun} features (helper {k})."""
    total = 0.0
    for key, value in sorted(values.items()):
        if value is None or math.isnan(value):
            logger.debug("skipping %s", key)
            continue
        total += value * scale if key.startswith("{noun}") else value
    if total < 0:
        raise ValueError(f"negative {noun} total: {{total}}")
    return round(total, {digits})
'''
TEST_PY = '''\
"""Tests of {name}'s {what}."""

from __future__ import annotations

import pytest

from {pkg}.{module} import {cls}


@pytest.fixture
def state() -> {cls}:
    return {cls}(name="{name}")


def test_update_counts_calls(state: {cls}) -> None:
    state.update("amount", 1.5)
    state.update("hour", 3.0)
    assert state.calls == 2
    assert state.weights == {{"amount": 1.5, "hour": 3.0}}


@pytest.mark.parametrize("value", [0.0, 1.0, {k}.5])
def test_update_keeps_last_value(state: {cls}, value: float) -> None:
    state.update("amount", value)
    assert state.weights["amount"] == value
'''
MODULES = [("model", "Model loading and scoring", "ModelState"), ("schemas", "Request schemas", "SchemaState"),
           ("settings", "Settings", "SettingsState"), ("metrics", "Prometheus metrics", "MetricsState"),
           ("features", "Feature engineering", "FeatureState"), ("utils", "Small helpers", "UtilState")]  # fmt: skip
VERBS = ["normalise", "clip", "weigh", "bucket", "smooth", "score"]
NOUNS = ["amount", "velocity", "device", "country", "merchant", "hour"]


def python_module(name: str, pkg: str, i: int, slot: int, doc: str, cls: str) -> str:
    """A module of 60–150 lines whose size and content depend on the service and the slot."""
    text = MODULE_HEAD.format(name=name, i=i, doc=doc, doc_lower=doc.lower(), cls=cls)
    helpers = 3 + (i * 7 + slot * 3) % 8  # 3..10 helpers of 13 lines each
    for k in range(helpers):
        verb, noun = VERBS[(k + slot) % len(VERBS)], NOUNS[(k + i) % len(NOUNS)]
        text += HELPER.format(verb=verb, noun=noun, k=k, verb_title=verb.title(), scale=1 + (i + k) % 5,
                              digits=2 + k % 4)  # fmt: skip
    if slot == 3:  # the metrics module also defines what app.py imports
        text += METRICS_TAIL.format(pkg=pkg)
    return text


METRICS_TAIL = '''

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest  # noqa: E402

REQUESTS = Counter("{pkg}_requests", "HTTP requests", ["endpoint", "method", "status"])
REQUEST_DURATION = Histogram("{pkg}_request_duration_seconds", "Request time", ["endpoint", "method"])


def render_latest() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
'''


def service_files(i: int) -> dict[str, str]:
    """The 50 files of service number `i`: 40 artefacts, docs and configs, 10 Python files."""
    team = ["payments", "risk", "growth", "search", "ads"][i % 5]
    pkg = f"scorer_{i:05d}"
    name = pkg.replace("_", "-")
    values: dict[str, object] = {
        "name": name, "pkg": pkg, "i": i, "team": team, "i_mod": 50 + i % 40, "port": 8000 + i % 1000,
        "prev": max(0, i - 1), "month": 1 + i % 9, "day": i % 10, "rps": 50 + i % 150, "max_replicas": 6 + i % 20,
        "alert": "".join(p.title() for p in name.split("-")),
    }  # fmt: skip
    files = {
        "k8s/deployment.yaml": DEPLOYMENT, "k8s/service.yaml": SERVICE, "k8s/hpa.yaml": HPA, "k8s/pdb.yaml": PDB,
        "k8s/configmap.yaml": CONFIGMAP, "k8s/servicemonitor.yaml": SERVICEMONITOR,
        "k8s/prometheusrule.yaml": PROMETHEUSRULE, "Dockerfile": DOCKERFILE, "docker-compose.yaml": COMPOSE,
        "pyproject.toml": PYPROJECT, "requirements.txt": REQUIREMENTS, "api/openapi.yaml": OPENAPI,
        "README.md": README, "CHANGELOG.md": CHANGELOG, "Makefile": MAKEFILE, ".dockerignore": DOCKERIGNORE,
    }  # fmt: skip
    out = {rel: template.format(**values) for rel, template in files.items()}
    for title, topic in DOC_TOPICS:
        slug = title.lower().replace(" ", "-").replace("-", "_")
        out[f"docs/{slug}.md"] = DOC.format(title=title, topic=topic, **values)
    for env in CONFIG_NAMES:
        level = "debug" if env in {"dev", "local"} else "info"
        out[f"config/{env}.yaml"] = CONFIG_YAML.format(env=env, level=level, **values)
    features = ", ".join(f'"{n}_{i % 7}"' for n in NOUNS)
    out["config/features.json"] = CONFIG_JSON.format(features=features, **values)
    out["config/flags.json"] = FLAGS_JSON.format(flag="true" if i % 2 else "false", **values)
    out["scripts/build.sh"] = SCRIPT.format(what="Build the image", command='docker build -t "$IMAGE" .', **values)
    out["scripts/smoke.sh"] = SCRIPT.format(what="Smoke test", command=f"curl -fsS localhost:{values['port']}/healthz",
                                            **values)  # fmt: skip
    src = f"src/{pkg}"
    out[f"{src}/__init__.py"] = f'"""{name}: a scoring service."""\n\n__version__ = "1.{i}.0"\n'
    out[f"{src}/app.py"] = APP_PY.format(**values)
    for slot, (module, doc, cls) in enumerate(MODULES):
        out[f"{src}/{module}.py"] = python_module(name, pkg, i, slot, doc, cls)
    out["tests/test_model.py"] = TEST_PY.format(what="model", module="model", cls="ModelState", k=i % 9, **values)
    out["tests/test_features.py"] = TEST_PY.format(what="features", module="features", cls="FeatureState",
                                                   k=i % 7, **values)  # fmt: skip
    return out


def generate(root: Path, files: int) -> tuple[int, int]:
    """A monorepo of `files` files (rounded to whole services); returns (files, Python files)."""
    services = max(1, files // 50)
    total = python = 0
    for i in range(services):
        for rel, text in service_files(i).items():
            path = root / "services" / f"svc-{i:05d}" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            total += 1
            python += rel.endswith(".py")
    return total, python


# --- running ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system time of the run and its bandit workers: steadier than wall time on a busy box
    peak_mb: float
    exit_code: int
    rules: list[tuple[str, float]]  # (rule id, duration_s), slowest first


def run_check(tree: Path, out: Path, jobs: int, no_cache: bool = False) -> Run:
    """One whole `readiness check` process: wall time, peak RSS (of it or its largest worker), rule timings."""
    cmd = [sys.executable, "-m", "checker", "check", str(tree), "--format", "json", "--output-dir", str(out),
           "--jobs", str(jobs)] + (["--no-cache"] if no_cache else [])  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        print(f"  readiness check exited {proc.returncode}: {stderr.strip()[-500:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, proc.returncode, _rule_durations(out / "readiness.json"))


def _rule_durations(report: Path) -> list[tuple[str, float]]:
    try:
        results = json.loads(report.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return []
    timings = [(r["rule_id"], float(r.get("duration_s") or 0.0)) for r in results]
    return sorted(timings, key=lambda t: -t[1])


def measure(size: int, workdir: Path, jobs: int, no_cache_run: bool) -> dict[str, Run]:
    tree = workdir / f"repo-{size}"
    started = time.perf_counter()
    total, python = generate(tree, size)
    print(f"\n== {total} files ({python} Python, {python / total:.0%}) generated in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    runs: dict[str, Run] = {}
    if no_cache_run:
        runs["no-cache"] = run_check(tree, workdir / f"out-{size}-nocache", jobs, no_cache=True)
    shutil.rmtree(tree / ".readiness-cache", ignore_errors=True)
    runs["cold"] = run_check(tree, workdir / f"out-{size}-cold", jobs)
    runs["warm"] = run_check(tree, workdir / f"out-{size}-warm", jobs)
    for label, result in runs.items():
        print(f"  {label:<9} {result.seconds:7.2f} s wall  {result.cpu_seconds:7.2f} s CPU   "
              f"peak RSS {result.peak_mb:6.0f} MB   exit {result.exit_code}")  # fmt: skip
    cold = runs["cold"]
    print("  slowest rules (cold): " + ", ".join(f"{rid} {sec:.2f} s" for rid, sec in cold.rules[:10]))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000], help="files per tree")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-cache-run", action="store_true", help="also time a run with --no-cache")
    parser.add_argument("--keep", type=Path, help="generate the trees here and keep them (default: a temp dir)")
    args = parser.parse_args()
    print(TARGETS)
    with tempfile.TemporaryDirectory(prefix="readiness-scale-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        measured = {size: measure(size, workdir, args.jobs, args.no_cache_run) for size in sorted(args.sizes)}
    if len(measured) > 1:
        small, large = min(measured), max(measured)
        for label in measured[small]:
            wall = measured[large][label].seconds / measured[small][label].seconds
            cpu = measured[large][label].cpu_seconds / measured[small][label].cpu_seconds
            print(f"{label}: {large} files / {small} files = {wall:.2f}x wall time, {cpu:.2f}x CPU time "
                  f"(files {large / small:.1f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
