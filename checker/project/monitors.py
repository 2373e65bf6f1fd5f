"""Which workloads Prometheus scrapes: ServiceMonitors (through the Services they select), PodMonitors, and
`prometheus.io/scrape` annotations on pod templates or Services (the kubernetes_sd convention)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from checker.model import Finding
from checker.project.kube import KubeModel, Resource, Workload, selector_matches

SCRAPE_ANNOTATION = "prometheus.io/scrape"
# KServe turns its own annotation into prometheus.io/scrape on the component pods.
SCRAPE_ANNOTATIONS = (SCRAPE_ANNOTATION, "serving.kserve.io/enable-prometheus-scraping")
KSERVE_PREFIXES = ("serving.kserve.io/", "serving.kubeflow.org/")
T = TypeVar("T")


@dataclass
class ScrapeCoverage:
    covered: list[str] = field(default_factory=list)  # what scrapes which workload, in words
    findings: list[Finding] = field(default_factory=list)  # monitors that cover nothing of the project


def scrape_coverage(kube: KubeModel) -> ScrapeCoverage:
    result = ScrapeCoverage()
    services = _LabelIndex(kube.of_kind("Service"), _labels)
    workloads = _LabelIndex(kube.workloads, lambda w: w.pod_labels)
    for monitor in kube.of_kind("ServiceMonitor", "PodMonitor"):
        targets = _monitored(monitor, services, workloads)
        if targets:
            result.covered.append(
                f"{monitor.label} ({monitor.path}:{monitor.line()}) scrapes {targets[0].resource.label}"
            )
        else:
            result.findings.append(
                Finding(
                    message=f"{monitor.label} selects no workload of the project (check its selector, "
                    "namespaceSelector and the Service labels)",
                    path=monitor.path,
                    line=monitor.line(("spec", "selector")),
                    locator=monitor.ref,
                )
            )
    result.covered += _annotated(kube.workloads, services.items)
    return result


class _LabelIndex(Generic[T]):
    """Services or workloads bucketed by label pair: a selector whose first matchLabels pair is `k: v` can only
    pick items labelled `k: v`. Matching every monitor against every Service made MON001 grow with the square
    of a monorepo (400 services: 160,000 selector checks); candidates keep their manifest order."""

    def __init__(self, items: list[T], labels_of: Callable[[T], dict[str, Any]]) -> None:
        self.items = items
        self._by_pair: dict[tuple[str, str], list[T]] = {}
        for item in items:
            for key, value in labels_of(item).items():
                self._by_pair.setdefault((str(key), str(value)), []).append(item)

    def candidates(self, match_labels: Any) -> list[T]:
        """A superset of the items whose labels include `match_labels` (every item when it is empty)."""
        if not isinstance(match_labels, dict) or not match_labels:
            return self.items
        key, value = next(iter(match_labels.items()))
        return self._by_pair.get((str(key), str(value)), [])


def _monitored(monitor: Resource, services: _LabelIndex[Resource], workloads: _LabelIndex[Workload]) -> list[Workload]:
    selector = monitor.get("spec", "selector")
    match = selector.get("matchLabels") if isinstance(selector, dict) else None
    if monitor.kind == "PodMonitor":
        return [
            w
            for w in workloads.candidates(match)
            if _in_namespaces(monitor, w.resource) and _monitor_selects(selector, w.pod_labels)
        ]
    chosen = [
        s for s in services.candidates(match) if _in_namespaces(monitor, s) and _monitor_selects(selector, _labels(s))
    ]
    return [w for s in chosen for w in workloads.candidates(s.get("spec", "selector")) if service_selects(s, w)]


def _monitor_selects(selector: Any, labels: dict[str, Any]) -> bool:
    # Unlike a PodDisruptionBudget, the Prometheus operator reads an empty selector as "everything".
    if (
        isinstance(selector, dict)
        and not selector.get("matchLabels")
        and not selector.get("matchExpressions")
    ):
        return True
    return selector_matches(selector, labels)


def _in_namespaces(monitor: Resource, target: Resource) -> bool:
    """The monitor's namespaceSelector (its own namespace by default), never across render units."""
    chosen = monitor.get("spec", "namespaceSelector")
    if monitor.unit != target.unit:
        return False
    if isinstance(chosen, dict) and chosen.get("any") is True:
        return True
    names = chosen.get("matchNames") if isinstance(chosen, dict) else None
    if isinstance(names, list) and names:
        return target.effective_namespace in {str(n) for n in names}
    return monitor.same_namespace(target)


def service_selects(service: Resource, workload: Workload) -> bool:
    """A Service's selector is a plain label map: every pair must be among the pod labels."""
    selector = service.get("spec", "selector")
    if not isinstance(selector, dict) or not selector or not service.same_namespace(workload.resource):
        return False
    labels = workload.pod_labels
    return all(labels.get(k) == v for k, v in selector.items())


def _labels(resource: Resource) -> dict[str, Any]:
    labels = resource.metadata.get("labels")
    return labels if isinstance(labels, dict) else {}


def _annotated(workloads: list[Workload], services: list[Resource]) -> list[str]:
    found = [
        f"{w.resource.label} ({w.resource.path}) carries {SCRAPE_ANNOTATION}"
        for w in workloads
        if _scraped(_pod_annotations(w))
    ]
    for service in services:
        if _scraped(service.annotations) and any(service_selects(service, w) for w in workloads):
            found.append(f"{service.label} ({service.path}) carries {SCRAPE_ANNOTATION}")
    return found


def _pod_annotations(workload: Workload) -> dict[str, Any]:
    if workload.resource.api_version.startswith(KSERVE_PREFIXES):  # KServe copies these onto the pods
        return {**workload.resource.annotations, **workload.pod_annotations}
    return workload.pod_annotations


def _scraped(annotations: dict[str, Any]) -> bool:
    return any(str(annotations.get(key, "")).lower() == "true" for key in SCRAPE_ANNOTATIONS)
