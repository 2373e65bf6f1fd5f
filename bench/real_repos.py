"""Benchmark: a real ML-serving repository's shape (SPEC §8 *Real repositories*). Prints figures; asserts nothing.

Builds, in a temporary folder, a tree shaped like KServe or KubeRay: CRD bundles of many megabytes (generated
OpenAPI schemas, in `config/crd/` and again in release bundles under `install/`), a Helm chart, kustomize
overlays, InferenceService and RayService manifests, an OpenAPI spec, hundreds of Python files, and `docs/`,
`samples/`, `test/` folders. Then it alternates whole-process cold runs of `readiness check --no-cache` with
runs of checkov's default frameworks on the same tree (when `checkov` is on PATH or given with --checkov) and
prints, per tool, the median wall time, CPU time and peak RSS, the ratio, and our slowest rules.

    python bench/real_repos.py                          # 50 MB of CRDs, 600 Python files, 3 runs each
    python bench/real_repos.py --crd-mb 10 --runs 1     # a quicker look
    python bench/real_repos.py --checkov /tmp/venv-checkov/bin/checkov
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import DEPLOYMENT, OPENAPI, python_module, service_files  # noqa: E402

TARGETS = "targets (SPEC §8): ~1,000 files ≤ 10 s, ~3,000 files with 100+ MB of YAML ≤ 30 s, ≥ 10x faster than checkov"
CRD_FILE_MB = 4  # below the default `limits.max_file_mb` (8): every bundle is read

# --- the tree ---------------------------------------------------------------------------------------------

CRD_HEAD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.16.4
  name: {plural}.serving.example.io
spec:
  group: serving.example.io
  names:
    kind: {kind}
    plural: {plural}
  scope: Namespaced
  versions:
  - name: v1beta1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
"""
CHART = {
    "Chart.yaml": "apiVersion: v2\nname: {name}\nversion: 0.{i}.0\nappVersion: \"0.{i}.0\"\n",
    "values.yaml": "replicas: 2\nimage:\n  repository: ghcr.io/example/{name}\n  tag: v0.{i}.0\n",
    "templates/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ .Release.Name }}}}
spec:
  replicas: {{{{ .Values.replicas }}}}
  selector:
    matchLabels: {{app: {{{{ .Release.Name }}}}}}
  template:
    metadata:
      labels: {{app: {{{{ .Release.Name }}}}}}
    spec:
      containers:
        - name: manager
          image: "{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag }}}}"
""",
}
INFERENCE_SERVICE = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: {name}
spec:
  predictor:
    minReplicas: 2
    model:
      modelFormat: {{name: sklearn}}
      storageUri: gs://example-models/{name}/v{i}
      resources:
        requests: {{cpu: "1", memory: 2Gi}}
        limits: {{memory: 2Gi}}
"""
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n{resources}"


def schema_properties(depth: int, width: int, indent: int, seed: int) -> list[str]:
    """Nested OpenAPI properties as controller-gen writes them: long descriptions, types, nested objects."""
    pad = " " * indent
    lines: list[str] = []
    for k in range(width):
        name = f"field{seed % 97}x{k}"
        lines += [f"{pad}{name}:", f"{pad}  description: |-",
                  f"{pad}    {name} configures how the component {seed} behaves when the runtime scales; see the",
                  f"{pad}    operator documentation for defaults, limits and how it interacts with autoscaling."]  # fmt: skip
        if depth > 0:
            lines += [f"{pad}  type: object", f"{pad}  properties:"]
            lines += schema_properties(depth - 1, width, indent + 4, seed * 31 + k)
        else:
            lines += [f"{pad}  type: string", f"{pad}  x-kubernetes-int-or-string: true"]
    return lines


def crd(kind: str, target_bytes: int) -> str:
    """One CRD document of about `target_bytes`."""
    text = CRD_HEAD.format(kind=kind, plural=kind.lower() + "s")
    seed = 0
    body: list[str] = []
    while len(text) + sum(len(b) + 1 for b in body) < target_bytes:
        body += schema_properties(3, 4, 10, seed)
        seed += 1
    return text + "\n".join(body) + "\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(root: Path, crd_mb: int, python_files: int) -> dict[str, int]:
    """The tree; returns counts of what it holds."""
    counts = {"files": 0, "python": 0, "yaml_mb": 0}
    written: list[tuple[str, str]] = []
    kinds = [f"Serving{n}" for n in range(max(1, crd_mb // CRD_FILE_MB))]
    per_crd = crd_mb * 1024 * 1024 // (2 * len(kinds))  # half in config/crd, half again in release bundles
    crds = {kind: crd(kind, per_crd) for kind in kinds}
    for kind, text in crds.items():
        written.append((f"config/crd/bases/serving.example.io_{kind.lower()}s.yaml", text))
    for version, group in enumerate(_chunks(list(crds.values()), 2)):
        deployment = DEPLOYMENT.format(**_values(version))
        written.append((f"install/v0.{version}.0/bundle.yaml", "---\n".join([*group, deployment])))
    written += _charts_and_overlays()
    written += _python(python_files)
    written.append(("docs/openapi/openapi.yaml", OPENAPI.format(**_values(0))))
    for i in range(40):
        name = f"model-{i}"
        written.append((f"config/samples/{name}.yaml", INFERENCE_SERVICE.format(name=name, i=i)))
        written.append((f"docs/samples/{name}/isvc.yaml", INFERENCE_SERVICE.format(name=name, i=i)))
        written.append((f"test/e2e/data/{name}.json", json.dumps({"instances": [[i * 0.1] * 64]})))
    for rel, text in written:
        write(root, rel, text)
        counts["files"] += 1
        counts["python"] += rel.endswith(".py")
        counts["yaml_mb"] += len(text) if rel.endswith(".yaml") else 0
    counts["yaml_mb"] //= 1024 * 1024
    return counts


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _values(i: int) -> dict[str, object]:
    name = f"scorer-{i:05d}"
    return {"name": name, "pkg": name.replace("-", "_"), "i": i, "team": "ml", "i_mod": 50 + i % 40,
            "port": 8080, "prev": max(0, i - 1), "month": 1 + i % 9, "day": i % 10, "rps": 100,
            "max_replicas": 8, "alert": "Scorer"}  # fmt: skip


def _charts_and_overlays() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i, name in enumerate(["serving-controller", "model-registry", "inference-gateway"]):
        out += [(f"charts/{name}/{rel}", text.format(name=name, i=i)) for rel, text in CHART.items()]
    for i in range(10):  # plain services, each with its own manifests, Dockerfile and compose file
        base = f"services/svc-{i:02d}"
        out += [(f"{base}/{rel}", text) for rel, text in service_files(i).items() if not rel.endswith(".py")]
    resources = "".join(f"- ../../services/svc-{i:02d}/k8s/deployment.yaml\n" for i in range(3))
    out.append(("config/overlays/prod/kustomization.yaml", KUSTOMIZATION.format(resources=resources)))
    return out


def _python(count: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i in range(count):
        package = f"python/runtime_{i // 60:02d}/runtime_{i // 60:02d}"
        out.append((f"{package}/module_{i % 60:02d}.py", python_module(f"runtime-{i // 60}", "runtime", i, i % 7,
                                                                        "A runtime module.", f"State{i % 7}")))  # fmt: skip
    return out


# --- running ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    peak_mb: float
    exit_code: int


def timed(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """One whole process: wall time, CPU time (with its children) and peak RSS (its largest process), via wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    return Run(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               os.waitstatus_to_exitcode(status))  # fmt: skip


def ours(tree: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "checker", "check", str(tree), "--no-cache", "--format", "json",
            "--output-dir", str(out)]  # fmt: skip


def checkov(binary: str, tree: Path) -> list[str]:
    return [binary, "-d", str(tree), "--quiet", "--compact", "-o", "json", "--skip-download"]


def slowest_rules(report: Path, count: int = 8) -> str:
    try:
        results = json.loads(report.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return "(no report)"
    timings = sorted(((r["rule_id"], float(r.get("duration_s") or 0)) for r in results), key=lambda t: -t[1])
    return ", ".join(f"{rid} {sec:.2f} s" for rid, sec in timings[:count])


def summary(label: str, runs: list[Run]) -> str:
    wall = statistics.median(r.seconds for r in runs)
    cpu = statistics.median(r.cpu_seconds for r in runs)
    peak = max(r.peak_mb for r in runs)
    codes = sorted({r.exit_code for r in runs})
    return f"  {label:<9} median {wall:7.2f} s wall  {cpu:7.2f} s CPU   peak RSS {peak:6.0f} MB   exit {codes}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crd-mb", type=int, default=50, help="MB of CRD YAML (half again in release bundles)")
    parser.add_argument("--python-files", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool, alternating")
    parser.add_argument("--checkov", default=shutil.which("checkov"), help="checkov executable (default: PATH)")
    parser.add_argument("--keep", type=Path, help="build the tree here and keep it (default: a temp dir)")
    args = parser.parse_args()
    print(TARGETS)
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="readiness-real-") as tmp:
        workdir = args.keep or Path(tmp)
        tree = workdir / "ml-serving-repo"
        started = time.perf_counter()
        counts = generate(tree, args.crd_mb, args.python_files)
        print(f"tree: {counts['files']} files, {counts['python']} Python, {counts['yaml_mb']} MB of YAML "
              f"(generated in {time.perf_counter() - started:.1f} s)")  # fmt: skip
        runs: dict[str, list[Run]] = {"readiness": [], "checkov": []}
        for _ in range(args.runs):
            runs["readiness"].append(timed(ours(tree, workdir / "out")))
            if args.checkov:
                runs["checkov"].append(timed(checkov(args.checkov, tree)))
        print(summary("readiness", runs["readiness"]))
        print("  slowest rules: " + slowest_rules(workdir / "out" / "readiness.json"))
        if runs["checkov"]:
            print(summary("checkov", runs["checkov"]))
            ratio = statistics.median(r.seconds for r in runs["checkov"]) / statistics.median(
                r.seconds for r in runs["readiness"])
            print(f"  checkov / readiness: {ratio:.1f}x wall time (target ≥ 10x)")
        else:
            print("  checkov: not installed (pip install checkov into a scratch venv, then --checkov PATH)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
