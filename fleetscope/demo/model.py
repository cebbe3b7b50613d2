"""What the demo's cluster simulation is made of: node pools, nodes, pods, app units.

`cluster` fills these in; `objects` renders them as Kubernetes objects (with the quantities and
`resources` blocks below), `metrics` as Prometheus series, `helios` reuses the image history.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from fleetscope.demo.org import App, Org


@dataclass(frozen=True)
class Pool:
    name: str
    instance_type: str
    cpus: int
    memory_gib: int
    gpus: int
    spot: bool
    zones: tuple[str, ...]


def _pools(region: str, *extra: Pool) -> dict[str, Pool]:
    zones = tuple(f"{region}{z}" for z in "abc")
    pools = {"general": Pool("general", "c6i.4xlarge", 16, 32, 0, False, zones),
             "memory": Pool("memory", "r6i.2xlarge", 8, 64, 0, False, zones),
             "batch": Pool("batch", "m6i.2xlarge", 8, 32, 0, True, zones)}
    for pool in extra:
        pools[pool.name] = pool
    return pools


REGIONS = {"prod-eu": "eu-west-1", "prod-us": "us-east-1", "staging-eu": "eu-west-1"}
POOLS = {
    "prod-eu": _pools("eu-west-1"),
    "prod-us": _pools("us-east-1", Pool("gpu", "g4dn.xlarge", 4, 16, 1, False,
                                        ("us-east-1a", "us-east-1b"))),
    "staging-eu": {"general": Pool("general", "m6i.xlarge", 4, 16, 0, True,
                                   ("eu-west-1a", "eu-west-1b"))},
}
DAEMONSETS = (("node-exporter", "monitoring", "quay.io/prometheus/node-exporter:v1.8.2",
               0.05, 64 * 2**20),
              ("fluent-bit", "logging", "cr.fluentbit.io/fluent/fluent-bit:3.1.9",
               0.1, 128 * 2**20))


@dataclass
class Node:
    name: str
    cluster: str
    pool: Pool
    zone: str
    created: float
    provider_id: str
    uid: str
    cpu_free: float = 0.0
    memory_free: float = 0.0
    gpu_free: int = 0


@dataclass
class Container:
    name: str
    image: str
    cpu_request: float | None
    memory_request: float | None
    gpu_request: int
    cpu_limit: float | None
    memory_limit: float | None
    cpu_util: float            # mean usage / request, or absolute cores without a request
    memory_util: float         # share of request, or absolute bytes without a request


@dataclass
class Pod:
    cluster: str
    namespace: str
    name: str
    uid: str
    start: float
    end: float
    owner_kind: str
    owner_name: str
    owner_uid: str
    labels: dict[str, str]
    containers: list[Container]
    app: App | None
    node: Node | None = None
    pool: str = "general"


@dataclass
class ReplicaSetEvent:
    at: float
    name: str
    revision: int
    image: str
    created: float


@dataclass
class Unit:
    """One app's workload in one cluster."""

    app: App
    cluster: str
    start: float
    end: float
    uid: str
    images: list[tuple[float, str]]          # (from hour, image) of the main container
    rs_events: list[ReplicaSetEvent] = field(default_factory=list)
    rs_uids: dict[str, str] = field(default_factory=dict)


@dataclass
class Simulation:
    org: Org
    nodes: dict[str, list[Node]]
    pods: dict[str, list[Pod]]
    units: dict[str, list[Unit]]
    namespaces: dict[str, list[tuple[str, dict[str, str]]]]
    images: dict[str, list[tuple[float, str]]]   # app_id -> image history (Helios uses it too)
    # pod uid -> the hour it was created, for pods that waited to be scheduled (`scheduling`)
    created: dict[str, float] = field(default_factory=dict)


def quantity_cpu(cores: float) -> str:
    """Cores as Kubernetes writes them: `250m`, `2`."""
    milli = round(cores * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def quantity_memory(value: float) -> str:
    """Bytes as people write them: `512Mi`, `8Gi`."""
    mib = round(value / 2**20)
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def resources(container: Container) -> dict[str, Any]:
    """The `resources` block of a container spec."""
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    if container.cpu_request is not None:
        requests["cpu"] = quantity_cpu(container.cpu_request)
    if container.memory_request is not None:
        requests["memory"] = quantity_memory(container.memory_request)
    if container.gpu_request:
        requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = str(container.gpu_request)
    if container.cpu_limit is not None:
        limits["cpu"] = quantity_cpu(container.cpu_limit)
    if container.memory_limit is not None:
        limits["memory"] = quantity_memory(container.memory_limit)
    out: dict[str, Any] = {}
    if requests:
        out["requests"] = requests
    if limits:
        out["limits"] = limits
    return out


def volume_handle(pv_name: str) -> str:
    """The EBS volume id behind a demo PersistentVolume (its CSI `volumeHandle`, and the bill's
    ResourceId)."""
    return "vol-0" + hashlib.sha1(pv_name.encode()).hexdigest()[:16]
