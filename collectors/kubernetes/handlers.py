"""Row handlers: one function per kind family, filling the raw_k8s_* columns from one object.

Each handler gets the `SnapshotBuilder` (its columns, quantity and timestamp parsers, and the
owner maps that `build()` resolves workloads with) and one API object as plain dicts; bad fields
raise InputError naming the object (`where`) and the field. `kinds.KINDS` says which handler
reads which kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from fleetscope.collectors.node_facts import INSTANCE_TYPE_LABELS, is_spot_node
from fleetscope.errors import InputError

if TYPE_CHECKING:
    from fleetscope.collectors.kubernetes.rows import SnapshotBuilder

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
# raw_k8s_pods columns of the pod-level spec.resources, in (requests, limits) x (cpu, memory) order
POD_LEVEL_COLUMNS = (
    "pod_cpu_request_cores",
    "pod_memory_request_bytes",
    "pod_cpu_limit_cores",
    "pod_memory_limit_bytes",
)

_EMPTY: Mapping[str, Any] = {}


def _json(value: Any, where: str, field: str) -> str:
    """Labels and annotations as JSON text with sorted keys (stable across snapshots)."""
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        raise InputError(
            f"{where}: {field}: expected an object of strings, got {type(value).__name__}"
        )
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _metadata(
    b: SnapshotBuilder, cols: dict[str, list[Any]], meta: dict, where: str, *columns: str
) -> None:
    """The metadata columns a table keeps: labels, annotations (JSON text), created_at."""
    for column in columns:
        if column == "created_at":
            cols[column].append(
                b.timestamp(meta.get("creationTimestamp"), where, "metadata.creationTimestamp")
            )
        else:
            cols[column].append(_json(meta.get(column), where, f"metadata.{column}"))


def _check_integer(value: Any, where: str, field: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InputError(f"{where}: {field}: expected an integer, got {value!r}")


def _controller(refs: Any) -> Mapping[str, Any] | None:
    """The controlling owner reference (`controller: true`), else the first one."""
    if not refs:
        return None
    for ref in refs:
        if ref.get("controller"):
            return ref
    return refs[0]


def node_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: Any, where: str
) -> None:
    cols = b.columns["raw_k8s_nodes"]
    labels = meta.get("labels") or _EMPTY
    labels_json = _json(labels, where, "metadata.labels")  # checks the type before use
    status = item.get("status") or _EMPTY
    capacity = status.get("capacity") or _EMPTY
    allocatable = status.get("allocatable") or _EMPTY
    instance_type = next((labels[k] for k in INSTANCE_TYPE_LABELS if labels.get(k)), None)
    is_spot = is_spot_node(labels)
    gpus = 0.0
    for key, value in capacity.items():
        if key.endswith("/gpu"):
            gpus += b.quantity(value, where, f"status.capacity.{key}") or 0.0
    cols["node_name"].append(name)
    cols["instance_type"].append(instance_type)
    cols["provider_id"].append((item.get("spec") or _EMPTY).get("providerID"))
    cols["is_spot"].append(is_spot)
    cols["cpu_capacity_cores"].append(b.quantity(capacity.get("cpu"), where, "status.capacity.cpu"))
    cols["memory_capacity_bytes"].append(
        b.quantity(capacity.get("memory"), where, "status.capacity.memory")
    )
    cols["gpu_capacity"].append(gpus)
    cols["cpu_allocatable_cores"].append(
        b.quantity(allocatable.get("cpu"), where, "status.allocatable.cpu")
    )
    cols["memory_allocatable_bytes"].append(
        b.quantity(allocatable.get("memory"), where, "status.allocatable.memory")
    )
    cols["labels"].append(labels_json)
    _metadata(b, cols, meta, where, "created_at")


def namespace_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: Any, where: str
) -> None:
    cols = b.columns["raw_k8s_namespaces"]
    cols["namespace"].append(name)
    _metadata(b, cols, meta, where, "labels", "annotations", "created_at")


def pod_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: str, where: str
) -> None:
    spec = item.get("spec") or _EMPTY
    running = [(f"spec.containers[{i}]", c) for i, c in enumerate(spec.get("containers") or ())]
    # Native sidecars (init containers with restartPolicy Always) run, and hold their
    # requests, for the pod's whole life; ordinary init containers finish before it starts.
    for i, init in enumerate(spec.get("initContainers") or ()):
        if init.get("restartPolicy") == "Always":
            running.append((f"spec.initContainers[{i}]", init))
    requested = [
        _container_row(b, container, ns, name, where, f"{position}.resources")
        for position, container in running
    ]
    _pod_level_row(b, spec.get("resources"), requested, where)
    labels = meta.get("labels") or _EMPTY
    owner = _controller(meta.get("ownerReferences")) or _EMPTY
    cols = b.columns["raw_k8s_pods"]
    cols["namespace"].append(ns)
    cols["pod_name"].append(name)
    cols["pod_uid"].append(meta.get("uid"))
    cols["node_name"].append(spec.get("nodeName"))
    cols["phase"].append((item.get("status") or _EMPTY).get("phase"))
    cols["owner_kind"].append(owner.get("kind"))
    cols["owner_name"].append(owner.get("name"))
    _metadata(b, cols, meta, where, "labels", "annotations", "created_at")
    cols["pvc_names"].append(_claim_names(spec.get("volumes"), where))
    b.pod_hash.append(labels.get("pod-template-hash"))


def _claim_names(volumes: Any, where: str) -> str:
    """The claims a pod mounts (`spec.volumes[].persistentVolumeClaim.claimName`), as a sorted
    JSON list of distinct names ("[]" for none): a volume's cost follows the pods mounting its
    claim. A pod can only mount claims of its own namespace, so names alone identify them."""
    if volumes is None:
        return "[]"
    if not isinstance(volumes, list):
        raise InputError(f"{where}: spec.volumes: expected a list, got {type(volumes).__name__}")
    names = set()
    for i, volume in enumerate(volumes):
        claim = (volume or _EMPTY).get("persistentVolumeClaim")
        if claim is None:
            continue  # emptyDir, configMap, secret, projected... cost nothing here
        name = claim.get("claimName") if isinstance(claim, dict) else None
        if not isinstance(name, str) or not name:
            raise InputError(
                f"{where}: spec.volumes[{i}].persistentVolumeClaim.claimName: expected a "
                f"claim name, got {name!r}"
            )
        names.add(name)
    return orjson.dumps(sorted(names)).decode()


def _pod_level_row(
    b: SnapshotBuilder,
    resources: Any,
    requested: list[tuple[float | None, float | None]],
    where: str,
) -> None:
    """The pod-level `spec.resources` (PodLevelResources, Kubernetes 1.32+): NULL where unset.

    Where set, the scheduler takes a pod-level request as the pod's request for that resource,
    in place of its containers' sum (KEP-2837, "Scheduler Changes"). As the API server does, a
    missing pod-level request defaults to the pod-level limit when no container requests that
    resource; when containers do, the request is their sum, which stg_k8s_pods computes anyway.
    """
    cols = b.columns["raw_k8s_pods"]
    if resources is None:
        for column in POD_LEVEL_COLUMNS:
            cols[column].append(None)
        return
    if not isinstance(resources, dict):
        raise InputError(
            f"{where}: spec.resources: expected an object with requests and "
            f"limits, got {type(resources).__name__}"
        )
    parts = {}
    for part in ("requests", "limits"):
        found = resources.get(part) or _EMPTY
        if not isinstance(found, dict):
            raise InputError(
                f"{where}: spec.resources.{part}: expected an object of "
                f"quantities, got {type(found).__name__}"
            )
        parts[part] = [
            b.quantity(found.get(resource), where, f"spec.resources.{part}.{resource}")
            for resource in ("cpu", "memory")
        ]
    requests, limits = parts["requests"], parts["limits"]
    for i in range(2):  # cpu, memory
        if requests[i] is None and all(container[i] is None for container in requested):
            requests[i] = limits[i]
    for column, value in zip(POD_LEVEL_COLUMNS, requests + limits, strict=True):
        cols[column].append(value)


def _container_row(
    b: SnapshotBuilder, container: dict, ns: str, pod: str, where: str, path: str
) -> tuple[float | None, float | None]:
    """Append a container's row; its (cpu, memory) requests, after defaulting to limits."""
    quantity = b.quantity
    resources = container.get("resources") or _EMPTY
    requests = resources.get("requests") or _EMPTY
    limits = resources.get("limits") or _EMPTY
    cpu_limit = quantity(limits.get("cpu"), where, f"{path}.limits.cpu")
    memory_limit = quantity(limits.get("memory"), where, f"{path}.limits.memory")
    # The API server defaults a missing request to the limit; do the same for
    # hand-written Lists so both sources agree.
    cpu_request = quantity(requests.get("cpu"), where, f"{path}.requests.cpu")
    if cpu_request is None:
        cpu_request = cpu_limit
    memory_request = quantity(requests.get("memory"), where, f"{path}.requests.memory")
    if memory_request is None:
        memory_request = memory_limit
    gpus = 0.0
    for source, label in ((requests, "requests"), (limits, "limits")):
        for key, value in source.items():
            if key.endswith("/gpu"):
                gpus += quantity(value, where, f"{path}.{label}.{key}") or 0.0
        if gpus:
            break  # extended resources: request equals limit, count it once
    cols = b.columns["raw_k8s_containers"]
    for column, value in (
        ("namespace", ns),
        ("pod_name", pod),
        ("container_name", container["name"]),
        ("image", container.get("image")),
        ("cpu_request_cores", cpu_request),
        ("memory_request_bytes", memory_request),
        ("gpu_request", gpus),
        ("cpu_limit_cores", cpu_limit),
        ("memory_limit_bytes", memory_limit),
    ):
        cols[column].append(value)
    return cpu_request, memory_request


def workload_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: str, where: str
) -> None:
    spec = item.get("spec") or _EMPTY
    owner = _controller(meta.get("ownerReferences")) or _EMPTY
    if kind == "DaemonSet":  # no spec.replicas: the scheduler decides
        replicas = (item.get("status") or _EMPTY).get("desiredNumberScheduled")
    elif kind in ("Deployment", "StatefulSet"):
        replicas = spec.get("replicas")
    else:
        replicas = None
    _check_integer(replicas, where, "replicas")
    if kind == "Job":
        b.job_cronjob[(ns, name)] = owner.get("name") if owner.get("kind") == "CronJob" else None
    cols = b.columns["raw_k8s_workloads"]
    cols["namespace"].append(ns)
    cols["workload_kind"].append(kind)
    cols["workload_name"].append(name)
    cols["uid"].append(meta.get("uid"))
    cols["owner_kind"].append(owner.get("kind"))
    cols["owner_name"].append(owner.get("name"))
    cols["replicas"].append(replicas)
    _metadata(b, cols, meta, where, "labels", "annotations", "created_at")


def replicaset_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: str, where: str
) -> None:
    owner = _controller(meta.get("ownerReferences")) or _EMPTY
    deployment = owner.get("name") if owner.get("kind") == "Deployment" else None
    b.rs_deployment[(ns, name)] = deployment
    revision_text = (meta.get("annotations") or _EMPTY).get(REVISION_ANNOTATION)
    revision = None
    if revision_text is not None:
        try:
            revision = int(revision_text)
        except (TypeError, ValueError):
            raise InputError(
                f"{where}: metadata.annotations[{REVISION_ANNOTATION}]: "
                f"expected an integer, got {revision_text!r}"
            ) from None
    spec = item.get("spec") or _EMPTY
    template = (spec.get("template") or _EMPTY).get("spec") or _EMPTY
    images = [c.get("image") for c in template.get("containers") or ()]
    cols = b.columns["raw_k8s_replicasets"]
    cols["namespace"].append(ns)
    cols["replicaset_name"].append(name)
    cols["deployment_name"].append(deployment)
    cols["revision"].append(revision)
    cols["images"].append(orjson.dumps(images).decode())
    replicas = spec.get("replicas")
    _check_integer(replicas, where, "spec.replicas")
    cols["replicas"].append(replicas)
    _metadata(b, cols, meta, where, "labels", "created_at")


def pvc_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: str, where: str
) -> None:
    spec = item.get("spec") or _EMPTY
    requests = (spec.get("resources") or _EMPTY).get("requests") or _EMPTY
    cols = b.columns["raw_k8s_pvcs"]
    cols["namespace"].append(ns)
    cols["pvc_name"].append(name)
    cols["volume_name"].append(spec.get("volumeName"))
    cols["storage_class"].append(spec.get("storageClassName"))
    cols["request_bytes"].append(
        b.quantity(requests.get("storage"), where, "spec.resources.requests.storage")
    )
    _metadata(b, cols, meta, where, "labels")


def pv_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: Any, where: str
) -> None:
    spec = item.get("spec") or _EMPTY
    claim = spec.get("claimRef") or _EMPTY
    cols = b.columns["raw_k8s_pvs"]
    cols["pv_name"].append(name)
    cols["storage_class"].append(spec.get("storageClassName"))
    cols["capacity_bytes"].append(
        b.quantity((spec.get("capacity") or _EMPTY).get("storage"), where, "spec.capacity.storage")
    )
    cols["claim_namespace"].append(claim.get("namespace"))
    cols["claim_name"].append(claim.get("name"))
    cols["volume_handle"].append(volume_handle(spec))


# Where a PersistentVolume names its cloud disk, in the order tried: the CSI driver's handle,
# then the in-tree volume sources. Kept as written (`aws://us-east-1a/vol-0abc` stays whole);
# bill matching (int_billing_resource_keys) takes the `vol-...`, disk name or ARM id from it.
_VOLUME_HANDLES = (
    ("csi", "volumeHandle"),
    ("awsElasticBlockStore", "volumeID"),
    ("gcePersistentDisk", "pdName"),
    ("azureDisk", "diskURI"),
)


def volume_handle(spec: Mapping[str, Any]) -> str | None:
    """The PV's disk id as the cloud bill names it, or None (hostPath, NFS, local...)."""
    for source, key in _VOLUME_HANDLES:
        value = (spec.get(source) or _EMPTY).get(key)
        if value:
            return str(value)
    return None
