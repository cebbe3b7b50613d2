"""Rows of the raw_k8s_* tables from Kubernetes API objects (shared by reader and live collector).

Speed matters (a 100,000-pod cluster must parse in seconds), so objects are read with plain dict
access into one list per column, quantities are parsed once per distinct string, and the frames
are built once at the end. Workload resolution needs every ReplicaSet and Job first, so pods keep
their direct owner until `build()` resolves Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
import pandas as pd

from fleetscope.collectors.quantity import quantity_to_float
from fleetscope.errors import InputError

# Every kind the collector reads; anything else in a List (Services, Events...) is skipped.
KINDS = ("Node", "Namespace", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
         "Job", "CronJob", "PersistentVolumeClaim", "PersistentVolume")
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"})
CLUSTER_SCOPED = frozenset({"Node", "Namespace", "PersistentVolume"})

TABLES: dict[str, tuple[str, ...]] = {
    "raw_k8s_nodes": ("node_name", "instance_type", "provider_id", "is_spot",
                      "cpu_capacity_cores", "memory_capacity_bytes", "gpu_capacity",
                      "cpu_allocatable_cores", "memory_allocatable_bytes", "labels", "created_at"),
    "raw_k8s_namespaces": ("namespace", "labels", "annotations", "created_at"),
    "raw_k8s_pods": ("namespace", "pod_name", "pod_uid", "node_name", "phase", "owner_kind",
                     "owner_name", "workload_kind", "workload_name", "labels", "annotations",
                     "created_at"),
    "raw_k8s_containers": ("namespace", "pod_name", "container_name", "image",
                           "cpu_request_cores", "memory_request_bytes", "gpu_request",
                           "cpu_limit_cores", "memory_limit_bytes"),
    "raw_k8s_workloads": ("namespace", "workload_kind", "workload_name", "uid", "owner_kind",
                          "owner_name", "replicas", "labels", "annotations", "created_at"),
    "raw_k8s_replicasets": ("namespace", "replicaset_name", "deployment_name", "revision",
                            "images", "replicas", "labels", "created_at"),
    "raw_k8s_pvcs": ("namespace", "pvc_name", "volume_name", "storage_class", "request_bytes",
                     "labels"),
    "raw_k8s_pvs": ("pv_name", "storage_class", "capacity_bytes", "claim_namespace",
                    "claim_name"),
}
_INTEGER_COLUMNS = frozenset({"replicas", "revision"})

# Node labels that mark spot / preemptible capacity, compared case-insensitively.
SPOT_LABELS = (("karpenter.sh/capacity-type", "spot"), ("eks.amazonaws.com/capacityType", "spot"),
               ("cloud.google.com/gke-spot", "true"), ("cloud.google.com/gke-preemptible", "true"),
               ("kubernetes.azure.com/scalesetpriority", "spot"))
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"

_EMPTY: Mapping[str, Any] = {}


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a snapshot.

    Decoded objects are acyclic trees freed by reference counting as soon as their rows are
    taken, but millions of short-lived containers keep triggering full GC passes over every live
    object (measured: about half the decode time of a 100k-pod cluster).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _json(value: Any, where: str, field: str) -> str:
    """Labels and annotations as JSON text with sorted keys (stable across snapshots)."""
    if value is None:
        return "{}"
    if not isinstance(value, dict):
        raise InputError(f"{where}: {field}: expected an object of strings, got "
                         f"{type(value).__name__}")
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _controller(refs: Any) -> Mapping[str, Any] | None:
    """The controlling owner reference (`controller: true`), else the first one."""
    if not refs:
        return None
    for ref in refs:
        if ref.get("controller"):
            return ref
    return refs[0]


class SnapshotBuilder:
    """Accumulates API objects of one cluster snapshot and builds the raw_k8s_* DataFrames."""

    def __init__(self) -> None:
        self._columns: dict[str, dict[str, list[Any]]] = {
            table: {c: [] for c in cols} for table, cols in TABLES.items()}
        self._quantities: dict[str, float] = {}
        self._rs_deployment: dict[tuple[str, str], str | None] = {}
        self._job_cronjob: dict[tuple[str, str], str | None] = {}
        self._pod_hash: list[str | None] = []  # pod-template-hash label, per pod row
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)

    # -- checkpoints (a list restarted after 410 Gone must not count its first pages twice) -----

    def mark(self) -> tuple[Any, ...]:
        """A checkpoint to `rollback` to: the length of every column and owner map."""
        lengths = {t: {c: len(v) for c, v in cols.items()} for t, cols in self._columns.items()}
        return (lengths, len(self._pod_hash), len(self._rs_deployment), len(self._job_cronjob),
                dict(self.counts))

    def rollback(self, mark: tuple[Any, ...]) -> None:
        """Forget every object added since `mark`."""
        lengths, pods, replicasets, jobs, counts = mark
        for table, cols in self._columns.items():
            for column, values in cols.items():
                del values[lengths[table][column]:]
        del self._pod_hash[pods:]
        for mapping, keep in ((self._rs_deployment, replicasets), (self._job_cronjob, jobs)):
            for key in list(mapping)[keep:]:  # dicts keep insertion order
                del mapping[key]
        self.counts = dict(counts)

    # -- helpers -------------------------------------------------------------------------------

    def _quantity(self, value: Any, where: str, field: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, str):
            cached = self._quantities.get(value)
            if cached is not None:
                return cached
        parsed = quantity_to_float(value, where=f"{where}: {field}")
        # Requests, limits, capacity and storage sizes are never negative: the API server
        # refuses them, so one here means a hand-edited or corrupted document.
        if parsed is not None and parsed < 0:
            raise InputError(f"{where}: {field}: quantity {value!r} must not be negative")
        if isinstance(value, str):
            self._quantities[value] = parsed  # type: ignore[assignment]
        return parsed

    @staticmethod
    def _timestamp(value: Any, where: str, field: str) -> datetime | None:
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise InputError(f"{where}: {field}: invalid timestamp {value!r} "
                             "(expected RFC 3339 such as 2026-11-20T10:00:00Z)") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed

    # -- adding objects --------------------------------------------------------------------------

    def add(self, kind: str, item: Any, *, where: str) -> bool:
        """Add one API object of `kind`; False (and nothing added) for kinds not collected.

        `where` names the object's position for errors (file and item index, or API path);
        the object's kind/namespace/name and the offending field are appended to it.
        """
        handler = self._HANDLERS.get(kind)
        if handler is None:
            return False
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected an object, got {type(item).__name__}")
        metadata = item.get("metadata")
        if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
            raise InputError(f"{where}: {kind}: metadata.name is missing")
        name = metadata["name"]
        namespace = metadata.get("namespace")
        if kind in CLUSTER_SCOPED:
            label = f"{where}: {kind} {name}"
        else:
            if not isinstance(namespace, str) or not namespace:
                raise InputError(f"{where}: {kind} {name}: metadata.namespace is missing")
            label = f"{where}: {kind} {namespace}/{name}"
        try:
            handler(self, kind, item, metadata, name, namespace, label)
        except InputError:
            raise
        except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
            # A field of the wrong JSON type (a list where an object belongs, ...).
            raise InputError(f"{label}: malformed object ({type(exc).__name__}: {exc})") from None
        self.counts[kind] += 1
        return True

    def _node(self, kind: str, item: dict, meta: dict, name: str, ns: Any, where: str) -> None:
        cols = self._columns["raw_k8s_nodes"]
        labels = meta.get("labels") or _EMPTY
        labels_json = _json(labels, where, "metadata.labels")  # checks the type before use
        status = item.get("status") or _EMPTY
        capacity = status.get("capacity") or _EMPTY
        allocatable = status.get("allocatable") or _EMPTY
        instance_type = next((labels[k] for k in INSTANCE_TYPE_LABELS if labels.get(k)), None)
        is_spot = any(str(labels.get(k, "")).lower() == v for k, v in SPOT_LABELS)
        gpus = 0.0
        for key, value in capacity.items():
            if key.endswith("/gpu"):
                gpus += self._quantity(value, where, f"status.capacity.{key}") or 0.0
        cols["node_name"].append(name)
        cols["instance_type"].append(instance_type)
        cols["provider_id"].append((item.get("spec") or _EMPTY).get("providerID"))
        cols["is_spot"].append(is_spot)
        cols["cpu_capacity_cores"].append(
            self._quantity(capacity.get("cpu"), where, "status.capacity.cpu"))
        cols["memory_capacity_bytes"].append(
            self._quantity(capacity.get("memory"), where, "status.capacity.memory"))
        cols["gpu_capacity"].append(gpus)
        cols["cpu_allocatable_cores"].append(
            self._quantity(allocatable.get("cpu"), where, "status.allocatable.cpu"))
        cols["memory_allocatable_bytes"].append(
            self._quantity(allocatable.get("memory"), where, "status.allocatable.memory"))
        cols["labels"].append(labels_json)
        cols["created_at"].append(
            self._timestamp(meta.get("creationTimestamp"), where, "metadata.creationTimestamp"))

    def _namespace(self, kind: str, item: dict, meta: dict, name: str, ns: Any,
                   where: str) -> None:
        cols = self._columns["raw_k8s_namespaces"]
        cols["namespace"].append(name)
        cols["labels"].append(_json(meta.get("labels"), where, "metadata.labels"))
        cols["annotations"].append(_json(meta.get("annotations"), where, "metadata.annotations"))
        cols["created_at"].append(
            self._timestamp(meta.get("creationTimestamp"), where, "metadata.creationTimestamp"))

    def _pod(self, kind: str, item: dict, meta: dict, name: str, ns: str, where: str) -> None:
        spec = item.get("spec") or _EMPTY
        containers = self._columns["raw_k8s_containers"]
        quantity = self._quantity
        running = [(f"spec.containers[{i}]", c) for i, c in enumerate(spec.get("containers") or ())]
        # Native sidecars (init containers with restartPolicy Always) run, and hold their
        # requests, for the pod's whole life; ordinary init containers finish before it starts.
        for i, init in enumerate(spec.get("initContainers") or ()):
            if init.get("restartPolicy") == "Always":
                running.append((f"spec.initContainers[{i}]", init))
        for position, container in running:
            resources = container.get("resources") or _EMPTY
            requests = resources.get("requests") or _EMPTY
            limits = resources.get("limits") or _EMPTY
            path = f"{position}.resources"
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
            containers["namespace"].append(ns)
            containers["pod_name"].append(name)
            containers["container_name"].append(container["name"])
            containers["image"].append(container.get("image"))
            containers["cpu_request_cores"].append(cpu_request)
            containers["memory_request_bytes"].append(memory_request)
            containers["gpu_request"].append(gpus)
            containers["cpu_limit_cores"].append(cpu_limit)
            containers["memory_limit_bytes"].append(memory_limit)
        labels = meta.get("labels") or _EMPTY
        owner = _controller(meta.get("ownerReferences")) or _EMPTY
        cols = self._columns["raw_k8s_pods"]
        cols["namespace"].append(ns)
        cols["pod_name"].append(name)
        cols["pod_uid"].append(meta.get("uid"))
        cols["node_name"].append(spec.get("nodeName"))
        cols["phase"].append((item.get("status") or _EMPTY).get("phase"))
        cols["owner_kind"].append(owner.get("kind"))
        cols["owner_name"].append(owner.get("name"))
        cols["labels"].append(_json(labels, where, "metadata.labels"))
        cols["annotations"].append(_json(meta.get("annotations"), where, "metadata.annotations"))
        cols["created_at"].append(
            self._timestamp(meta.get("creationTimestamp"), where, "metadata.creationTimestamp"))
        self._pod_hash.append(labels.get("pod-template-hash"))

    def _workload(self, kind: str, item: dict, meta: dict, name: str, ns: str,
                  where: str) -> None:
        spec = item.get("spec") or _EMPTY
        owner = _controller(meta.get("ownerReferences")) or _EMPTY
        if kind == "DaemonSet":  # no spec.replicas: the scheduler decides
            replicas = (item.get("status") or _EMPTY).get("desiredNumberScheduled")
        elif kind in ("Deployment", "StatefulSet"):
            replicas = spec.get("replicas")
        else:
            replicas = None
        if replicas is not None and (isinstance(replicas, bool) or not isinstance(replicas, int)):
            raise InputError(f"{where}: replicas: expected an integer, got {replicas!r}")
        if kind == "Job":
            self._job_cronjob[(ns, name)] = (
                owner.get("name") if owner.get("kind") == "CronJob" else None)
        cols = self._columns["raw_k8s_workloads"]
        cols["namespace"].append(ns)
        cols["workload_kind"].append(kind)
        cols["workload_name"].append(name)
        cols["uid"].append(meta.get("uid"))
        cols["owner_kind"].append(owner.get("kind"))
        cols["owner_name"].append(owner.get("name"))
        cols["replicas"].append(replicas)
        cols["labels"].append(_json(meta.get("labels"), where, "metadata.labels"))
        cols["annotations"].append(_json(meta.get("annotations"), where, "metadata.annotations"))
        cols["created_at"].append(
            self._timestamp(meta.get("creationTimestamp"), where, "metadata.creationTimestamp"))

    def _replicaset(self, kind: str, item: dict, meta: dict, name: str, ns: str,
                    where: str) -> None:
        owner = _controller(meta.get("ownerReferences")) or _EMPTY
        deployment = owner.get("name") if owner.get("kind") == "Deployment" else None
        self._rs_deployment[(ns, name)] = deployment
        revision_text = (meta.get("annotations") or _EMPTY).get(REVISION_ANNOTATION)
        revision = None
        if revision_text is not None:
            try:
                revision = int(revision_text)
            except (TypeError, ValueError):
                raise InputError(f"{where}: metadata.annotations[{REVISION_ANNOTATION}]: "
                                 f"expected an integer, got {revision_text!r}") from None
        spec = item.get("spec") or _EMPTY
        template = (spec.get("template") or _EMPTY).get("spec") or _EMPTY
        images = [c.get("image") for c in template.get("containers") or ()]
        cols = self._columns["raw_k8s_replicasets"]
        cols["namespace"].append(ns)
        cols["replicaset_name"].append(name)
        cols["deployment_name"].append(deployment)
        cols["revision"].append(revision)
        cols["images"].append(orjson.dumps(images).decode())
        replicas = spec.get("replicas")
        if replicas is not None and (isinstance(replicas, bool) or not isinstance(replicas, int)):
            raise InputError(f"{where}: spec.replicas: expected an integer, got {replicas!r}")
        cols["replicas"].append(replicas)
        cols["labels"].append(_json(meta.get("labels"), where, "metadata.labels"))
        cols["created_at"].append(
            self._timestamp(meta.get("creationTimestamp"), where, "metadata.creationTimestamp"))

    def _pvc(self, kind: str, item: dict, meta: dict, name: str, ns: str, where: str) -> None:
        spec = item.get("spec") or _EMPTY
        requests = (spec.get("resources") or _EMPTY).get("requests") or _EMPTY
        cols = self._columns["raw_k8s_pvcs"]
        cols["namespace"].append(ns)
        cols["pvc_name"].append(name)
        cols["volume_name"].append(spec.get("volumeName"))
        cols["storage_class"].append(spec.get("storageClassName"))
        cols["request_bytes"].append(self._quantity(
            requests.get("storage"), where, "spec.resources.requests.storage"))
        cols["labels"].append(_json(meta.get("labels"), where, "metadata.labels"))

    def _pv(self, kind: str, item: dict, meta: dict, name: str, ns: Any, where: str) -> None:
        spec = item.get("spec") or _EMPTY
        claim = spec.get("claimRef") or _EMPTY
        cols = self._columns["raw_k8s_pvs"]
        cols["pv_name"].append(name)
        cols["storage_class"].append(spec.get("storageClassName"))
        cols["capacity_bytes"].append(self._quantity(
            (spec.get("capacity") or _EMPTY).get("storage"), where, "spec.capacity.storage"))
        cols["claim_namespace"].append(claim.get("namespace"))
        cols["claim_name"].append(claim.get("name"))

    _HANDLERS: ClassVar[dict[str, Any]] = {
        "Node": _node, "Namespace": _namespace, "Pod": _pod, "Deployment": _workload,
        "StatefulSet": _workload, "DaemonSet": _workload, "Job": _workload, "CronJob": _workload,
        "ReplicaSet": _replicaset, "PersistentVolumeClaim": _pvc, "PersistentVolume": _pv}

    # -- building ------------------------------------------------------------------------------

    def _resolve_workload(self, namespace: str, pod: str, owner_kind: str | None,
                          owner_name: str | None, template_hash: str | None
                          ) -> tuple[str, str]:
        if owner_kind is None or owner_name is None or owner_kind == "Node":
            return "Pod", pod  # bare pod, or a static pod mirrored by its node
        if owner_kind == "ReplicaSet":
            key = (namespace, owner_name)
            if key in self._rs_deployment:
                deployment = self._rs_deployment[key]
                return ("Deployment", deployment) if deployment else ("ReplicaSet", owner_name)
            # ReplicaSet not in the snapshot: its name is <deployment>-<pod-template-hash>.
            if template_hash and owner_name.endswith(f"-{template_hash}"):
                return "Deployment", owner_name[: -len(template_hash) - 1]
            return "ReplicaSet", owner_name
        if owner_kind == "Job":
            cronjob = self._job_cronjob.get((namespace, owner_name))
            return ("CronJob", cronjob) if cronjob else ("Job", owner_name)
        return owner_kind, owner_name

    def build(self) -> dict[str, pd.DataFrame]:
        """One DataFrame per raw_k8s_* table (empty where nothing was found)."""
        pods = self._columns["raw_k8s_pods"]
        resolved = [self._resolve_workload(*args) for args in zip(
            pods["namespace"], pods["pod_name"], pods["owner_kind"], pods["owner_name"],
            self._pod_hash, strict=True)]
        pods["workload_kind"] = [kind for kind, _ in resolved]
        pods["workload_name"] = [name for _, name in resolved]
        frames = {}
        for table, columns in self._columns.items():
            data: dict[str, Any] = {}
            for column, values in columns.items():
                if column in _INTEGER_COLUMNS:
                    data[column] = pd.array(values, dtype="Int64")
                elif column == "created_at":
                    data[column] = pd.Series(values, dtype="datetime64[us]")
                else:
                    data[column] = values
            frames[table] = pd.DataFrame(data, columns=list(TABLES[table]))
        return frames
