"""Data for the cost tests: a small cluster whose costs are worked out by hand (no tests here)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd

from fleetscope.config import parse_config
from fleetscope.warehouse import LoadBatch, Warehouse, Window

GIB = 2**30
DAY = datetime(2026, 11, 2)
SNAPSHOT_AT = DAY  # inventory snapshot at 00:00 of the day
HOURS = 3          # hours 00:00, 01:00, 02:00 of DAY

# Round prices so that the expectations can be checked with pencil and paper.
CONFIG = parse_config({"pricing": {
    "cpu_per_core_hour": 1.0, "ram_per_gib_hour": 0.1, "gpu_per_hour": 2.0,
    "storage_per_gib_hour": 0.01, "spot_cpu_per_core_hour": 0.5, "spot_ram_per_gib_hour": 0.05,
}})


def inventory_tables(*, with_pods: bool = True) -> dict[str, pd.DataFrame]:
    """Nodes n1 (4 cores, 16 GiB) and n2 (2 cores, 8 GiB); pods a (alpha), b (beta), c (alpha)."""
    nodes = pd.DataFrame([
        {"node_name": "n1", "instance_type": "m.large", "is_spot": False,
         "cpu_capacity_cores": 4.0, "memory_capacity_bytes": 16.0 * GIB},
        {"node_name": "n2", "instance_type": "m.medium", "is_spot": False,
         "cpu_capacity_cores": 2.0, "memory_capacity_bytes": 8.0 * GIB},
    ])
    namespaces = pd.DataFrame([
        {"namespace": "shop", "labels": json.dumps({"team": "gamma"})},
        {"namespace": "batch", "labels": json.dumps({"team": "beta"})},
    ])
    workloads = pd.DataFrame([
        {"namespace": "shop", "workload_kind": "Deployment", "workload_name": "api",
         "labels": json.dumps({"team": "alpha"})},
        {"namespace": "batch", "workload_kind": "Deployment", "workload_name": "worker",
         "labels": json.dumps({})},
        {"namespace": "shop", "workload_kind": "StatefulSet", "workload_name": "db",
         "labels": json.dumps({})},
    ])
    pods = pd.DataFrame([
        {"namespace": "shop", "pod_name": "api-1", "node_name": "n1", "phase": "Running",
         "workload_kind": "Deployment", "workload_name": "api",
         "labels": json.dumps({"app": "payments-api"})},
        {"namespace": "batch", "pod_name": "worker-1", "node_name": "n2", "phase": "Running",
         "workload_kind": "Deployment", "workload_name": "worker", "labels": json.dumps({})},
        {"namespace": "shop", "pod_name": "db-0", "node_name": "n2", "phase": "Running",
         "workload_kind": "StatefulSet", "workload_name": "db",
         "labels": json.dumps({"owner": "alpha", "app.kubernetes.io/name": "payments-db"})},
    ])
    containers = pd.DataFrame([
        {"namespace": "shop", "pod_name": "api-1", "container_name": "app",
         "cpu_request_cores": 1.0, "memory_request_bytes": 2.0 * GIB},
        {"namespace": "shop", "pod_name": "api-1", "container_name": "sidecar",
         "cpu_request_cores": None, "memory_request_bytes": None},
        {"namespace": "batch", "pod_name": "worker-1", "container_name": "main",
         "cpu_request_cores": 1.0, "memory_request_bytes": 1.0 * GIB},
        # kube-state-metrics says 1 core / 4 GiB for db-0: Prometheus wins over this snapshot
        {"namespace": "shop", "pod_name": "db-0", "container_name": "postgres",
         "cpu_request_cores": 0.5, "memory_request_bytes": 2.0 * GIB},
    ])
    if not with_pods:
        pods, containers = pods.iloc[0:0], containers.iloc[0:0]
    empty = pd.DataFrame()
    return {"raw_k8s_nodes": nodes, "raw_k8s_namespaces": namespaces,
            "raw_k8s_workloads": workloads, "raw_k8s_pods": pods,
            "raw_k8s_containers": containers, "raw_k8s_replicasets": empty,
            "raw_k8s_pvcs": empty, "raw_k8s_pvs": empty}


# (namespace, pod, container, node, cpu usage, working set GiB, KSM cpu request, KSM memory GiB)
CONTAINERS = [
    ("shop", "api-1", "app", "n1", 0.5, 1.0, None, None),        # over-requesting
    ("shop", "api-1", "sidecar", "n1", 0.25, 0.5, None, None),   # no request at all
    ("batch", "worker-1", "main", "n2", 1.5, 3.0, None, None),   # usage above its request
    ("shop", "db-0", "postgres", "n2", 0.1, 1.0, 1.0, 4.0),      # requests from Prometheus
    ("shop", "ghost-1", "x", "n1", 0.5, 0.5, None, None),        # pod in no inventory
]


def prometheus_tables(day: datetime = DAY, hours: int = HOURS) -> dict[str, pd.DataFrame]:
    """Container and node hours for `hours` hours from `day`."""
    container_rows, node_rows = [], []
    for h in range(hours):
        hour = day + timedelta(hours=h)
        for ns, pod, container, node, cpu, ws, req_cpu, req_mem in CONTAINERS:
            container_rows.append({
                "hour_start": hour, "namespace": ns, "pod_name": pod,
                "container_name": container, "node_name": node, "cpu_usage_cores": cpu,
                "memory_working_set_bytes_avg": ws * GIB,
                "memory_working_set_bytes_max": ws * GIB,
                "cpu_request_cores": req_cpu,
                "memory_request_bytes": None if req_mem is None else req_mem * GIB,
                "running_hours": 1.0})
        for node, cores, gib in (("n1", 4.0, 16.0), ("n2", 2.0, 8.0)):
            node_rows.append({"hour_start": hour, "node_name": node, "cpu_capacity_cores": cores,
                              "memory_capacity_bytes": gib * GIB, "gpu_capacity": 0.0,
                              "present_hours": 1.0})
    return {"raw_prom_container_hours": pd.DataFrame(container_rows),
            "raw_prom_node_hours": pd.DataFrame(node_rows)}


def load_snapshot(wh: Warehouse, at: datetime = SNAPSHOT_AT, cluster: str = "c1",
                  **kwargs: bool) -> None:
    wh.load(LoadBatch("kubernetes", cluster, at, inventory_tables(**kwargs)))


def load_prometheus(wh: Warehouse, day: datetime = DAY, hours: int = HOURS,
                    cluster: str = "c1") -> None:
    end = day + timedelta(hours=hours)
    wh.load(LoadBatch("prometheus", cluster, end, prometheus_tables(day, hours),
                      window=Window(day, end)))
