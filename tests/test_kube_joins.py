"""Joins between a workload and what targets it stay within one render unit and one namespace (SPEC §7 *joins*,
§10 *render units*): a chart render or kustomize build never covers the plain manifests, and back."""

from __future__ import annotations

from pathlib import Path

from report_samples import write_tree

from checker.project.index import ProjectIndex
from checker.project.kube import PLAIN_MANIFESTS, KubeModel, RenderUnit, Resource
from checker.yamlpos import load_all

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer}
spec:
  replicas: 3
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers: [{name: api, image: "registry.example.com/scorer:1.0.0"}]
"""
TARGETS = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: scorer, namespace: NS}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: scorer}
  minReplicas: 2
  maxReplicas: 4
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: scorer, namespace: NS}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: scorer}}
"""


def _resources(text: str, path: str, unit: RenderUnit) -> list[Resource]:
    return [Resource(path, i, doc, unit) for i, doc in enumerate(load_all(text))]


def _joined(workload_unit: RenderUnit, target_unit: RenderUnit, namespace: str) -> tuple[int, int]:
    resources = _resources(DEPLOYMENT, "a.yaml", workload_unit)
    resources += _resources(TARGETS.replace("NS", namespace), "b.yaml", target_unit)
    (workload,) = KubeModel(resources, frozenset()).workloads
    return len(workload.autoscalers), len(workload.pdbs)


def test_plain_manifests_in_the_default_namespace_join() -> None:
    assert _joined(PLAIN_MANIFESTS, PLAIN_MANIFESTS, "default") == (1, 1)


def test_an_unset_namespace_is_default_not_a_wildcard() -> None:
    assert _joined(PLAIN_MANIFESTS, PLAIN_MANIFESTS, "ml") == (0, 0)


def test_another_render_unit_never_joins_even_in_the_same_namespace() -> None:
    chart = RenderUnit("helm:charts/scorer")
    assert _joined(PLAIN_MANIFESTS, chart, "default") == (0, 0)
    assert _joined(chart, PLAIN_MANIFESTS, "default") == (0, 0)


def test_a_unit_can_set_the_namespace_of_resources_that_set_none() -> None:
    build = RenderUnit("kustomize:deploy/prod", namespace="ml")
    assert _joined(build, build, "ml") == (1, 1)
    assert _joined(build, build, "default") == (0, 0)


def test_resources_read_from_files_are_plain_manifests(tmp_path: Path) -> None:
    write_tree(tmp_path, {"k8s/deployment.yaml": DEPLOYMENT})
    (resource,) = ProjectIndex.build(tmp_path).kube.resources
    assert (resource.unit, resource.effective_namespace, resource.join_scope) == (
        PLAIN_MANIFESTS,
        "default",
        ("manifests", "default"),
    )
