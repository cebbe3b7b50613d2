"""Kubernetes API objects of the simulation, as `kubectl get ... -A -o json` prints them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import numpy as np

from fleetscope.demo.cluster import _image_at, _labels
from fleetscope.demo.model import (
    DAEMONSETS,
    Node,
    Pod,
    Simulation,
    Unit,
    quantity_memory,
    resources,
    volume_handle,
)

REVISION = "deployment.kubernetes.io/revision"
HISTORY_LIMIT = 3  # spec.revisionHistoryLimit of the demo's Deployments


class Clock:
    """Hours from the window start to RFC 3339 timestamps."""

    def __init__(self, start: datetime) -> None:
        self.start = start

    def at(self, hours: float) -> datetime:
        return self.start + timedelta(seconds=round(hours * 3600))

    def iso(self, hours: float) -> str:
        return f"{self.at(hours):%Y-%m-%dT%H:%M:%SZ}"


def _meta(name: str, namespace: str | None, uid: str, created: str,
          labels: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["uid"] = uid
    meta["creationTimestamp"] = created
    if labels:
        meta["labels"] = labels
    meta.update(extra)
    return meta


def _owner(kind: str, name: str, uid: str, api: str = "apps/v1") -> list[dict[str, Any]]:
    return [{"apiVersion": api, "kind": kind, "name": name, "uid": uid, "controller": True,
             "blockOwnerDeletion": True}]


def node_object(node: Node, clock: Clock) -> dict[str, Any]:
    pool = node.pool
    memory_ki = pool.memory_gib * 1024 * 1024 - 520_000  # what the kubelet reports, a bit less
    capacity = {"cpu": str(pool.cpus), "memory": f"{memory_ki}Ki", "pods": "110",
                "ephemeral-storage": "104845292Ki"}
    allocatable = {"cpu": f"{pool.cpus * 1000 - 90}m",
                   "memory": f"{memory_ki - 1_500_000}Ki", "pods": "110",
                   "ephemeral-storage": "95551679124"}
    if pool.gpus:
        capacity["nvidia.com/gpu"] = allocatable["nvidia.com/gpu"] = str(pool.gpus)
    capacity_type = "spot" if pool.spot else "on-demand"
    labels = {"kubernetes.io/hostname": node.name, "kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64",
              "node.kubernetes.io/instance-type": pool.instance_type,
              "topology.kubernetes.io/zone": node.zone,
              "topology.kubernetes.io/region": node.zone[:-1],
              "karpenter.sh/nodepool": pool.name, "karpenter.sh/capacity-type": capacity_type}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": _meta(node.name, None, node.uid, clock.iso(node.created), labels),
            "spec": {"providerID": node.provider_id},
            "status": {"capacity": capacity, "allocatable": allocatable,
                       "nodeInfo": {"kubeletVersion": "v1.31.4-eks-aeac579",
                                    "containerRuntimeVersion": "containerd://1.7.23"}}}


def pod_object(pod: Pod, clock: Clock, image: str | None = None) -> dict[str, Any]:
    containers = []
    for i, c in enumerate(pod.containers):
        spec: dict[str, Any] = {"name": c.name, "image": image if image and i == 0 else c.image}
        res = resources(c)
        spec["resources"] = res
        containers.append(spec)
    owner_api = "batch/v1" if pod.owner_kind == "Job" else "apps/v1"
    created = clock.iso(pod.start)
    assert pod.node is not None
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": _meta(pod.name, pod.namespace, pod.uid, created, pod.labels,
                              ownerReferences=_owner(pod.owner_kind, pod.owner_name,
                                                     pod.owner_uid, owner_api)),
            "spec": {"nodeName": pod.node.name, "containers": containers,
                     "restartPolicy": "OnFailure" if pod.owner_kind == "Job" else "Always"},
            "status": {"phase": "Running", "startTime": created, "qosClass": _qos(pod)}}


def _qos(pod: Pod) -> str:
    if all(c.cpu_request is None and c.memory_request is None for c in pod.containers):
        return "BestEffort"
    return "Burstable"


def _template(unit: Unit, image: str, extra_labels: dict[str, str]) -> dict[str, Any]:
    pod = unit_pod_spec(unit, image)
    return {"metadata": {"labels": {**_labels(unit.app), **extra_labels}}, "spec": pod}


def unit_pod_spec(unit: Unit, image: str) -> dict[str, Any]:
    from fleetscope.demo.cluster import _containers

    containers = [{"name": c.name, "image": c.image, "resources": resources(c)}
                  for c in _containers(unit.app, image)]
    return {"containers": containers}


class _Shape(NamedTuple):
    """What every object of one workload at one hour shares."""

    unit: Unit
    clock: Clock
    replicas: int
    image: str
    labels: dict[str, str]
    created: str
    selector: dict[str, Any]


def workload_objects(unit: Unit, at: float, clock: Clock, pods: list[Pod]) -> list[dict]:
    """The objects of one workload at hour `at` (the Deployment and its ReplicaSets, ...)."""
    app = unit.app
    shape = _Shape(unit, clock, replicas=1 if unit.cluster == "staging-eu" else app.replicas,
                   image=_image_at(unit.images, at), labels=_labels(app),
                   created=clock.iso(unit.start if unit.start > -1e8 else -24.0 * 400),
                   selector={"matchLabels": {"app.kubernetes.io/name": app.k8s_name}})
    if app.kind in ("Deployment", "GPU"):
        return _deployment_objects(shape, at)
    if app.kind == "StatefulSet":
        return _statefulset_objects(shape)
    return _cronjob_objects(shape, at, pods)


def _deployment_objects(shape: _Shape, at: float) -> list[dict]:
    """The Deployment with its current ReplicaSet and the last HISTORY_LIMIT old ones."""
    unit, clock, replicas, labels = shape.unit, shape.clock, shape.replicas, shape.labels
    app, ns = unit.app, unit.app.namespace
    events = [e for e in unit.rs_events if e.at <= at]
    latest: dict[str, Any] = {}
    for e in events:
        latest[e.name] = e
    current = events[-1]
    ordered = sorted(latest.values(), key=lambda e: -e.revision)
    kept = [current, *[e for e in ordered if e.name != current.name][:HISTORY_LIMIT]]
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": _meta(app.k8s_name, ns, unit.uid, shape.created, labels,
                                    annotations={REVISION: str(current.revision)},
                                    generation=current.revision),
                  "spec": {"replicas": replicas, "revisionHistoryLimit": HISTORY_LIMIT,
                           "selector": shape.selector,
                           "template": _template(unit, shape.image, {})},
                  "status": {"replicas": replicas, "readyReplicas": replicas,
                             "updatedReplicas": replicas}}
    out = [deployment]
    for e in kept:
        pod_hash = e.name.rsplit("-", 1)[1]
        rs_replicas = replicas if e is current else 0
        out.append({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": _meta(e.name, ns, unit.rs_uids[e.name], clock.iso(e.created),
                                      {**labels, "pod-template-hash": pod_hash},
                                      annotations={REVISION: str(e.revision)},
                                      ownerReferences=_owner("Deployment", app.k8s_name,
                                                             unit.uid)),
                    "spec": {"replicas": rs_replicas,
                             "template": _template(unit, e.image,
                                                   {"pod-template-hash": pod_hash})},
                    "status": {"replicas": rs_replicas}})
    return out


def _statefulset_objects(shape: _Shape) -> list[dict]:
    """The StatefulSet with a bound claim and volume per replica."""
    unit, replicas, labels, created = shape.unit, shape.replicas, shape.labels, shape.created
    app, ns = unit.app, unit.app.namespace
    size = max(20, round((app.memory_request or 2**30) / 2**30 * 10))
    out = [{"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": _meta(app.k8s_name, ns, unit.uid, created, labels),
            "spec": {"replicas": replicas, "serviceName": app.k8s_name,
                     "selector": shape.selector, "template": _template(unit, shape.image, {}),
                     "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                         "accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                         "resources": {"requests": {"storage": f"{size}Gi"}}}}]},
            "status": {"replicas": replicas, "readyReplicas": replicas}}]
    for r in range(replicas):
        claim = f"data-{app.k8s_name}-{r}"
        volume = f"pvc-{unit.uid[:-4]}{r:04d}"
        storage = quantity_memory(size * 2**30)
        out.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": _meta(claim, ns, f"{unit.uid[:-4]}{r:04d}", created, labels),
                    "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                             "volumeName": volume,
                             "resources": {"requests": {"storage": storage}}},
                    "status": {"phase": "Bound", "capacity": {"storage": storage}}})
        out.append({"apiVersion": "v1", "kind": "PersistentVolume",
                    "metadata": _meta(volume, None, f"{unit.uid[:-5]}p{r:04d}", created),
                    "spec": {"capacity": {"storage": storage}, "storageClassName": "gp3",
                             "csi": {"driver": "ebs.csi.aws.com",
                                     "volumeHandle": volume_handle(volume)},
                             "accessModes": ["ReadWriteOnce"],
                             "persistentVolumeReclaimPolicy": "Delete",
                             "claimRef": {"kind": "PersistentVolumeClaim", "namespace": ns,
                                          "name": claim}},
                    "status": {"phase": "Bound"}})
    return out


def _cronjob_objects(shape: _Shape, at: float, pods: list[Pod]) -> list[dict]:
    """The CronJob with the Jobs it keeps (successfulJobsHistoryLimit 3)."""
    unit, labels = shape.unit, shape.labels
    app, ns = unit.app, unit.app.namespace
    out = [{"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": _meta(app.k8s_name, ns, unit.uid, shape.created, labels),
            "spec": {"schedule": "0 23 * * *", "successfulJobsHistoryLimit": 3,
                     "jobTemplate": {"spec": {"template": _template(unit, shape.image, {})}}}}]
    runs = [p for p in pods if p.start <= at][-3:]
    for pod in runs:
        done = pod.end <= at
        out.append({"apiVersion": "batch/v1", "kind": "Job",
                    "metadata": _meta(pod.owner_name, ns, pod.owner_uid,
                                      shape.clock.iso(pod.start),
                                      {**labels, "job-name": pod.owner_name},
                                      ownerReferences=_owner("CronJob", app.k8s_name, unit.uid,
                                                             "batch/v1")),
                    "spec": {"completions": 1, "parallelism": 1},
                    "status": {"succeeded": 1} if done else {"active": 1}})
    return out


class SnapshotWriter:
    """Builds the List of one cluster at a given hour, reusing per-pod objects across days."""

    def __init__(self, sim: Simulation, cluster: str, clock: Clock) -> None:
        self.sim = sim
        self.cluster = cluster
        self.clock = clock
        self.pods = sim.pods[cluster]
        self.starts = np.array([p.start for p in self.pods])
        self.ends = np.array([p.end for p in self.pods])
        self._pod_cache: dict[int, dict[str, Any]] = {}
        self._node_cache: dict[str, dict[str, Any]] = {}
        self._unit_pods: dict[str, list[Pod]] = {}
        self._ds_uids: dict[str, str] = {}
        self._workload_cache: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        for pod in self.pods:
            if pod.owner_kind == "Job" and pod.app is not None:
                self._unit_pods.setdefault(pod.app.app_id, []).append(pod)
        ns_created = clock.iso(-24.0 * 900)
        self.namespaces: list[dict[str, Any]] = [
            {"apiVersion": "v1", "kind": "Namespace",
             "metadata": _meta(name, None, str(uuid.UUID(int=hash_text(cluster + name))),
                               ns_created, labels)}
            for name, labels in sim.namespaces[cluster]]

    def items(self, at: float) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for node in self.sim.nodes[self.cluster]:
            if node.created <= at:
                if node.name not in self._node_cache:
                    self._node_cache[node.name] = node_object(node, self.clock)
                items.append(self._node_cache[node.name])
        items.extend(self.namespaces)
        ds_created = self.clock.iso(-24.0 * 800)
        for name, namespace, _image, _cpu, _memory in DAEMONSETS:
            items.append({"apiVersion": "apps/v1", "kind": "DaemonSet",
                          "metadata": _meta(name, namespace, self._ds_uid(name), ds_created,
                                            {"app.kubernetes.io/name": name,
                                             "team": "platform"})})
        for unit in self.sim.units[self.cluster]:
            if unit.start <= at < unit.end:
                items.extend(self._workload(unit, at))
        alive = np.nonzero((self.starts <= at) & (at < self.ends))[0]
        for index in alive.tolist():
            pod = self.pods[index]
            if pod.owner_kind == "StatefulSet":
                assert pod.app is not None
                units = [u for u in self.sim.units[self.cluster] if u.app is pod.app]
                items.append(pod_object(pod, self.clock, _image_at(units[0].images, at)))
                continue
            cached = self._pod_cache.get(index)
            if cached is None:
                cached = self._pod_cache[index] = pod_object(pod, self.clock)
            items.append(cached)
        return items

    def _workload(self, unit: Unit, at: float) -> list[dict[str, Any]]:
        """Objects of a workload, reused while nothing about it changed (no deploy)."""
        if unit.app.kind == "CronJob":  # its Jobs change every day
            return workload_objects(unit, at, self.clock,
                                    self._unit_pods.get(unit.app.app_id, []))
        key = (unit.uid, _image_at(unit.images, at),
               sum(1 for e in unit.rs_events if e.at <= at))
        cached = self._workload_cache.get(key)
        if cached is None:
            cached = self._workload_cache[key] = workload_objects(unit, at, self.clock, [])
        return cached

    def _ds_uid(self, name: str) -> str:
        if not self._ds_uids:
            self._ds_uids = {p.owner_name: p.owner_uid for p in self.pods
                             if p.owner_kind == "DaemonSet"}
        return self._ds_uids.get(name, "00000000-0000-4000-8000-000000000000")

    def document(self, at: float) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "List", "items": self.items(at),
                "metadata": {"resourceVersion": ""}}


def hash_text(text: str) -> int:
    """A stable hash (Python's `hash` changes between runs)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big")
