"""ML-serving resources in the Kubernetes model (SPEC §10 table): which pod templates each declares, which are
serving workloads, and the replicas and autoscaling they declare themselves."""

from __future__ import annotations

from pathlib import Path

from checker.project.index import ProjectIndex
from checker.project.kube import KubeModel, Workload
from checker.project.serving import UNBOUNDED, merge_over
from checker.yamlpos import load_one

MANIFESTS = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud
  annotations: {serving.kserve.io/deploymentMode: Knative}
spec:
  predictor:
    minReplicas: 0
    model: {modelFormat: {name: sklearn}}
    workerSpec:
      containers: [{name: worker, image: "ghcr.io/acme/worker:1.0.0"}]
  explainer:
    art: {type: SquareAttack, image: "ghcr.io/acme/art:1.0.0"}
  canary:
    - trafficPercent: 10
      predictor:
        maxReplicas: 3
        containers: [{name: kserve-container, image: "ghcr.io/acme/fraud:1.1.0"}]
---
apiVersion: serving.kserve.io/v1alpha1
kind: ServingRuntime
metadata: {name: triton}
spec:
  containers: [{name: kserve-container, image: "nvcr.io/nvidia/tritonserver:24.08-py3"}]
---
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: batch}
spec:
  headGroupSpec:
    rayStartParams: {}
    template:
      spec:
        containers: [{name: ray-head, image: "rayproject/ray:2.40.0"}]
  workerGroupSpecs:
    - groupName: cpu
      replicas: 4
      rayStartParams: {}
      template:
        spec:
          containers: [{name: ray-worker, image: "rayproject/ray:2.40.0"}]
---
apiVersion: v1
kind: Service
metadata: {name: fraud}
spec:
  selector: {app: fraud}
  template: {spec: {containers: [{name: not-a-pod}]}}
---
apiVersion: example.com/v1
kind: InferenceService
metadata: {name: someone-elses}
spec:
  predictor: {containers: [{name: x, image: "x:1"}]}
"""


def _model(tmp_path: Path, text: str = MANIFESTS) -> KubeModel:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "serving.yaml").write_text(text, encoding="utf-8")
    return KubeModel.build(ProjectIndex.build(tmp_path))


def _labels(workloads: list[Workload]) -> list[str]:
    return [w.label for w in workloads]


def test_each_component_is_a_pod_template_and_only_serving_ones_are_serving_workloads(tmp_path: Path) -> None:
    kube = _model(tmp_path)
    assert _labels(kube.pod_templates()) == [
        "InferenceService 'fraud' predictor (spec.predictor)",
        "InferenceService 'fraud' predictor workerSpec (spec.predictor.workerSpec)",
        "InferenceService 'fraud' explainer (spec.explainer)",
        "InferenceService 'fraud' canary 0 predictor (spec.canary[0].predictor)",
        "ServingRuntime 'triton' runtime (spec)",
        "RayCluster 'batch' head group (spec.headGroupSpec)",
        "RayCluster 'batch' worker group 'cpu' (spec.workerGroupSpecs[0])",
    ]  # a core Service with a `template` and another group's InferenceService are not read
    assert _labels(kube.serving_workloads()) == [
        "InferenceService 'fraud' predictor (spec.predictor)",
        "InferenceService 'fraud' explainer (spec.explainer)",
        "InferenceService 'fraud' canary 0 predictor (spec.canary[0].predictor)",
    ]


def test_model_specs_are_containers_named_like_kserve_names_them(tmp_path: Path) -> None:
    predictor, explainer, canary = _model(tmp_path).serving_workloads()
    assert [(c.name, c.path, c.borrows_image) for c in predictor.containers(init=True)] == [
        ("kserve-container", ("spec", "predictor", "model"), True)
    ]
    assert [(c.name, c.borrows_image) for c in explainer.containers(init=True)] == [("kserve-container", False)]
    assert [c.label for c in canary.containers(init=True)] == [
        "container 'kserve-container' (spec.canary[0].predictor.containers[0]) in InferenceService 'fraud'"
    ]


def test_knative_mode_scales_to_zero_without_a_maximum(tmp_path: Path) -> None:
    predictor = _model(tmp_path).serving_workloads()[0]
    assert (predictor.min_replicas, predictor.replica_floor.explanation) == (0, "spec.predictor.minReplicas is 0")
    assert predictor.replica_ceiling is not None and predictor.replica_ceiling.value == UNBOUNDED
    assert predictor.pod_labels == {"serving.kserve.io/inferenceservice": "fraud", "component": "predictor"}


def test_ray_workers_without_autoscaling_run_their_replicas_and_the_ray_container_is_probed(tmp_path: Path) -> None:
    kube = _model(tmp_path, MANIFESTS.replace("kind: RayCluster", "kind: RayService").replace(
        "spec:\n  headGroupSpec", "spec:\n  rayClusterConfig:\n   headGroupSpec").replace(
        "\n  workerGroupSpecs", "\n   workerGroupSpecs"))  # fmt: skip
    worker = next(w for w in kube.serving_workloads() if w.kind == "RayService")
    assert (worker.min_replicas, worker.own_autoscaler) == (4, None)
    (ray,) = worker.containers(init=False)
    assert {"readinessProbe", "livenessProbe"} <= set(ray.data) and "startupProbe" not in ray.data
    assert worker.pod_labels == {"ray.io/node-type": "worker", "ray.io/group": "cpu"}


def test_a_seldon_server_merges_its_pod_spec_over_the_server_config(tmp_path: Path) -> None:
    kube = _model(tmp_path, """\
apiVersion: mlops.seldon.io/v1alpha1
kind: ServerConfig
metadata: {name: mlserver, namespace: seldon-mesh}
spec:
  podSpec:
    securityContext: {runAsNonRoot: true}
    containers:
      - name: agent
        image: docker.io/seldonio/seldon-agent:2.8.0
      - name: mlserver
        image: docker.io/seldonio/mlserver:1.5.0
        env: [{name: MLSERVER_PARALLEL_WORKERS, value: "1"}]
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata: {name: gpu, namespace: models}
spec:
  serverConfig: mlserver
  replicas: 2
  podSpec:
    nodeSelector: {gpu: "true"}
    containers:
      - name: mlserver
        env: [{name: MLSERVER_MODEL_PARALLEL, value: "2"}]
        resources: {limits: {nvidia.com/gpu: 1}}
      - name: sidecar
        image: ghcr.io/acme/sidecar:1.0.0
""")
    (server,) = kube.serving_workloads()
    assert (server.label, server.min_replicas) == ("Server 'gpu'", 2)
    pod = server.pod_spec
    assert pod["securityContext"] == {"runAsNonRoot": True} and pod["nodeSelector"] == {"gpu": "true"}
    containers = {c.name: c for c in server.containers(init=False)}
    assert list(containers) == ["agent", "mlserver", "sidecar"]
    mlserver = containers["mlserver"].data
    assert mlserver["image"] == "docker.io/seldonio/mlserver:1.5.0"  # from the ServerConfig
    assert [e["name"] for e in mlserver["env"]] == ["MLSERVER_PARALLEL_WORKERS", "MLSERVER_MODEL_PARALLEL"]
    assert containers["agent"].source.path == "k8s/serving.yaml" and containers["agent"].source.kind == "Server"
    assert containers["agent"].source.line((*containers["agent"].path, "image")) == 20  # the Server's podSpec line


def test_merge_keeps_the_overriding_documents_positions() -> None:
    base = load_one("a: {b: 1, c: [1]}\nd: x\n")
    override = load_one("\n\na: {c: [2], e: 3}\n")
    merged = merge_over(base, override, anchor=(9, 1))
    assert merged == {"a": {"b": 1, "c": [1, 2], "e": 3}, "d": "x"}
    assert merged.key_pos["a"] == (3, 1) and merged.key_pos["d"] == (9, 1)
    assert merged["a"].key_pos["b"] == (9, 1) and merged["a"]["c"].item_pos == [(9, 1), (3, 9)]
