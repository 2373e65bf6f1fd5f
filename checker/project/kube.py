"""Kubernetes resources from every manifest, with the joins rules need.

A Deployment is joined to the HorizontalPodAutoscaler / KEDA ScaledObject that scales it (scaleTargetRef),
the PodDisruptionBudgets whose selector matches its pod labels, and an Argo Rollout (workloadRef) or
Flagger Canary (targetRef) that manages it. Helm templates and kustomize patches are not manifests.
ML-serving resources (KServe, Seldon, KubeRay, Knative) are workloads too, one per pod template their
controller creates, with the replicas and autoscaling they declare themselves (checker.project.serving).

Joins match kind, name and namespace within one render unit (SPEC §7 *joins*, §10 *render units*): each
resource carries its unit, so a chart render or kustomize build never covers the plain manifests' workloads.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterator

from checker.project import classify as kinds
from checker.project.index import InputError
from checker.project.serving import KSERVE_CONTAINER, Bound, Component, components
from checker.yamlpos import PathPart, PosDict, format_path, position_of

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex

POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),
}
SERVING_KINDS = frozenset({"Deployment", "StatefulSet", "Rollout"})
AUTOSCALER_KINDS = frozenset({"HorizontalPodAutoscaler", "ScaledObject"})
HELM_HOOK = "helm.sh/hook"
NAMED_BY_SERVING = ("ServerConfig", "ServingRuntime", "ClusterServingRuntime")  # what serving resources refer to


@dataclass(frozen=True)
class RenderUnit:
    """What a resource was rendered in: a chart render, a kustomize build, or the target's plain manifests."""

    key: str  # e.g. "manifests", later "helm:<chart folder>" or "kustomize:<root>"
    namespace: str = "default"  # the namespace of a resource that sets none


PLAIN_MANIFESTS = RenderUnit("manifests")


@dataclass(frozen=True, eq=False)
class Resource:
    path: str
    index: int  # document number within the file
    doc: PosDict
    unit: RenderUnit = PLAIN_MANIFESTS

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def api_version(self) -> str:
        return str(self.doc.get("apiVersion", ""))

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.doc.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or "(unnamed)")

    @property
    def namespace(self) -> str | None:
        ns = self.metadata.get("namespace")
        return str(ns) if ns else None

    @property
    def effective_namespace(self) -> str:
        """The namespace the resource lands in: its own, else its render unit's (`default` when unset)."""
        return self.namespace or self.unit.namespace

    @property
    def join_scope(self) -> tuple[str, str]:
        """Render unit and namespace: a join never crosses either."""
        return self.unit.key, self.effective_namespace

    @property
    def annotations(self) -> dict[str, Any]:
        ann = self.metadata.get("annotations")
        return ann if isinstance(ann, dict) else {}

    @property
    def is_helm_hook(self) -> bool:
        return HELM_HOOK in self.annotations

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.name}'"

    @property
    def ref(self) -> str:
        """A stable identity for fingerprints: kind/namespace/name."""
        return f"{self.kind}/{self.namespace or '-'}/{self.name}"

    def line(self, path: tuple[PathPart, ...] = ()) -> int | None:
        pos = position_of(self.doc, path)
        return pos[0] if pos else None

    def get(self, *path: PathPart) -> Any:
        node: Any = self.doc
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return None
        return node

    def same_namespace(self, other: Resource) -> bool:
        """Same render unit and namespace: an unset namespace is the unit's (`default`), not a wildcard."""
        return self.join_scope == other.join_scope


@dataclass(frozen=True, eq=False)
class Container:
    workload: Workload
    data: PosDict
    path: tuple[PathPart, ...]  # from the resource document root
    init: bool

    default_name: str | None = None  # a KServe model spec's container is `kserve-container`
    borrows_image: bool = False  # a KServe model spec without `image` runs its ServingRuntime's

    @property
    def name(self) -> str:
        return str(self.data.get("name") or self.default_name or "(unnamed)")

    @property
    def source(self) -> Resource:
        """The document the container is written in (a Rollout may borrow a Deployment's template)."""
        return self.workload.template_from or self.workload.resource

    @property
    def label(self) -> str:
        kind = "init container" if self.init else "container"
        if self.workload.component is None:
            return f"{kind} '{self.name}' in {self.workload.resource.label}"
        where = self.workload.component.container_where or format_path(self.path)
        return f"{kind} '{self.name}' ({where}) in {self.workload.resource.label}"


@dataclass(frozen=True)
class ReplicaFloor:
    value: int
    source: Resource  # the workload itself, or the autoscaler that owns the floor
    path: tuple[PathPart, ...]
    explanation: str

    @classmethod
    def of(cls, bound: Bound, source: Resource) -> ReplicaFloor:
        return cls(bound.value, source, bound.path, bound.explanation)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(eq=False)
class Workload:
    """A resource with a pod template, and what the joins found for it."""

    resource: Resource
    pod_spec_path: tuple[PathPart, ...]
    autoscalers: list[Resource] = field(default_factory=list)
    pdbs: list[Resource] = field(default_factory=list)
    managers: list[Resource] = field(default_factory=list)  # Argo Rollouts / Flagger Canaries
    template_from: Resource | None = None  # a Rollout's workloadRef target, a Seldon Server's ServerConfig
    component: Component | None = None  # the part of an ML-serving resource this pod template is

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def label(self) -> str:
        """`Deployment 'api'`; for a part of an ML-serving resource `InferenceService 'iris' predictor (spec.predictor)`."""
        if self.component is None or not self.component.name:
            return self.resource.label
        return f"{self.resource.label} {self.component.name} ({self.component.where})"

    @property
    def ref(self) -> str:
        return self.resource.ref + (f"#{self.component.where}" if self.component else "")

    @property
    def pod_spec(self) -> PosDict:
        source = self.template_from or self.resource
        spec = source.get(*self.pod_spec_path)
        return spec if isinstance(spec, PosDict) else PosDict()

    @property
    def pod_labels(self) -> dict[str, Any]:
        labels = self._pod_metadata("labels")
        return {**labels, **self.component.labels} if self.component else labels

    @property
    def pod_annotations(self) -> dict[str, Any]:
        return self._pod_metadata("annotations")

    def _pod_metadata(self, key: str) -> dict[str, Any]:
        source = self.template_from or self.resource
        if self.component is not None:
            path = self.component.metadata_path
            found = source.get(*path, key) if path is not None else None
        else:
            found = source.get(*self.pod_spec_path[:-1], "metadata", key)
        return found if isinstance(found, dict) else {}

    @property
    def is_complete(self) -> bool:
        """False for partial documents such as kustomize patches that carry no containers."""
        if self.component is not None:
            return True  # the resource is the whole definition, containers or not
        return isinstance(self.pod_spec.get("containers"), list)

    @property
    def is_serving(self) -> bool:
        return self.component.serving if self.component else self.kind in SERVING_KINDS

    @property
    def own_autoscaler(self) -> PosDict | None:
        """What turns on the autoscaling an ML-serving resource does itself (KServe, Knative, KubeRay, Seldon)."""
        scaling = self.component.scaling if self.component else None
        return scaling.autoscaler if scaling else None

    @property
    def replica_ceiling(self) -> ReplicaFloor | None:
        """The maximum of its own autoscaling, and where it is set."""
        scaling = self.component.scaling if self.component else None
        if scaling is None or scaling.ceiling is None or scaling.autoscaler is None:
            return None
        return ReplicaFloor.of(scaling.ceiling, self.resource)

    @property
    def min_replicas(self) -> int:
        """The replica floor: an autoscaler's floor overrides spec.replicas (default 1)."""
        return self.replica_floor.value

    @property
    def replica_floor(self) -> ReplicaFloor:
        """The replica floor and where it is set, so a finding can point at what to change."""
        for scaler in self.autoscalers:
            # HPA minReplicas defaults to 1; KEDA's minReplicaCount defaults to 0 (scale to zero).
            is_hpa = scaler.kind == "HorizontalPodAutoscaler"
            key, default = ("minReplicas", 1) if is_hpa else ("minReplicaCount", 0)
            value = scaler.get("spec", key)
            if _is_count(value):
                return ReplicaFloor(value, scaler, ("spec", key), f"{scaler.label} has {key} {value}")
            return ReplicaFloor(default, scaler, ("spec",), f"{scaler.label} sets no {key}; it defaults to {default}")
        if self.component is not None and self.component.scaling is not None:
            return ReplicaFloor.of(self.component.scaling.floor, self.resource)
        replicas = self.resource.get("spec", "replicas")
        if _is_count(replicas):
            return ReplicaFloor(replicas, self.resource, ("spec", "replicas"), f"spec.replicas is {replicas}")
        return ReplicaFloor(1, self.resource, ("spec",), "spec.replicas is not set; it defaults to 1")

    def containers(self, init: bool) -> Iterator[Container]:
        if self.component is not None and self.component.partial:
            return  # overrides of containers the project does not hold: nothing to judge as written
        for key in (("initContainers", "containers") if init else ("containers",)):
            items = self.pod_spec.get(key)
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, PosDict):
                    injected = key == "containers" and i == 0  # KubeRay's Ray container is the first one
                    yield Container(self, self._with_injected(item) if injected else item,
                                    (*self.pod_spec_path, key, i), key == "initContainers",
                                    self.component.container_name if self.component else None)  # fmt: skip
        for model in self.component.model_containers if self.component else ():
            yield Container(self, model.data, model.path, init=False, default_name=KSERVE_CONTAINER,
                            borrows_image=model.borrows_image)  # fmt: skip

    def _with_injected(self, container: PosDict) -> PosDict:
        """The first container with the keys its operator sets when they are unset (KubeRay's probes)."""
        missing = [k for k in (self.component.injected if self.component else ()) if k not in container]
        if not missing:
            return container
        copy = PosDict(container.pos)
        copy.update(container)
        copy.key_pos, copy.value_pos, copy.source = dict(container.key_pos), dict(container.value_pos), container.source
        for key in missing:
            copy[key] = PosDict(container.pos)  # present, as the operator makes it; located at the container
        return copy


class KubeModel:
    def __init__(self, resources: list[Resource], patches: frozenset[str]) -> None:
        self.resources = resources
        self.patches = patches

    @classmethod
    def build(cls, index: ProjectIndex) -> KubeModel:
        """The plain manifests (one render unit), then each render's documents in a unit of its own."""
        from checker.project.renders import renders

        patches = _kustomize_patches(index)
        done = renders(index)
        consumed = frozenset().union(*(r.consumed for r in done))
        resources: list[Resource] = []
        for source in index.of_kind(kinds.YAML):
            skip = source.kinds & {kinds.HELM_TEMPLATE, kinds.COMPOSE, kinds.KUSTOMIZATION}
            if skip or source.path in patches or source.path in consumed:
                continue
            resources += _resources_in(index, source.path)
        for render in done:
            resources += [Resource(d.source, i, d.doc, render.unit) for i, d in enumerate(render.documents)]
        return cls(resources, patches)

    @property
    def files(self) -> list[str]:
        return sorted({r.path for r in self.resources})

    def of_kind(self, *names: str) -> list[Resource]:
        return [r for r in self.resources if r.kind in names]

    @cached_property
    def workloads(self) -> list[Workload]:
        """Every complete pod template, joined to autoscalers, PDBs and progressive-delivery managers."""
        found = [Workload(r, POD_SPEC_PATHS[r.kind]) for r in self.resources if r.kind in POD_SPEC_PATHS]
        found += self._serving_workloads()
        self._resolve_rollout_templates(found)
        joins = _Joins(self.of_kind(*AUTOSCALER_KINDS), self.of_kind("PodDisruptionBudget"), self.of_kind("Canary"))
        for workload in found:
            self._join(workload, joins)
        return [w for w in found if w.is_complete]

    def _serving_workloads(self) -> list[Workload]:
        """One workload per component of each ML-serving resource (checker.project.serving)."""
        named: dict[tuple[str, str, str], list[Resource]] = {}
        for other in self.of_kind(*NAMED_BY_SERVING):
            named.setdefault((other.unit.key, other.kind, other.name), []).append(other)

        def lookup(origin: Resource, kind: str, name: str) -> Resource | None:
            # Same render unit; same namespace first (a ServerConfig lives in the Seldon operator's namespace,
            # a ClusterServingRuntime in none).
            found = named.get((origin.unit.key, kind, name), [])
            return next((r for r in found if r.same_namespace(origin)), found[0] if found else None)

        found = []
        for resource in self.resources:
            if resource.kind not in POD_SPEC_PATHS:
                for part in components(resource, lookup) or ():
                    found.append(Workload(resource, part.pod_spec_path, template_from=part.template_from, component=part))
        return found

    def _resolve_rollout_templates(self, workloads: list[Workload]) -> None:
        by_ref = {(w.resource.join_scope, w.kind, w.resource.name): w for w in workloads}
        for workload in workloads:
            ref = workload.resource.get("spec", "workloadRef")
            if workload.kind == "Rollout" and isinstance(ref, dict):
                key = (workload.resource.join_scope, str(ref.get("kind", "Deployment")), str(ref.get("name")))
                target = by_ref.get(key)
                if target is not None:
                    workload.template_from = target.resource
                    workload.pod_spec_path = target.pod_spec_path
                    target.managers.append(workload.resource)

    def _join(self, workload: Workload, joins: _Joins) -> None:
        res = workload.resource
        for scaler in joins.scalers.get(_target_key(res), ()):
            target = scaler.get("spec", "scaleTargetRef")
            if isinstance(target, dict) and _targets(target, res, default_kind="Deployment"):
                workload.autoscalers.append(scaler)
        for pdb in joins.pdbs_for(workload.pod_labels):
            if pdb.same_namespace(res) and selector_matches(pdb.get("spec", "selector"), workload.pod_labels):
                workload.pdbs.append(pdb)
        for canary in joins.canaries.get(_target_key(res), ()):
            target = canary.get("spec", "targetRef")
            if isinstance(target, dict) and _targets(target, res, default_kind="Deployment"):
                workload.managers.append(canary)

    def pod_templates(self, include_helm_hooks: bool = False) -> list[Workload]:
        """Every pod template judged once: a Deployment whose template an Argo Rollout borrows is judged
        through the Rollout, and Helm hooks (tests, migrations) are not part of the deployed service."""
        return [
            w for w in self.workloads
            if not _borrowed_by_rollout(w) and (include_helm_hooks or not w.resource.is_helm_hook)
        ]  # fmt: skip

    def serving_workloads(self, include_daemonsets: bool = False) -> list[Workload]:
        """Deployments, StatefulSets and Rollouts (DaemonSets too, for probe rules).

        A Deployment that an Argo Rollout takes its template from is judged through the Rollout.
        """
        return [
            w for w in self.workloads
            if (w.is_serving or (include_daemonsets and w.kind == "DaemonSet" and w.component is None))
            and not _borrowed_by_rollout(w)
        ]  # fmt: skip


class _Joins:
    """Autoscalers, PDBs and canaries indexed once, so that joining them to N workloads is not N x N.

    A monorepo of 400 services has 400 of each: scanning every one per workload made MON001 and the probe
    rules grow with the square of the repository. Candidates keep the order of the manifests.
    """

    def __init__(self, scalers: list[Resource], pdbs: list[Resource], canaries: list[Resource]) -> None:
        self.scalers = _by_target_name(scalers, "scaleTargetRef")
        self.canaries = _by_target_name(canaries, "targetRef")
        # A PDB selecting on matchLabels can only cover pods carrying its first pair; others are always candidates.
        self._order = {id(pdb): number for number, pdb in enumerate(pdbs)}
        self._by_label: dict[tuple[str, str], list[Resource]] = {}
        self._any_labels: list[Resource] = []
        for pdb in pdbs:
            match = pdb.get("spec", "selector", "matchLabels")
            if isinstance(match, dict) and match:
                key, value = next(iter(match.items()))
                self._by_label.setdefault((str(key), str(value)), []).append(pdb)
            else:
                self._any_labels.append(pdb)

    def pdbs_for(self, labels: dict[str, Any]) -> list[Resource]:
        found = {id(p): p for p in self._any_labels}
        for key, value in labels.items():
            found.update((id(p), p) for p in self._by_label.get((str(key), str(value)), ()))
        return sorted(found.values(), key=lambda p: self._order[id(p)])


_TargetKey = tuple[tuple[str, str], str]  # (render unit and namespace, name)


def _by_target_name(resources: list[Resource], ref_key: str) -> dict[_TargetKey, list[Resource]]:
    """Referring resources by what they name: a scaleTargetRef / targetRef names a resource of its own
    render unit and namespace."""
    found: dict[_TargetKey, list[Resource]] = {}
    for resource in resources:
        target = resource.get("spec", ref_key)
        if isinstance(target, dict):
            found.setdefault((resource.join_scope, str(target.get("name"))), []).append(resource)
    return found


def _target_key(resource: Resource) -> _TargetKey:
    return resource.join_scope, resource.name


def _borrowed_by_rollout(workload: Workload) -> bool:
    return any(m.kind == "Rollout" for m in workload.managers)


def _targets(ref: dict[str, Any], resource: Resource, default_kind: str) -> bool:
    return str(ref.get("name")) == resource.name and str(ref.get("kind", default_kind)) == resource.kind


def selector_matches(selector: Any, labels: dict[str, Any]) -> bool:
    """Kubernetes label-selector semantics: matchLabels and matchExpressions; an empty selector matches nothing."""
    if not isinstance(selector, dict) or not labels:
        return False
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    return all(_expression_holds(e, labels) for e in expressions if isinstance(e, dict))


def _expression_holds(expr: dict[str, Any], labels: dict[str, Any]) -> bool:
    key, op, values = str(expr.get("key")), expr.get("operator"), expr.get("values") or []
    if op == "In":
        return labels.get(key) in values
    if op == "NotIn":
        return labels.get(key) not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    return False


def _resources_in(index: ProjectIndex, path: str) -> list[Resource]:
    try:
        text = index.text(path)
        if "apiVersion" not in text or "kind" not in text:
            return []
        docs = index.yaml(path)
    except InputError:
        return []
    return [
        Resource(path, i, doc) for i, doc in enumerate(docs)
        if isinstance(doc, PosDict) and isinstance(doc.get("apiVersion"), str) and isinstance(doc.get("kind"), str)
    ]  # fmt: skip


def _kustomize_patches(index: ProjectIndex) -> frozenset[str]:
    """Files that kustomizations name as patches: partial documents, not manifests of their own."""
    found: set[str] = set()
    for source in index.of_kind(kinds.KUSTOMIZATION):
        try:
            docs = index.yaml(source.path)
        except InputError:
            continue
        base = posixpath.dirname(source.path)
        for doc in docs:
            if isinstance(doc, dict):
                found |= {posixpath.normpath(posixpath.join(base, p)) for p in _patch_paths(doc)}
    return frozenset(found)


def _patch_paths(doc: dict[str, Any]) -> Iterator[str]:
    for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        for entry in doc.get(key) or []:
            if isinstance(entry, str) and not entry.lstrip().startswith(("apiVersion", "-", "{")):
                yield entry
            elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
                yield entry["path"]
