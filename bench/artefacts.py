"""Benchmark: deployment artefacts (SPEC §8). Prints figures; asserts nothing.

Generates a repository of N services (Kubernetes manifests, Dockerfile, compose file, OpenAPI spec,
pyproject + pinned requirements) and times whole `readiness check` processes on it — the median of
several runs — next to checkov restricted to its kubernetes and dockerfile frameworks on the same tree
when checkov is available (`--checkov PATH`, or `checkov` on PATH; e.g. `python -m venv /tmp/ck &&
/tmp/ck/bin/pip install checkov`, then `--checkov /tmp/ck/bin/checkov`).

    python bench/artefacts.py --files 1000
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: 3
  revisionHistoryLimit: 5
  progressDeadlineSeconds: 600
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      securityContext: {{runAsNonRoot: true, runAsUser: 10001}}
      topologySpreadConstraints:
        - {{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway,
            labelSelector: {{matchLabels: {{app: {name}}}}}}}
      containers:
        - name: server
          image: registry.example.com/{name}:1.{i}.0
          ports: [{{containerPort: 8080}}]
          env:
            - {{name: LOG_LEVEL, value: info}}
            - name: DB_PASSWORD
              valueFrom: {{secretKeyRef: {{name: {name}-db, key: password}}}}
          resources:
            requests: {{cpu: 250m, memory: 512Mi}}
            limits: {{memory: 1Gi}}
          readinessProbe: {{httpGet: {{path: /readyz, port: 8080}}}}
          livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}
          startupProbe: {{httpGet: {{path: /readyz, port: 8080}}, failureThreshold: 30}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""
HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 3
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
"""
PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}}}
spec:
  minAvailable: 2
  selector:
    matchLabels: {{app: {name}}}
"""
DOCKERFILE = """\
FROM python:3.11.9-slim-bookworm AS build
WORKDIR /src
COPY requirements.txt .
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt
FROM python:3.11.9-slim-bookworm
COPY --from=build /install /usr/local
COPY src/ /app/
USER 10001
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "-b", "0.0.0.0:8080", "app:app"]
"""
COMPOSE = """\
services:
  {name}:
    image: registry.example.com/{name}:1.{i}.0
    command: gunicorn -k uvicorn.workers.UvicornWorker -b 0.0.0.0:8080 app:app
    environment:
      LOG_LEVEL: info
"""
PYPROJECT = """\
[project]
name = "{name}"
version = "1.{i}.0"
dependencies = ["fastapi>=0.110", "gunicorn>=22"]
"""
REQUIREMENTS = "fastapi==0.115.0\ngunicorn==23.0.0\nuvicorn==0.30.6\n"
OPENAPI = """\
openapi: 3.0.3
info: {{title: {name}, version: 1.{i}.0}}
paths:
  /healthz:
    get:
      operationId: health_{i}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: object}}}}}}}}
        default: {{description: error}}
"""

FILES_PER_SERVICE = {
    "k8s/deployment.yaml": DEPLOYMENT, "k8s/service.yaml": SERVICE, "k8s/hpa.yaml": HPA, "k8s/pdb.yaml": PDB,
    "Dockerfile": DOCKERFILE, "docker-compose.yaml": COMPOSE, "pyproject.toml": PYPROJECT,
    "requirements.txt": REQUIREMENTS, "api/openapi.yaml": OPENAPI, "CHANGELOG.md": "## [1.{i}.0]\n- release\n",
}  # fmt: skip


def generate(root: Path, files: int) -> int:
    services = max(1, files // len(FILES_PER_SERVICE))
    for i in range(services):
        name = f"svc-{i:04d}"
        for rel, template in FILES_PER_SERVICE.items():
            path = root / "services" / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(template.format(name=name, i=i), encoding="utf-8")
    return services * len(FILES_PER_SERVICE)


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--checkov", default=shutil.which("checkov"), help="path of a checkov executable")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "repo"
        count = generate(tree, args.files)
        out = Path(tmp) / "reports"
        ours_cmd = [sys.executable, "-m", "checker", "check", str(tree), "--skip", "data_compatibility",
                    "--format", "json", "--output-dir", str(out)]  # fmt: skip
        ours = median_seconds(ours_cmd, args.runs)
        print(f"tree: {count} files ({count // len(FILES_PER_SERVICE)} services)")
        print(f"readiness check (all artefact rules): {ours:.2f} s median of {args.runs} "
              f"= {ours / count * 1000:.2f} s per 1,000 files (target ≤ 2 s per 1,000)")  # fmt: skip
        if args.checkov:
            ck_cmd = [args.checkov, "-d", str(tree), "--framework", "kubernetes", "dockerfile", "--quiet",
                      "--compact", "-o", "json"]  # fmt: skip
            theirs = median_seconds(ck_cmd, args.runs)
            print(f"checkov --framework kubernetes dockerfile: {theirs:.2f} s median of {args.runs}")
            print(f"speed-up: {theirs / ours:.1f}x (target ≥ 6x)")
        else:
            print("checkov not found: pass --checkov PATH to compare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
