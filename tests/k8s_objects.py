"""Small hand-written Kubernetes objects shaped like `kubectl get -o json` output, for tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

CREATED = "2026-11-20T10:00:00Z"


def meta(name: str, namespace: str | None = None, *, labels: dict | None = None,
         annotations: dict | None = None, owner: tuple[str, str] | None = None,
         uid: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "uid": uid or f"uid-{name}",
                           "creationTimestamp": CREATED}
    if namespace:
        out["namespace"] = namespace
    if labels:
        out["labels"] = labels
    if annotations:
        out["annotations"] = annotations
    if owner:
        api = {"ReplicaSet": "apps/v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1",
               "DaemonSet": "apps/v1", "Job": "batch/v1", "CronJob": "batch/v1"}.get(owner[0], "v1")
        out["ownerReferences"] = [{"apiVersion": api, "kind": owner[0], "name": owner[1],
                                   "uid": f"uid-{owner[1]}", "controller": True}]
    return out


def container(name: str, image: str, requests: dict | None = None,
              limits: dict | None = None) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return {"name": name, "image": image, "resources": resources}


def pod(name: str, namespace: str, containers: list[dict], *, owner: tuple[str, str] | None = None,
        labels: dict | None = None, node: str = "n1") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": meta(name, namespace, labels=labels, owner=owner),
            "spec": {"nodeName": node, "containers": containers},
            "status": {"phase": "Running"}}


def sample_items() -> list[dict[str, Any]]:
    """A payments namespace with every owner chain the reader resolves."""
    ns = "payments"
    small = [container("main", "busybox:1.36", {"cpu": "100m", "memory": "128Mi"})]
    return [
        {"apiVersion": "v1", "kind": "Node",
         "metadata": meta("n1", labels={"node.kubernetes.io/instance-type": "m5.xlarge",
                                        "karpenter.sh/capacity-type": "spot"}),
         "spec": {"providerID": "aws:///eu-west-1a/i-0123"},
         "status": {"capacity": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1",
                                 "pods": "110"},
                    "allocatable": {"cpu": "3920m", "memory": "15Gi"}}},
        {"apiVersion": "v1", "kind": "Node",
         "metadata": meta("n2", labels={"beta.kubernetes.io/instance-type": "c5.large",
                                        "eks.amazonaws.com/capacityType": "ON_DEMAND"}),
         "status": {"capacity": {"cpu": "2", "memory": "4Gi"},
                    "allocatable": {"cpu": "1930m", "memory": "3Gi"}}},
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": meta(ns, labels={"team": "payments"},
                          annotations={"owner": "group:payments"})},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": meta("web", ns, labels={"app": "web", "team": "payments"}),
         "spec": {"replicas": 3}},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet",
         "metadata": meta("web-5d8f7", ns, owner=("Deployment", "web"),
                          labels={"pod-template-hash": "5d8f7"},
                          annotations={"deployment.kubernetes.io/revision": "3"}),
         "spec": {"replicas": 3, "template": {"spec": {"containers": [
             {"name": "app", "image": "web:1.4"}, {"name": "envoy", "image": "envoy:1.30"}]}}}},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet",
         "metadata": meta("web-44b1c", ns, owner=("Deployment", "web"),
                          annotations={"deployment.kubernetes.io/revision": "2"}),
         "spec": {"replicas": 0, "template": {"spec": {"containers": [
             {"name": "app", "image": "web:1.3"}]}}}},
        pod("web-5d8f7-x1", ns, [
            container("app", "web:1.4", {"cpu": "250m", "memory": "512Mi"},
                      {"cpu": "1", "memory": "1Gi"}),
            container("envoy", "envoy:1.30", None, {"cpu": "100m", "memory": "64Mi"})],
            owner=("ReplicaSet", "web-5d8f7"), labels={"app": "web", "pod-template-hash": "5d8f7"}),
        pod("api-7c9f-q2", ns, small, owner=("ReplicaSet", "api-7c9f"),
            labels={"pod-template-hash": "7c9f"}),
        pod("legacy-x", ns, small, owner=("ReplicaSet", "legacy-rs")),
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta("nightly", ns),
         "spec": {"schedule": "0 2 * * *"}},
        {"apiVersion": "batch/v1", "kind": "Job",
         "metadata": meta("nightly-29011", ns, owner=("CronJob", "nightly")),
         "status": {"startTime": "2026-11-20T02:00:00Z", "completionTime": "2026-11-20T02:01:30Z",
                    "succeeded": 1, "conditions": [
                        {"type": "Complete", "status": "True",
                         "lastTransitionTime": "2026-11-20T02:01:30Z"}]}},
        pod("nightly-29011-abc", ns, small, owner=("Job", "nightly-29011")),
        pod("migrate-zz", ns, small, owner=("Job", "migrate")),
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("db", ns),
         "spec": {"replicas": 1}},
        pod("db-0", ns, [container("pg", "postgres:16", {"cpu": "2", "memory": "4Gi",
                                                         "nvidia.com/gpu": "1"},
                                   {"nvidia.com/gpu": "1"})], owner=("StatefulSet", "db"),
            node="n2"),
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta("agent", ns),
         "spec": {}, "status": {"desiredNumberScheduled": 2}},
        pod("agent-k2", ns, small, owner=("DaemonSet", "agent")),
        pod("debug", ns, small),
        {"apiVersion": "v1", "kind": "Service", "metadata": meta("web", ns)},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta("data-db-0", ns),
         "spec": {"volumeName": "pv-1", "storageClassName": "gp3",
                  "resources": {"requests": {"storage": "10Gi"}}}},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta("pv-1"),
         "spec": {"storageClassName": "gp3", "capacity": {"storage": "10Gi"},
                  "claimRef": {"namespace": ns, "name": "data-db-0"}}},
        *velero_items(),
    ]


def velero_items() -> list[dict[str, Any]]:
    """A daily Velero schedule of the payments namespace and one backup it made."""
    return [
        {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": meta("daily", "velero"),
         "spec": {"schedule": "0 1 * * *", "template": {"includedNamespaces": ["payments"]}},
         "status": {"phase": "Enabled", "lastBackup": "2026-11-20T01:00:00Z"}},
        {"apiVersion": "velero.io/v1", "kind": "Backup",
         "metadata": meta("daily-20261120010000", "velero",
                          labels={"velero.io/schedule-name": "daily"}),
         "spec": {"includedNamespaces": ["payments"]},
         "status": {"phase": "Completed", "startTimestamp": "2026-11-20T01:00:00Z",
                    "completionTimestamp": "2026-11-20T01:04:00Z",
                    "expiration": "2026-12-20T01:00:00Z", "warnings": 1}},
    ]


def as_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
            "items": items}


def staged_rows(warehouse: Path, list_file: Path, sql: str, *, collected_at: datetime,
                cluster: str = "kind") -> list[tuple]:
    """Load a List file into a new warehouse, build stg_k8s_pods (and what it reads), query."""
    from fleetscope.collectors.kubernetes.reader import read_list_file
    from fleetscope.config import parse_config
    from fleetscope.pipelines.transform import transform_warehouse
    from fleetscope.warehouse import Warehouse

    with Warehouse(warehouse) as wh:
        wh.load(read_list_file(list_file, cluster=cluster, collected_at=collected_at))
        transform_warehouse(wh, parse_config({}), select=["stg_k8s_pods"])
        return wh.con.execute(sql).fetchall()
