"""Simulate the Kubernetes clusters: node pools with an autoscaler, deploys that roll pods.

The result is a list of nodes and of pod lifetimes (with their containers, owners and node), plus
the ReplicaSet history of every Deployment; `k8s_objects` turns it into `kubectl get -o json`
Lists and `metrics` into Prometheus series.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import uuid

import numpy as np

from fleetscope.demo.model import (
    DAEMONSETS,
    POOLS,
    REGIONS,
    Container,
    Node,
    Pod,
    Pool,
    ReplicaSetEvent,
    Simulation,
    Unit,
)
from fleetscope.demo.org import App, Org

_SAFE = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet Kubernetes uses for generated names
SIDECAR_IMAGE = "envoyproxy/envoy:v1.31.2"
# Schedulers leave room (spread constraints, surge, fragmentation): fill nodes to this share.
FILL = 0.8


def _uid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _suffix(rng: np.random.Generator, n: int) -> str:
    return "".join(_SAFE[int(i)] for i in rng.integers(0, len(_SAFE), size=n))


def template_hash(name: str, image: str) -> str:
    """A stable pod-template-hash: the same template (image) always gives the same name.

    The image's commit suffix (`-1f3a9c2`) is left out: the version alone already names the
    template, and pod names (whose order places pods and draws their usage) stay what they were
    before images carried shas, so the demo's other numbers did not move.
    """
    version = re.sub(r"-[0-9a-f]{7}$", "", image)
    digest = hashlib.sha256(f"{name}|{version}".encode()).digest()
    return "".join(_SAFE[b % len(_SAFE)] for b in digest[:10])


def image_history(rng: np.random.Generator, app: App) -> list[tuple[float, str]]:
    """The main image over time: a new tag per deploy, a rollback returns to the one before.

    With the app's git releases known the tag carries the deployed commit, `1.42.0-1f3a9c2`
    (a version and the short sha, as CI tags images), else it is the bare version.
    """
    registry = f"registry.example.com/{app.team}/{app.app_id}"
    minor = int(rng.integers(3, 60))
    releases = iter(app.releases)

    def tag() -> str:
        sha = next(releases, None)
        return f"{registry}:1.{minor}.0" + (f"-{sha[:7]}" if sha else "")

    history = [(-1e9, tag())]
    for at, is_rollback in app.deploys:
        if is_rollback and len(history) >= 2:
            history.append((at, history[-2][1]))
        else:
            minor += 1
            history.append((at, tag()))
    return history


def _node_name(rng: np.random.Generator, cluster: str) -> str:
    a, b, c = (int(x) for x in rng.integers(0, 255, size=3))
    return f"ip-10-{a}-{b}-{c}.{REGIONS[cluster]}.compute.internal"


class _Scheduler:
    """Places pods on the least-filled node of their pool; adds a node when none fits."""

    def __init__(self, rng: np.random.Generator, cluster: str) -> None:
        self.rng = rng
        self.cluster = cluster
        self.nodes: list[Node] = []
        self.daemon_pods: list[tuple[Node, int]] = []
        self._running: list[tuple[float, int, int, float, float, int]] = []
        self._seq = 0

    def _add_node(self, pool: Pool, at: float) -> Node:
        zone = pool.zones[len([n for n in self.nodes if n.pool is pool]) % len(pool.zones)]
        node = Node(name=_node_name(self.rng, self.cluster), cluster=self.cluster, pool=pool,
                    zone=zone, created=at - float(self.rng.uniform(0.05, 0.2)),
                    provider_id=f"aws:///{zone}/i-0{self.rng.bytes(8).hex()[:16]}",
                    uid=_uid(self.rng))
        node.cpu_free = pool.cpus * FILL - sum(d[3] for d in DAEMONSETS)
        node.memory_free = pool.memory_gib * 2**30 * FILL - sum(d[4] for d in DAEMONSETS)
        node.gpu_free = pool.gpus
        self.nodes.append(node)
        return node

    def _release(self, until: float) -> None:
        while self._running and self._running[0][0] <= until:
            _, _, index, cpu, memory, gpu = heapq.heappop(self._running)
            node = self.nodes[index]
            node.cpu_free += cpu
            node.memory_free += memory
            node.gpu_free += gpu

    def place(self, pod: Pod, pool: Pool) -> None:
        # Pods a rolling update is about to stop leave room for their replacements (maxSurge),
        # or every deploy would add a node.
        self._release(pod.start + 0.34)
        cpu = sum(c.cpu_request if c.cpu_request is not None else 0.1 for c in pod.containers)
        memory = sum(c.memory_request if c.memory_request is not None else 256 * 2**20
                     for c in pod.containers)
        gpu = sum(c.gpu_request for c in pod.containers)
        best: tuple[float, int] | None = None
        for index, node in enumerate(self.nodes):
            if (node.pool is pool and node.created <= pod.start and node.cpu_free >= cpu
                    and node.memory_free >= memory and node.gpu_free >= gpu):
                score = node.cpu_free / pool.cpus + node.memory_free / (pool.memory_gib * 2**30)
                if best is None or score > best[0]:
                    best = (score, index)
        if best is None:
            node = self._add_node(pool, pod.start)
            index = len(self.nodes) - 1
        else:
            index = best[1]
            node = self.nodes[index]
        node.cpu_free -= cpu
        node.memory_free -= memory
        node.gpu_free -= gpu
        pod.node = node
        self._seq += 1
        heapq.heappush(self._running, (pod.end, self._seq, index, cpu, memory, gpu))


def _containers(app: App, image: str) -> list[Container]:
    cpu_limit = None
    if app.cpu_request is not None and app.cpu_util > 1.0:
        cpu_limit = round(app.cpu_request * 2, 3)  # the ones that burst have a limit to burst to
    main = Container(
        name=app.k8s_name if app.kind != "GPU" else "model-server", image=image,
        cpu_request=app.cpu_request, memory_request=app.memory_request,
        gpu_request=1 if app.kind == "GPU" else 0, cpu_limit=cpu_limit,
        memory_limit=app.memory_request * 2 if app.memory_request else None,
        cpu_util=app.cpu_util, memory_util=app.memory_util)
    containers = [main]
    if app.has_sidecar:
        containers.append(Container("envoy", SIDECAR_IMAGE, 0.1, 128 * 2**20, 0, None,
                                    256 * 2**20, 0.3, 0.6))
    return containers


def _labels(app: App) -> dict[str, str]:
    labels = {"app.kubernetes.io/name": app.k8s_name}
    if app.team_label:
        labels["team"] = app.team
    if app.backstage_label:
        labels["backstage.io/kubernetes-id"] = app.app_id
    return labels


def _pool_for(app: App, cluster: str) -> str:
    pools = POOLS[cluster]
    wanted = {"GPU": "gpu", "StatefulSet": "memory", "CronJob": "batch"}.get(app.kind, "general")
    return wanted if wanted in pools else "general"


def _image_at(images: list[tuple[float, str]], at: float) -> str:
    current = images[0][1]
    for since, image in images:
        if since <= at:
            current = image
        else:
            break
    return current


def _unit_pods(rng: np.random.Generator, unit: Unit, hours: int) -> list[Pod]:
    """Pod lifetimes of one workload: rolled on every deploy, daily runs for a CronJob."""
    app, cluster = unit.app, unit.cluster
    labels = _labels(app)
    pods: list[Pod] = []
    replicas = 1 if cluster == "staging-eu" else app.replicas
    if app.kind == "CronJob":
        first_day = max(0, int(np.ceil((unit.start - 23) / 24)))
        for day in range(first_day, hours // 24):
            at = 24.0 * day + 23 + float(rng.uniform(0, 0.02))
            if at >= unit.end:
                break
            scheduled = int(at * 60)  # the CronJob controller names Jobs by scheduled minute
            job = f"{app.k8s_name}-{29_000_000 + scheduled}"
            pods.append(Pod(cluster, app.namespace, f"{job}-{_suffix(rng, 5)}", _uid(rng), at,
                            at + float(rng.uniform(0.6, 2.0)), "Job", job, _uid(rng),
                            {**labels, "job-name": job},
                            _containers(app, _image_at(unit.images, at)), app))
        return pods
    if app.kind == "StatefulSet":
        # Pods keep their names, nodes and volumes across restarts: one lifetime per replica
        # (the snapshot shows the image current at its time).
        start = (unit.start if unit.start >= 0
                 else max(unit.start, -24.0 * float(rng.uniform(1, 30))))
        for r in range(replicas):
            name = f"{app.k8s_name}-{r}"
            pods.append(Pod(cluster, app.namespace, name, _uid(rng), start + 0.02 * r,
                            unit.end, "StatefulSet", app.k8s_name, unit.uid,
                            {**labels, "statefulset.kubernetes.io/pod-name": name},
                            _containers(app, _image_at(unit.images, start)), app))
        return pods
    changes = [(t, img) for t, img in unit.images if unit.start < t < unit.end]
    periods = [(unit.start, _image_at(unit.images, unit.start)), *changes]
    revision = int(rng.integers(2, 40)) if unit.start < 0 else 1
    for i, (since, image) in enumerate(periods):
        until = periods[i + 1][0] if i + 1 < len(periods) else unit.end
        pod_hash = template_hash(app.k8s_name, image)
        owner, owner_kind = f"{app.k8s_name}-{pod_hash}", "ReplicaSet"
        owner_uid = unit.rs_uids.setdefault(owner, _uid(rng))
        known = [e for e in unit.rs_events if e.name == owner]
        created = known[0].created if known else since
        if since < 0 and not known:
            created = since - 24.0 * float(rng.uniform(0, 20))
        unit.rs_events.append(ReplicaSetEvent(since, owner, revision, image, created))
        revision += 1
        for _ in range(replicas):
            start = since if since >= 0 else max(unit.start, -24.0 * float(rng.uniform(1, 30)))
            end = until + float(rng.uniform(0.05, 0.3)) if until < unit.end else unit.end
            name = f"{owner}-{_suffix(rng, 5)}"
            pod_labels = {**labels, "pod-template-hash": pod_hash}
            pods.append(Pod(cluster, app.namespace, name, _uid(rng), start, end, owner_kind,
                            owner, owner_uid, pod_labels, _containers(app, image), app))
    return pods


def simulate(org: Org, seed: int) -> Simulation:
    """Run every cluster over the window."""
    rng = np.random.default_rng([seed, 1])
    hours = org.hours
    images = {app.app_id: image_history(rng, app) for app in org.apps}
    units: dict[str, list[Unit]] = {c: [] for c in POOLS}
    pods: dict[str, list[Pod]] = {c: [] for c in POOLS}
    for app in org.apps:
        if app.k8s_start is None:
            continue
        for cluster in app.clusters:
            start = app.k8s_start + app.cluster_offsets.get(cluster, 0.0)
            end = app.k8s_end if app.k8s_end is not None else hours + 24.0
            if start >= min(end, hours):
                continue
            unit = Unit(app, cluster, start, end, _uid(rng), images[app.app_id])
            units[cluster].append(unit)
            pods[cluster].extend(_unit_pods(rng, unit, hours))
    nodes: dict[str, list[Node]] = {}
    for cluster, cluster_pods in pods.items():
        scheduler = _Scheduler(rng, cluster)
        cluster_pods.sort(key=lambda p: (p.start, p.name))
        for pod in cluster_pods:
            assert pod.app is not None
            pod.pool = _pool_for(pod.app, cluster)
            scheduler.place(pod, POOLS[cluster][pod.pool])
        nodes[cluster] = scheduler.nodes
        pods[cluster].extend(_daemon_pods(rng, scheduler.nodes, hours))
    namespaces = _namespaces(rng, org)
    return Simulation(org, nodes, pods, units, namespaces, images)


def _daemon_pods(rng: np.random.Generator, nodes: list[Node], hours: int) -> list[Pod]:
    pods = []
    for name, namespace, image, cpu, memory in DAEMONSETS:
        ds_uid = _uid(rng)
        for node in nodes:
            container = Container(name, image, cpu, memory, 0, None, memory * 2, 0.4, 0.5)
            pods.append(Pod(node.cluster, namespace, f"{name}-{_suffix(rng, 5)}", _uid(rng),
                            node.created + 0.02, hours + 24.0, "DaemonSet", name, ds_uid,
                            {"app.kubernetes.io/name": name, "team": "platform"}, [container],
                            None, node=node, pool=node.pool.name))
    return pods


def _namespaces(rng: np.random.Generator, org: Org) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Namespaces per cluster with their labels; a few teams never labelled theirs."""
    unlabelled = set(rng.choice(sorted(org.teams), size=3, replace=False).tolist())
    unlabelled.discard("platform")
    result: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for cluster in POOLS:
        names = sorted({a.namespace for a in org.apps})
        entries = []
        for ns in names:
            team = ns.removesuffix("-jobs")
            labels = {"kubernetes.io/metadata.name": ns}
            if team not in unlabelled:
                labels["team"] = team
            entries.append((ns, labels))
        for ns in ("kube-system", "monitoring", "logging"):
            labels = {"kubernetes.io/metadata.name": ns}
            if ns != "kube-system":
                labels["team"] = "platform"
            entries.append((ns, labels))
        result[cluster] = entries
    return result
