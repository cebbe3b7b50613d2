"""A small cluster for the end-to-end tests: its Kubernetes `List` and its Prometheus history.

The same pods and nodes are written both ways, the List as `kubectl get ... -o json` prints it
and the history as the series kube-prometheus-stack scrapes (cAdvisor, kube-state-metrics),
one sample a minute unless a test says otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from prometheus_server import Series, preloaded_prometheus

from fleetscope.cli import cli
from fleetscope.warehouse import connect_read_only

MIB, GIB = 2**20, 2**30
CREATED = "2026-11-01T00:00:00Z"


@dataclass
class Container:
    name: str
    cpu_request: float  # cores
    memory_request: int  # bytes
    cpu_used: float = 0.0  # cores, a steady rate
    memory_used: int = 0  # working set, bytes
    # CPU counter (core-seconds) at minute m of its life; default: cpu_used x 60 x m
    counter: Callable[[int], float] | None = None


@dataclass
class Pod:
    namespace: str
    name: str
    node: str
    team: str
    containers: list[Container] = field(default_factory=list)


@dataclass
class Node:
    name: str
    cores: int
    memory: int  # bytes


def _quantity_cpu(cores: float) -> str:
    return f"{round(cores * 1000)}m"


def k8s_list(nodes: list[Node], namespaces: dict[str, str], pods: list[Pod]) -> dict:
    """The `List` of the nodes, the namespaces (name -> team label) and the pods."""

    def meta(name: str, **extra: object) -> dict:
        return {"name": name, "uid": f"uid-{name}", "creationTimestamp": CREATED, **extra}

    items: list[dict] = [
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": meta(n.name),
            "status": {
                "capacity": {"cpu": str(n.cores), "memory": f"{n.memory // MIB}Mi"},
                "allocatable": {"cpu": str(n.cores), "memory": f"{n.memory // MIB}Mi"},
            },
        }
        for n in nodes
    ]
    items += [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(ns, labels={"team": team})}
        for ns, team in namespaces.items()
    ]
    items += [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta(p.name, namespace=p.namespace, labels={"team": p.team}),
            "spec": {
                "nodeName": p.node,
                "containers": [
                    {
                        "name": c.name,
                        "image": f"{c.name}:1",
                        "resources": {
                            "requests": {
                                "cpu": _quantity_cpu(c.cpu_request),
                                "memory": f"{c.memory_request // MIB}Mi",
                            }
                        },
                    }
                    for c in p.containers
                ],
            },
            "status": {"phase": "Running"},
        }
        for p in pods
    ]
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


def per_minute(
    name: str,
    labels: dict[str, str],
    start: datetime,
    minutes: range,
    value: Callable[[int], float],
) -> Series:
    """A series sampled every minute from `start`; `value` gets the minute's index."""
    t0 = int(start.timestamp())
    return Series(name, labels, [(t0 + 60 * m, float(value(m))) for m in minutes])


def pod_history(pod: Pod, start: datetime, minutes: range) -> list[Series]:
    """cAdvisor usage, requests and running series of a pod for `minutes` after `start`."""
    out = []
    first = minutes[0]
    for c in pod.containers:
        base = {"namespace": pod.namespace, "pod": pod.name, "container": c.name}
        counter = c.counter or (lambda m, c=c: c.cpu_used * 60 * (m - first))
        on_node = base | {"node": pod.node}
        gauges = [  # (metric, extra labels, value)
            ("container_cpu_usage_seconds_total", {}, counter),
            ("container_memory_working_set_bytes", {}, lambda m, c=c: c.memory_used),
            (
                "kube_pod_container_resource_requests",
                {"resource": "cpu", "unit": "core"},
                lambda m, c=c: c.cpu_request,
            ),
            (
                "kube_pod_container_resource_requests",
                {"resource": "memory", "unit": "byte"},
                lambda m, c=c: c.memory_request,
            ),
        ]
        out += [
            per_minute(name, on_node | extra, start, minutes, value)
            for name, extra, value in gauges
        ]
        out.append(
            per_minute("kube_pod_container_status_running", base, start, minutes, lambda m: 1)
        )
    return out


def node_history(node: Node, start: datetime, minutes: range) -> list[Series]:
    """kube-state-metrics' capacity series of a node for `minutes` after `start`."""
    return [
        per_minute(
            "kube_node_status_capacity",
            {"node": node.name, "resource": resource, "unit": unit},
            start,
            minutes,
            lambda m, v=value: v,
        )
        for resource, unit, value in (("cpu", "core", node.cores), ("memory", "byte", node.memory))
    ]


def collect_and_transform(
    work: Path,
    inventory: dict,
    history: list[Series],
    *,
    collected_at: str,
    start: str,
    end: str,
    config: str | None = None,
    dump: Path | None = None,
) -> Path:
    """`collect kubernetes` (the List), `collect prometheus` (a real, preloaded server; its dump
    also written to `dump` when given) and `transform` into `work/wh.duckdb`, through the CLI;
    no config file when `config` is None."""
    (work / "list.json").write_text(json.dumps(inventory))
    base = ["--warehouse", str(work / "wh.duckdb"), "-q"]
    if config is not None:
        (work / "fleetscope.toml").write_text(config)
        base += ["--config", str(work / "fleetscope.toml")]
    runner = CliRunner()
    with preloaded_prometheus(history, work / "prom") as server:
        for args in (
            [
                "collect",
                "kubernetes",
                "--from-file",
                str(work / "list.json"),
                "--cluster",
                "prod",
                "--collected-at",
                collected_at,
            ],
            [
                "collect",
                "prometheus",
                "--url",
                server.url,
                "--cluster",
                "prod",
                "--start",
                start,
                "--end",
                end,
                *(["--dump", str(dump)] if dump else []),
            ],
            ["transform"],
        ):
            result = runner.invoke(cli, base + args, env={"FLEETSCOPE_CONFIG": None})
            assert result.exit_code == 0, (args, result.output)
    return work / "wh.duckdb"


def query(path: Path, sql: str) -> list[tuple]:
    """Rows of `sql` on the warehouse at `path`, opened read-only."""
    con = connect_read_only(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
