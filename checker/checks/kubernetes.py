"""Kubernetes checks: a condition asserted on every container, workload or resource in scope.

Conditions read the object itself plus joined facts under `$` names:
- every scope: `$kind`, `$resource` (the whole document)
- containers and workloads: `$pod` (the pod spec)
- containers: `$security` (pod securityContext overlaid by the container's), `$init`, `$command`, `$mounts`
  (checker.checks.container_facts)
- workloads: `$min_replicas`, `$multi_replica`, `$autoscaler`, `$pdb`, `$progressive_delivery`, and for
  ML-serving resources that scale themselves (KServe, Knative, KubeRay, Seldon) `$own_autoscaler`,
  `$max_replicas` and `$update_strategy` (checker.project.serving)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Literal

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.conditions import Condition, Failure, evaluate
from checker.checks.container_facts import container_facts, fact_paths
from checker.checks.registry import Registry, check_type
from checker.checks.templates import SubjectMessage, fill
from checker.model import Finding
from checker.project.kube import Container, KubeModel, ReplicaFloor, Resource, Workload
from checker.yamlpos import PathPart, PosDict, format_path, position_of

SECURITY_FIELDS = ("runAsNonRoot", "runAsUser", "runAsGroup", "seccompProfile", "seLinuxOptions")


class KubernetesParams(Params):
    scope: Literal["containers", "workloads", "resources"]
    workloads: Literal["serving", "serving_and_daemonsets", "all"] = Field(
        default="serving",
        description="which pod templates: serving workloads (Deployment, StatefulSet, Rollout), those plus "
        "DaemonSets, or every pod template (Pods, Jobs and CronJobs too)",
    )
    kinds: list[str] = Field(default_factory=list, description="only these kinds (required for scope: resources)")
    init_containers: bool = Field(default=False, description="judge init containers too")
    include_helm_hooks: bool = Field(default=False, description="judge resources annotated helm.sh/hook")
    where: Condition | None = Field(default=None, description="only subjects where this holds are judged")
    assert_: Condition = Field(alias="assert", description="must hold for every subject in scope")
    message: SubjectMessage = Field(default=None, description="finding text; {subject} names the object")


@dataclass(frozen=True)
class Subject:
    """One object under judgement: its view for conditions and how to point at it."""

    label: str
    view: dict[str, Any]
    roots: dict[str, Any]  # `$name` -> positioned document, for locating `$name.…` paths
    base: PosDict  # positioned object that plain paths are relative to
    base_path: tuple[PathPart, ...]
    resource: Resource  # the document the object is written in
    ref: str
    fact_paths: dict[str, tuple[PathPart, ...]] | None = None  # where a `$fact` finding should point
    floor: ReplicaFloor | None = None  # where `$min_replicas` / `$multi_replica` come from (maybe an HPA)
    ceiling: ReplicaFloor | None = None  # where `$max_replicas` comes from


def register(registry: Registry) -> None:
    check_type(
        registry, "kubernetes", KubernetesParams,
        "assert a condition on every container, workload or resource of the Kubernetes manifests",
        inputs=("kubernetes",),
    )(run)  # fmt: skip


def run(ctx: CheckContext, params: KubernetesParams) -> Outcome:  # type: ignore[override]
    kube: KubeModel = ctx.index.kube
    if not kube.resources:
        return Outcome.skipped("no Kubernetes manifests found" + _unreadable_yaml_hint(ctx))
    subjects = [s for s in _subjects(kube, params) if params.where is None or evaluate(params.where, s.view) is None]
    if not subjects:
        return Outcome.skipped(f"no {_scope_words(params)} in the manifests")
    findings = [_finding(s, failure, params) for s in subjects for failure in [evaluate(params.assert_, s.view)] if failure]
    noun = _scope_words(params)
    return Outcome.from_findings(findings, f"{len(subjects)} {noun} checked", f"{{count}} of {len(subjects)} {noun} fail")


def _unreadable_yaml_hint(ctx: CheckContext) -> str:
    """A broken manifest must not look like an absent one: say that YAML files could not be read."""
    broken = [p.path for p in ctx.index.problems if p.path.lower().endswith((".yaml", ".yml"))]
    if not broken:
        return ""
    return f" ({len(broken)} YAML file(s) could not be read, e.g. {broken[0]}: see input problems)"


def _scope_words(params: KubernetesParams) -> str:
    if params.scope == "resources":
        return " / ".join(params.kinds) + " resources" if params.kinds else "resources"
    kind = {"serving": "serving workloads", "serving_and_daemonsets": "serving workloads", "all": "pod templates"}
    where = " matching the rule's selector" if params.where else ""
    return (f"containers of {kind[params.workloads]}" if params.scope == "containers" else kind[params.workloads]) + where


def _subjects(kube: KubeModel, params: KubernetesParams) -> Iterator[Subject]:
    if params.scope == "resources":
        for resource in kube.of_kind(*params.kinds) if params.kinds else kube.resources:
            if params.include_helm_hooks or not resource.is_helm_hook:
                yield _resource_subject(resource)
        return
    for workload in _workloads(kube, params):
        if params.scope == "workloads":
            yield _workload_subject(workload)
        else:
            yield from (_container_subject(c) for c in workload.containers(init=params.init_containers))


def _workloads(kube: KubeModel, params: KubernetesParams) -> list[Workload]:
    if params.workloads == "all":
        chosen = kube.pod_templates(include_helm_hooks=params.include_helm_hooks)
    else:
        chosen = kube.serving_workloads(include_daemonsets=params.workloads == "serving_and_daemonsets")
    return [
        w for w in chosen
        if (params.include_helm_hooks or not w.resource.is_helm_hook) and (not params.kinds or w.kind in params.kinds)
    ]  # fmt: skip


def _resource_subject(resource: Resource) -> Subject:
    view = {**resource.doc, "$kind": resource.kind, "$resource": resource.doc}
    return Subject(resource.label, view, {"$resource": resource.doc}, resource.doc, (), resource, resource.ref)


def _workload_subject(workload: Workload) -> Subject:
    res = workload.resource
    scaler = workload.autoscalers[0].doc if workload.autoscalers else None
    view = {
        **res.doc,
        "$kind": res.kind,
        "$resource": res.doc,
        "$pod": workload.pod_spec,
        "$min_replicas": workload.min_replicas,
        "$multi_replica": workload.min_replicas >= 2,
        "$autoscaler": scaler if scaler is not None else workload.own_autoscaler,
        "$pdb": workload.pdbs[0].doc if workload.pdbs else _own_pdb(workload),
        "$progressive_delivery": bool(workload.managers),
        **_serving_facts(workload),
    }
    roots = {"$resource": res.doc, "$pod": workload.pod_spec}
    floor, ceiling = workload.replica_floor, workload.replica_ceiling
    facts = _WORKLOAD_FACT_PATHS
    component = workload.component
    if component is not None:
        facts = dict(facts)
        if component.name:  # one part of the resource: point at the part, not at the resource's name
            facts.update(dict.fromkeys(("$autoscaler", "$pdb", "$progressive_delivery"), component.path))
        if component.strategy_path:
            facts["$update_strategy"] = component.strategy_path
    return Subject(workload.label, view, roots, res.doc, (), res, workload.ref, facts, floor, ceiling)


def _own_pdb(workload: Workload) -> PosDict | None:
    scaling = workload.component.scaling if workload.component else None
    return scaling.pdb if scaling else None


def _serving_facts(workload: Workload) -> dict[str, Any]:
    """Facts of an ML-serving resource's own scaling; absent for plain workloads (a missing path)."""
    component = workload.component
    if component is None:
        return {}
    facts: dict[str, Any] = {"$own_autoscaler": workload.own_autoscaler is not None}
    if workload.replica_ceiling is not None:
        facts["$max_replicas"] = workload.replica_ceiling.value
    if component.strategy_path:
        strategy = workload.resource.get(*component.strategy_path)
        if strategy is not None:
            facts["$update_strategy"] = strategy
    return facts


_WORKLOAD_FACT_PATHS: dict[str, tuple[PathPart, ...]] = {
    "$min_replicas": ("spec", "replicas"),
    "$multi_replica": ("spec", "replicas"),
    "$autoscaler": ("metadata", "name"),
    "$pdb": ("metadata", "name"),
    "$progressive_delivery": ("metadata", "name"),
}


def _container_subject(container: Container) -> Subject:
    pod = container.workload.pod_spec
    security = _effective_security(pod, container.data)
    view = {
        **container.data,
        "$kind": container.workload.kind,
        "$resource": container.workload.resource.doc,
        "$pod": pod,
        "$init": container.init,
        "$security": security,
        **container_facts(container.data, pod),
    }
    roots = {"$resource": container.workload.resource.doc, "$pod": pod, "$security": security}
    roots["$mounts"] = view["$mounts"]
    ref = f"{container.workload.ref}:{container.name}"
    facts = fact_paths(container.data)
    return Subject(container.label, view, roots, container.data, container.path, container.source, ref, facts)


def _effective_security(pod: PosDict, container: PosDict) -> PosDict:
    """Pod-level securityContext fields that containers inherit, overlaid by the container's own.

    Each key keeps the position it was written at, so a finding points at the pod's or the container's line.
    """
    pod_ctx, own = (_mapping(obj.get("securityContext")) for obj in (pod, container))
    merged = PosDict(own.pos if own else pod_ctx.pos if pod_ctx else container.pos)
    for source, keys in ((pod_ctx, [k for k in pod_ctx if k in SECURITY_FIELDS]), (own, list(own))):
        for key in keys:
            merged[key] = source[key]
            merged.key_pos[key] = source.key_pos.get(key, source.pos)
    return merged


def _mapping(value: Any) -> PosDict:
    return value if isinstance(value, PosDict) else PosDict()


def _finding(subject: Subject, failure: Failure, params: KubernetesParams) -> Finding:
    explanation = failure.explanation.replace("$security.", "securityContext.")
    strategy = (subject.fact_paths or {}).get("$update_strategy")
    if strategy:  # name the field as written: spec.predictor.deploymentStrategy.type, not the fact
        explanation = explanation.replace("$update_strategy", format_path(strategy))
    path, line = subject.resource.path, _line(subject, failure.path)
    floor = subject.floor
    if floor and failure.path and failure.path[0] in ("$min_replicas", "$multi_replica"):
        # The floor may be an autoscaler's: say so, and point where it must change.
        explanation, path, line = floor.explanation, floor.source.path, floor.source.line(floor.path)
    elif subject.ceiling and failure.path and failure.path[0] == "$max_replicas":
        bound = subject.ceiling
        explanation, path, line = bound.explanation, bound.source.path, bound.source.line(bound.path)
    if params.message:
        message = fill(params.message, subject=subject.label, explanation=explanation)
    else:
        message = f"{subject.label}: {explanation}"
    return Finding(
        message=message,
        path=path,
        line=line,
        locator=f"{subject.ref}:{'.'.join(str(p) for p in failure.path)}",
    )


def _line(subject: Subject, path: tuple[PathPart, ...]) -> int | None:
    if path and isinstance(path[0], str) and path[0] in subject.roots:
        pos = position_of(subject.roots[path[0]], path[1:])
    elif path and isinstance(path[0], str) and path[0] in (subject.fact_paths or {}):
        pos = position_of(subject.base, (subject.fact_paths or {})[path[0]])
    elif path and isinstance(path[0], str) and path[0].startswith("$"):
        pos = subject.base.pos
    else:
        pos = position_of(subject.base, path)
    return pos[0] if pos and pos[0] > 0 else subject.resource.line()
