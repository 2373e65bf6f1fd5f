"""Byte-identical reports (SPEC §6, issue 7): across hash seeds, file creation orders and mtimes, and `--jobs`.

With SOURCE_DATE_EPOCH set, nothing in a report may depend on set or dict iteration order, on the order in which
the filesystem lists a folder, on file times or on how work was spread over workers. Each run is a real
`python -m checker check` in its own interpreter (a hash seed is fixed per process).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fraud-scorer"
EPOCH = "1795564800"
FILE_FORMATS = ("json", "sarif", "junit", "markdown", "html", "codequality")
TIMEOUT_S = 300  # a safeguard against a hung run, not a timing assertion

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: ml}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: {name}
          image: registry.example.com/ml/{name}:latest
          env:
            - {{name: DB_PASSWORD, value: hunter2-{name}}}
            - {{name: API_TOKEN, value: tok-{name}}}
"""
OPENAPI = """openapi: 3.0.3
info: {title: t, version: one}
paths:
  /predict:
    post:
      operationId: op
      requestBody:
        content: {application/json: {schema: {type: object, properties: {a: {type: string}, b: {type: number}}}}}
      responses: {'200': {description: ok}}
  /other:
    get: {operationId: op, responses: {'200': {description: ok}}}
"""
SERVICE_CODE = """import pickle, subprocess
SECRET_KEY = 'AKIAZ7QX3J2N4T5W6Y8R'
def handle(x):
    print(x)
    subprocess.call(x, shell=True)
    return pickle.loads(x)
"""


def monorepo_files() -> dict[str, bytes]:
    """Three services failing most rules, shared files, unreadable YAML and hostile file names."""
    files: dict[str, str | bytes] = {}
    for name in ("scorer", "ranker", "embedder"):
        files[f"services/{name}/k8s/deployment.yaml"] = DEPLOYMENT.format(name=name)
        files[f"services/{name}/Dockerfile"] = "FROM python\nRUN curl -s https://x.example/i.sh | sh\nCMD flask run\n"
        files[f"services/{name}/requirements.txt"] = "flask\nnumpy>=1\nrequests\n"
        files[f"services/{name}/app/main.py"] = SERVICE_CODE
        files[f"services/{name}/api/openapi.yaml"] = OPENAPI
    files["docker-compose.yaml"] = "services:\n  web: {image: nginx, privileged: true}\n  db: {image: postgres}\n"
    files["monitoring/rules.yaml"] = "groups:\n  - name: g\n    rules:\n      - {alert: A, expr: up == 0}\n"
    files["broken/bad.yaml"] = "a: [1, 2\nkind: {\n"
    files["weird/new\nline.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata: {name: 'a%b:c,d'}\nspec: {containers: [{name: c, image: busybox}]}\n"
    files["weird/<script>x<\\script>.yaml"] = "key: [unclosed\n"
    files["weird/\x1b[31mred.yaml"] = "kind: {\n"
    files["weird/a%25b:c,d.py"] = "print('hi')\n"
    files[os.fsdecode(b"weird/latin\xe9.yaml")] = b"kind: [\n"
    return {rel: data if isinstance(data, bytes) else data.encode("utf-8") for rel, data in files.items()}


def build(root: Path, files: dict[str, bytes], order_seed: int) -> Path:
    """Create `files` under `root` in an order and with mtimes that depend on `order_seed`."""
    items = sorted(files.items())
    random.Random(order_seed).shuffle(items)
    for number, (rel, data) in enumerate(items):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stamp = 1_600_000_000 + order_seed * 1_000_003 + 7_919 * number
        os.utime(path, (stamp, stamp))
    return root


def _start(workdir: Path, target: str, hash_seed: int, jobs: int, *extra: str) -> subprocess.Popen[bytes]:
    """`readiness check` on workdir/target writing every format to workdir/out; relative target, so equal text."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": str(hash_seed)}
    formats = [arg for name in (*FILE_FORMATS, "github", "terminal") for arg in ("--format", name)]
    command = [sys.executable, "-m", "checker", "check", target, "--no-cache", "--jobs", str(jobs), *formats,
               "--output-dir", "out", *extra]  # fmt: skip
    return subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen[bytes], workdir: Path) -> dict[str, bytes]:
    stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode in (0, 1), stderr.decode(errors="replace")
    outputs = {p.name: p.read_bytes() for p in sorted((workdir / "out").iterdir())}
    assert len(outputs) == len(FILE_FORMATS)
    return {**outputs, "stdout (github + terminal)": stdout}


def _runs(variants: dict[str, tuple[Any, ...]]) -> dict[str, dict[str, bytes]]:
    """Run every variant (workdir, target, hash seed, jobs, extra flags...) side by side; outputs by variant."""
    started = {name: (_start(*args), args[0]) for name, args in variants.items()}
    return {name: _finish(process, workdir) for name, (process, workdir) in started.items()}


def _differing(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    return [name for name in first if first[name] != second.get(name)]


def test_example_project_reports_are_byte_identical(tmp_path: Path) -> None:
    """The example ML service, datasets included: one run against a copy created in another order with other
    mtimes, under another hash seed and with another number of workers. DAT001 (Great Expectations, ~6 s a run)
    is left out to keep the suite fast (it was compared by hand on examples/fraud-scorer-drifted, whose suites
    fail: identical across seeds and --jobs)."""
    files = {p.relative_to(EXAMPLE).as_posix(): p.read_bytes() for p in EXAMPLE.rglob("*") if p.is_file()}
    shutil.copytree(EXAMPLE, tmp_path / "a" / "fraud-scorer")
    build(tmp_path / "b" / "fraud-scorer", files, order_seed=7)
    outputs = _runs({"a": (tmp_path / "a", "fraud-scorer", 0, 1, "--skip", "DAT001"),
                     "b": (tmp_path / "b", "fraud-scorer", 4242, 2, "--skip", "DAT001")})  # fmt: skip
    assert _differing(outputs["a"], outputs["b"]) == []


def test_monorepo_reports_are_byte_identical_across_seeds_orders_and_jobs(tmp_path: Path) -> None:
    files = monorepo_files()
    for name, order in (("base", 1), ("seed", 1), ("order", 2), ("jobs", 1)):
        build(tmp_path / name / "mono", files, order_seed=order)
    outputs = _runs({
        "base": (tmp_path / "base", "mono", 1, 1),
        "seed": (tmp_path / "seed", "mono", 2, 1),
        "order": (tmp_path / "order", "mono", 1, 1),
        "jobs": (tmp_path / "jobs", "mono", 1, 2),
    })  # fmt: skip
    base = outputs["base"]
    assert b'"status": "fail"' in base["readiness.json"]  # a tree with findings to order, not an empty report
    assert {name: _differing(base, outputs[name]) for name in ("seed", "order", "jobs")} == {
        "seed": [], "order": [], "jobs": []
    }
