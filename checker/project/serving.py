"""ML-serving resources read as workloads (SPEC §10 *ML-serving resources*).

Each resource is cut into *components*: the pod templates its controller creates, each with its containers, and,
for serving resources, the replicas and autoscaling it declares itself. Field layouts follow the controllers'
own API types (KServe `serving.kserve.io/v1beta1`, KubeRay `ray.io/v1`, Seldon `machinelearning.seldon.io/v1`
and `mlops.seldon.io/v1alpha1`, Knative `serving.knative.dev/v1`):

| resource | components | serving | replicas (default) | own autoscaling |
|---|---|---|---|---|
| InferenceService | predictor, transformer, explainer, each canary predictor; a `workerSpec` as a pod template | yes (worker: no) | `minReplicas` (1) | KServe's, unless `serving.kserve.io/autoscalerClass: none`/`external` |
| ServingRuntime, ClusterServingRuntime | `spec` (and `spec.workerSpec`) | no | — | — |
| SeldonDeployment | `predictors[i].componentSpecs[j]` | yes | componentSpec, predictor, then spec `replicas` (1) | `hpaSpec` / `kedaSpec`; `pdbSpec` is a PDB |
| Server (Seldon Core 2) | `podSpec` merged over its ServerConfig's | yes | `replicas` (1) | an HPA targeting the Server |
| RayService | head group (pod template), each worker group | workers | `minReplicas` with autoscaling, else `replicas` (0) | `enableInTreeAutoscaling` |
| RayCluster | head group, each worker group | no | — | — |
| Knative Service | `spec.template` | yes | `autoscaling.knative.dev/min-scale` (0) | Knative's (KPA or HPA class) |
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeGuard

from checker.yamlpos import PathPart, PosDict, PosList, format_path

if TYPE_CHECKING:
    from checker.project.kube import Resource

KSERVE_GROUPS = ("serving.kserve.io", "serving.kubeflow.org")
KSERVE_MODEL_SPECS = ("model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface", "pmml",
                      "lightgbm", "paddle")  # fmt: skip
KSERVE_CONTAINER = "kserve-container"  # the name KServe gives a model spec's container
UNBOUNDED = 2**31 - 1  # an autoscaler without a maximum (Knative max-scale 0, KubeRay's default maxReplicas)
RAY_PROBES = ("readinessProbe", "livenessProbe")  # KubeRay adds them to the Ray container when unset


@dataclass(frozen=True)
class Bound:
    """A replica bound and where it is set, so a finding can point at what to change."""

    value: int
    path: tuple[PathPart, ...]  # in the resource document
    explanation: str


@dataclass(frozen=True)
class Scaling:
    """Replicas and autoscaling that a serving resource declares for one component itself."""

    floor: Bound
    autoscaler: PosDict | None = None  # what turns its own autoscaling on; None: it does not autoscale itself
    ceiling: Bound | None = None  # the autoscaler's maximum
    pdb: PosDict | None = None  # a disruption budget it declares itself (Seldon's pdbSpec)


@dataclass(frozen=True)
class ModelContainer:
    """A KServe model spec: a container written in the component, over its ServingRuntime's container."""

    path: tuple[PathPart, ...]
    data: PosDict  # the spec, merged over the named runtime's container when the project holds that runtime
    borrows_image: bool  # no `image` of its own: it runs the runtime's, which is judged on the runtime


@dataclass(frozen=True)
class Component:
    """One pod template of an ML-serving resource."""

    name: str  # in words: "predictor", "worker group 'gpu'"; "" when it is the whole resource (a Seldon Server)
    path: tuple[PathPart, ...]  # the component in the resource document
    pod_spec_path: tuple[PathPart, ...]
    serving: bool
    scaling: Scaling | None = None
    model_containers: tuple[ModelContainer, ...] = ()  # model specs written as a container (KServe)
    metadata_path: tuple[PathPart, ...] | None = None  # the pod template's metadata (labels, annotations)
    labels: dict[str, str] = field(default_factory=dict)  # labels the controller puts on the pods
    injected: tuple[str, ...] = ()  # keys the operator sets on the first container when they are unset
    template_from: Resource | None = None  # the document the pod spec is read from, when not the resource itself
    partial: bool = False  # its containers override a base the project does not hold: not judged as written
    strategy_path: tuple[PathPart, ...] | None = None  # where an update strategy type would be written
    container_name: str | None = None  # the name its controller gives an unnamed container
    container_where: str | None = None  # how container labels say where a container is, when not by its path

    @property
    def where(self) -> str:
        return format_path(self.path)


# A resource a serving resource names (a Server's ServerConfig, a model's ServingRuntime): (from, kind, name).
Lookup = Callable[["Resource", str, str], "Resource | None"]


def components(resource: Resource, lookup: Lookup) -> list[Component] | None:
    """The resource's components, or None when it is not an ML-serving resource."""
    group = resource.api_version.partition("/")[0]
    reader = _READERS.get((group, resource.kind))
    if reader is None:
        return None
    spec = resource.get("spec")
    if not isinstance(spec, dict):
        return []
    return list(reader(resource, lookup))


# --- KServe -------------------------------------------------------------------------------------------


def _inference_service(resource: Resource, lookup: Lookup) -> Iterator[Component]:
    annotations = resource.annotations
    mode = str(annotations.get("serving.kserve.io/deploymentMode", "")).lower()
    knative = mode in ("serverless", "knative")
    autoscaled = str(annotations.get("serving.kserve.io/autoscalerClass", "hpa")).lower() not in ("none", "external")
    parts: list[tuple[str, tuple[PathPart, ...]]] = [
        (name, ("spec", name)) for name in ("predictor", "transformer", "explainer")
    ]
    canaries = resource.get("spec", "canary")
    for i, _canary in enumerate(canaries if isinstance(canaries, list) else []):
        parts.append((f"canary {i} predictor", ("spec", "canary", i, "predictor")))
    for name, path in parts:
        node = resource.get(*path)
        if isinstance(node, PosDict):
            yield _kserve_component(resource, (name, path, node), lookup, knative, autoscaled)
            worker = node.get("workerSpec")
            if isinstance(worker, PosDict):
                yield Component(f"{name} workerSpec", (*path, "workerSpec"), (*path, "workerSpec"), serving=False)


def _kserve_component(
    resource: Resource, part: tuple[str, tuple[PathPart, ...], PosDict], lookup: Lookup, knative: bool,
    autoscaled: bool,
) -> Component:  # fmt: skip
    name, path, node = part
    models = tuple(_model_container(resource, (*path, key), node[key], lookup)
                   for key in (*KSERVE_MODEL_SPECS, "art") if isinstance(node.get(key), PosDict))  # fmt: skip
    floor = _count_bound(node, path, "minReplicas", 1)
    ceiling = _kserve_ceiling(node, path, floor, knative)
    labels = {"serving.kserve.io/inferenceservice": resource.name, "component": name.split()[-1]}
    scaling = Scaling(floor, node if autoscaled else None, ceiling)
    return Component(name, path, path, serving=True, scaling=scaling, model_containers=models, labels=labels,
                     metadata_path=path, strategy_path=(*path, "deploymentStrategy", "type"))  # fmt: skip


def _model_container(resource: Resource, path: tuple[PathPart, ...], spec: PosDict, lookup: Lookup) -> ModelContainer:
    """KServe runs a model spec as the runtime's `kserve-container` with the spec's fields over it: merged here
    when the spec names a runtime the project holds (a ServingRuntime of its namespace, else a cluster one)."""
    runtime_name = spec.get("runtime")
    runtime = None
    if isinstance(runtime_name, str):
        runtime = lookup(resource, "ServingRuntime", runtime_name) or lookup(resource, "ClusterServingRuntime", runtime_name)
    base = _runtime_container(runtime) if runtime is not None else None
    data = merge_over(base, spec, anchor=spec.pos) if base is not None else spec
    return ModelContainer(path, data, borrows_image="image" not in spec)


def _runtime_container(runtime: Resource) -> PosDict | None:
    containers = runtime.get("spec", "containers")
    found = [c for c in containers if isinstance(c, PosDict)] if isinstance(containers, list) else []
    return next((c for c in found if c.get("name") == KSERVE_CONTAINER), found[0] if found else None)


def _kserve_ceiling(node: PosDict, path: tuple[PathPart, ...], floor: Bound, knative: bool) -> Bound:
    """maxReplicas: unset (0) is unbounded on Knative, the floor on a Deployment's HPA (KServe's hpa reconciler)."""
    value = node.get("maxReplicas")
    key = format_path((*path, "maxReplicas"))
    where = (*path, "maxReplicas") if "maxReplicas" in node else path
    if _is_count(value) and value > 0:
        return Bound(max(value, floor.value), where, f"{key} is {value}")
    if knative:
        return Bound(UNBOUNDED, where, f"{key} is not set: Knative sets no maximum")
    return Bound(floor.value, where, f"{key} is not set; KServe then uses minReplicas ({floor.value})")


def _serving_runtime(resource: Resource, _: Lookup) -> Iterator[Component]:
    yield Component("runtime", ("spec",), ("spec",), serving=False)
    if isinstance(resource.get("spec", "workerSpec"), PosDict):
        yield Component("runtime workerSpec", ("spec", "workerSpec"), ("spec", "workerSpec"), serving=False)


# --- Seldon -------------------------------------------------------------------------------------------


def _seldon_deployment(resource: Resource, _: Lookup) -> Iterator[Component]:
    predictors = resource.get("spec", "predictors")
    for i, predictor in enumerate(predictors if isinstance(predictors, list) else []):
        specs = predictor.get("componentSpecs") if isinstance(predictor, dict) else None
        for j, component in enumerate(specs if isinstance(specs, list) else []):
            if isinstance(component, PosDict):
                yield _seldon_component(resource, predictor, (i, j), component)


def _seldon_component(resource: Resource, predictor: PosDict, at: tuple[int, int], component: PosDict) -> Component:
    path: tuple[PathPart, ...] = ("spec", "predictors", at[0], "componentSpecs", at[1])
    # The most specific `replicas` wins: componentSpec, then predictor, then the deployment's (SeldonIO docs).
    levels = [(component, path), (predictor, path[:3]), (resource.get("spec"), ("spec",))]
    floor = next((_count_bound(node, where, "replicas", 1) for node, where in levels
                  if isinstance(node, dict) and _is_count(node.get("replicas"))), None)  # fmt: skip
    floor = floor or Bound(1, path, "replicas is not set on the componentSpec, predictor or deployment; it defaults to 1")
    scaling = _seldon_autoscaling(component, path, floor)
    name = str(predictor.get("name") or at[0])
    labels = {"seldon-deployment-id": resource.name}
    return Component(f"predictor '{name}'", path, (*path, "spec"), serving=True,
                     scaling=scaling, metadata_path=(*path, "metadata"), labels=labels)  # fmt: skip


def _seldon_autoscaling(component: PosDict, path: tuple[PathPart, ...], floor: Bound) -> Scaling:
    pdb = component.get("pdbSpec") if isinstance(component.get("pdbSpec"), PosDict) else None
    for key, low, high, low_default in (("hpaSpec", "minReplicas", "maxReplicas", 1),
                                        ("kedaSpec", "minReplicaCount", "maxReplicaCount", 0)):  # fmt: skip
        scaler = component.get(key)
        if isinstance(scaler, PosDict):
            low_bound = _count_bound(scaler, (*path, key), low, low_default)
            high_bound = _count_bound(scaler, (*path, key), high, UNBOUNDED if key == "kedaSpec" else low_bound.value)
            return Scaling(low_bound, scaler, high_bound, pdb)
    return Scaling(floor, None, None, pdb)


def _server(resource: Resource, lookup: Lookup) -> Iterator[Component]:
    floor = _count_bound(resource.get("spec"), ("spec",), "replicas", 1)
    scaling = Scaling(floor)  # a Server autoscales through an HPA that targets it (joined like a Deployment)
    own = resource.get("spec", "podSpec")
    name = resource.get("spec", "serverConfig")
    config = lookup(resource, "ServerConfig", name) if isinstance(name, str) else None
    base = config.get("spec", "podSpec") if config is not None else None
    common: dict[str, Any] = {"serving": True, "scaling": scaling, "labels": {"seldon-server-name": resource.name},
                              "strategy_path": ("spec", "deploymentStrategy", "type")}  # fmt: skip
    if isinstance(base, PosDict) and isinstance(own, PosDict) and config is not None:
        spec = resource.doc["spec"]
        merged = merge_over(base, own, anchor=spec.key_pos.get("podSpec", own.pos))
        # The Server as the operator sees it: the merged pod spec in place of its own, positions in its file.
        seen = replace(resource, doc=_with(resource.doc, "spec", _with(spec, "podSpec", merged)))
        yield Component("", ("spec", "podSpec"), ("spec", "podSpec"), template_from=seen,
                        container_where=f"spec.podSpec merged over ServerConfig '{config.name}'", **common)  # fmt: skip
    elif isinstance(base, PosDict) and config is not None:
        yield Component("", ("spec",), ("spec", "podSpec"), template_from=config,
                        container_where=f"ServerConfig '{config.name}'", **common)  # fmt: skip
    else:  # the ServerConfig is the operator's (mlserver, triton) or missing: its containers are not in the project
        yield Component("", ("spec",), ("spec", "podSpec"), partial=True, **common)


def _with(node: PosDict, key: str, value: Any) -> PosDict:
    """A shallow copy of `node` with `key` set to `value`, positions kept."""
    copy = PosDict(node.pos)
    copy.update(node)
    copy.key_pos, copy.value_pos, copy.source = dict(node.key_pos), dict(node.value_pos), dict(node.source)
    copy[key] = value
    return copy


def merge_over(base: Any, override: Any, anchor: tuple[int, int]) -> Any:
    """`override` merged over `base` as the Seldon operator does (maps deep, lists appended, containers by name).
    Everything only `base` holds is placed at `anchor`, so a finding lands in the overriding document."""
    if isinstance(base, PosDict) and isinstance(override, PosDict):
        merged = PosDict(override.pos)
        for key in base:
            merged[key] = _merged_value(key, base[key], override[key], anchor) if key in override else _at(base[key], anchor)
            merged.key_pos[key] = override.key_pos.get(key, anchor)
        for key in override:
            if key not in base:
                merged[key] = override[key]
                merged.key_pos[key] = override.key_pos.get(key, override.pos)
        return merged
    if isinstance(base, PosList) and isinstance(override, PosList):
        return _joined([(_at(item, anchor), anchor) for item in base], _positioned(override), override.pos)
    return override


def _merged_value(key: Any, base: Any, override: Any, anchor: tuple[int, int]) -> Any:
    if key in ("containers", "initContainers") and isinstance(base, PosList) and isinstance(override, PosList):
        return _containers(base, override, anchor)
    return merge_over(base, override, anchor)


def _containers(base: PosList, override: PosList, anchor: tuple[int, int]) -> PosList:
    """Seldon's MergeContainers: a same-named container merged (at the override's place), new ones appended."""
    names = {item.get("name"): (item, pos) for item, pos in _positioned(override) if isinstance(item, dict)}
    items = []
    for item in base:
        name = item.get("name") if isinstance(item, dict) else None
        if name in names:
            items.append((merge_over(item, names[name][0], anchor), names[name][1]))
        else:
            items.append((_at(item, anchor), anchor))
    known = {item.get("name") for item in base if isinstance(item, dict)}
    extra = [(i, p) for i, p in _positioned(override) if not (isinstance(i, dict) and i.get("name") in known)]
    return _joined(items, extra, override.pos)


def _positioned(items: PosList) -> list[tuple[Any, tuple[int, int]]]:
    return list(zip(items, items.item_pos))


def _joined(first: list[tuple[Any, Any]], second: list[tuple[Any, Any]], pos: tuple[int, int]) -> PosList:
    joined = PosList(pos)
    for item, where in (*first, *second):
        joined.append(item)
        joined.item_pos.append(where)
    return joined


def _at(node: Any, anchor: tuple[int, int]) -> Any:
    """A copy of `node` with every position at `anchor`."""
    if isinstance(node, PosDict):
        copy = PosDict(anchor)
        for key, value in node.items():
            copy[key] = _at(value, anchor)
            copy.key_pos[key] = anchor
        return copy
    if isinstance(node, PosList):
        items = PosList(anchor)
        items += [_at(item, anchor) for item in node]
        items.item_pos = [anchor] * len(node)
        return items
    return node


# --- KubeRay ------------------------------------------------------------------------------------------


def _ray_service(resource: Resource, _: Lookup) -> Iterator[Component]:
    yield from _ray_groups(resource, ("spec", "rayClusterConfig"), serving=True)


def _ray_cluster(resource: Resource, _: Lookup) -> Iterator[Component]:
    yield from _ray_groups(resource, ("spec",), serving=False)


def _ray_groups(resource: Resource, cluster: tuple[PathPart, ...], serving: bool) -> Iterator[Component]:
    autoscaling = resource.get(*cluster, "enableInTreeAutoscaling") is True
    cluster_labels = {} if serving else {"ray.io/cluster": resource.name}  # a RayService names its cluster itself
    head = (*cluster, "headGroupSpec")
    if isinstance(resource.get(*head), PosDict):
        labels = {**cluster_labels, "ray.io/node-type": "head", "ray.io/group": "headgroup"}
        yield Component("head group", head, (*head, "template", "spec"), serving=False,
                        metadata_path=(*head, "template", "metadata"), labels=labels, injected=RAY_PROBES)  # fmt: skip
    groups = resource.get(*cluster, "workerGroupSpecs")
    for i, group in enumerate(groups if isinstance(groups, list) else []):
        if isinstance(group, PosDict):
            path = (*cluster, "workerGroupSpecs", i)
            name = str(group.get("groupName") or i)
            labels = {**cluster_labels, "ray.io/node-type": "worker", "ray.io/group": name}
            scaling = _ray_scaling(resource, group, path, autoscaling) if serving else None
            yield Component(f"worker group '{name}'", path, (*path, "template", "spec"), serving=serving,
                            scaling=scaling, metadata_path=(*path, "template", "metadata"), labels=labels,
                            injected=RAY_PROBES)  # fmt: skip


def _ray_scaling(resource: Resource, group: PosDict, path: tuple[PathPart, ...], autoscaling: bool) -> Scaling:
    low = _count_bound(group, path, "minReplicas", 0)
    high = _count_bound(group, path, "maxReplicas", UNBOUNDED)
    if autoscaling:
        return Scaling(low, resource.doc, high)
    fixed = _count_bound(group, path, "replicas", 0)  # KubeRay keeps replicas within [minReplicas, maxReplicas]
    return Scaling(fixed if fixed.value >= low.value else low)


# --- Knative ------------------------------------------------------------------------------------------

_MIN_SCALE = ("autoscaling.knative.dev/min-scale", "autoscaling.knative.dev/minScale")
_MAX_SCALE = ("autoscaling.knative.dev/max-scale", "autoscaling.knative.dev/maxScale")


def _knative_service(resource: Resource, _: Lookup) -> Iterator[Component]:
    template = resource.get("spec", "template")
    if not isinstance(template, PosDict):
        return
    annotations = template.get("metadata", {}).get("annotations") if isinstance(template.get("metadata"), dict) else None
    annotations = annotations if isinstance(annotations, PosDict) else PosDict()
    where: tuple[PathPart, ...] = ("spec", "template", "metadata", "annotations")
    floor = _annotation_bound(annotations, where, _MIN_SCALE, 0, "Knative scales to zero")
    ceiling = _annotation_bound(annotations, where, _MAX_SCALE, 0, "Knative sets no maximum")
    ceiling = Bound(UNBOUNDED, ceiling.path, ceiling.explanation) if ceiling.value == 0 else ceiling
    labels = {"serving.knative.dev/service": resource.name}
    yield Component("revision template", ("spec", "template"), ("spec", "template", "spec"), serving=True,
                    scaling=Scaling(floor, template, ceiling), metadata_path=("spec", "template", "metadata"),
                    labels=labels, container_name="user-container")  # fmt: skip


def _annotation_bound(annotations: PosDict, where: tuple[PathPart, ...], keys: tuple[str, ...], default: int,
                      unset: str) -> Bound:  # fmt: skip
    for key in keys:
        raw = annotations.get(key)
        if raw is not None:
            text = str(raw).strip()
            value = int(text) if text.isdigit() else default
            return Bound(value, (*where, key), f"annotation {key} is {raw!r}")
    return Bound(default, where, f"annotation {keys[0]} is not set; it defaults to {default} ({unset})")


# --- shared -------------------------------------------------------------------------------------------


def _is_count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _count_bound(node: Any, path: tuple[PathPart, ...], key: str, default: int) -> Bound:
    value = node.get(key) if isinstance(node, dict) else None
    if _is_count(value):
        return Bound(value, (*path, key), f"{format_path((*path, key))} is {value}")
    return Bound(default, path, f"{format_path((*path, key))} is not set; it defaults to {default}")


_READERS: dict[tuple[str, str], Callable[[Resource, Lookup], Iterator[Component]]] = {
    **{(group, "InferenceService"): _inference_service for group in KSERVE_GROUPS},
    **{(group, kind): _serving_runtime for group in KSERVE_GROUPS for kind in ("ServingRuntime", "ClusterServingRuntime")},
    ("machinelearning.seldon.io", "SeldonDeployment"): _seldon_deployment,
    ("mlops.seldon.io", "Server"): _server,
    ("ray.io", "RayService"): _ray_service,
    ("ray.io", "RayCluster"): _ray_cluster,
    ("serving.knative.dev", "Service"): _knative_service,
}
