"""Benchmark: collect a 100,000-pod cluster from a wire-compatible API server into the warehouse.

Serves a synthetic cluster (realistic pod objects: two containers with requests/limits, env,
probes, volume mounts, status with conditions and container statuses; ReplicaSets with two
revisions per Deployment; nodes) from tests/k8s_fake_api.py in a separate process, then measures

* fleetscope: `collect_target` (raw JSON pages via `_preload_content=False`, orjson, column lists)
  plus `Warehouse.load` of the snapshot into a fresh DuckDB file;
* baseline: the same paginated lists through the client's model objects
  (`list_pod_for_all_namespaces()` and friends) and the same fields read from those objects,
  without any warehouse load. Model deserialisation is slow, so by default the baseline lists a
  smaller cluster of the same shape (`--baseline-pods`); both figures are pods per second.

Run:  .venv/bin/python benchmarks/k8s_collect.py [--pods 100000] [--nodes 1000]

Measured 2026-11-26 on the shared 2-core machine (load average 4-8 from other work, so times
vary): fleetscope 100,000 pods listed and loaded in 5.6-14.2 s (7,000-18,000 pods/s); baseline
445-1,170 pods/s on 10,000 pods, and 499 pods/s (200.6 s) on the full 100,000 pods with
`--baseline-pods 100000`; ratio 14-32x.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the test API server lives with the tests

CREATED = "2026-11-01T08:00:00Z"


def _meta(name: str, namespace: str | None, **extra: object) -> dict:
    meta: dict = {"name": name, "uid": f"{abs(hash(name)):032x}"[:8] + "-0000-4000-8000-"
                  + f"{abs(hash(name + 'x')):012x}"[:12],
                  "resourceVersion": "123456", "creationTimestamp": CREATED}
    if namespace:
        meta["namespace"] = namespace
    meta.update(extra)
    return meta


def _owner(api_version: str, kind: str, name: str) -> list[dict]:
    return [{"apiVersion": api_version, "kind": kind, "name": name,
             "uid": f"{abs(hash(kind + name)):08x}"[:8] + "-1111-4111-8111-000000000000",
             "controller": True, "blockOwnerDeletion": True}]


def _container(name: str, image: str, cpu: str, memory: str) -> dict:
    return {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "LOG_LEVEL", "value": "info"},
                    {"name": "POD_NAME", "valueFrom": {"fieldRef": {
                        "apiVersion": "v1", "fieldPath": "metadata.name"}}}],
            "resources": {"requests": {"cpu": cpu, "memory": memory},
                          "limits": {"cpu": "1", "memory": "1Gi"}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
                               "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                               "failureThreshold": 3},
            "volumeMounts": [{"name": "kube-api-access", "readOnly": True,
                              "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File"}


def synthetic_cluster(pods: int, nodes: int, *, pods_per_deployment: int = 10):
    """Nodes, namespaces, Deployments, two ReplicaSets each (old and current), and pods."""
    for n in range(nodes):
        yield {"kind": "Node", "metadata": _meta(
            f"ip-10-0-{n // 250}-{n % 250}.ec2.internal", None,
            labels={"node.kubernetes.io/instance-type": "m5.2xlarge" if n % 3 else "c5.4xlarge",
                    "karpenter.sh/capacity-type": "spot" if n % 4 == 0 else "on-demand",
                    "topology.kubernetes.io/zone": f"eu-west-1{'abc'[n % 3]}",
                    "kubernetes.io/os": "linux"}),
               "spec": {"providerID": f"aws:///eu-west-1a/i-{n:017x}"},
               "status": {"capacity": {"cpu": "8", "memory": "32386544Ki", "pods": "58",
                                       "ephemeral-storage": "83873772Ki"},
                          "allocatable": {"cpu": "7910m", "memory": "31369712Ki", "pods": "58"},
                          "conditions": [{"type": "Ready", "status": "True",
                                          "lastHeartbeatTime": CREATED,
                                          "lastTransitionTime": CREATED,
                                          "reason": "KubeletReady"}]}}
    deployments = (pods + pods_per_deployment - 1) // pods_per_deployment
    namespaces = max(1, deployments // 50)
    for ns in range(namespaces):
        yield {"kind": "Namespace", "metadata": _meta(f"team-{ns:03d}", None, labels={
            "team": f"team-{ns % 40:02d}", "kubernetes.io/metadata.name": f"team-{ns:03d}"}),
               "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
    made = 0
    for d in range(deployments):
        ns, app = f"team-{d % namespaces:03d}", f"svc-{d:05d}"
        labels = {"app": app, "app.kubernetes.io/name": app, "team": f"team-{d % 40:02d}"}
        template = {"metadata": {"labels": labels}, "spec": {"containers": [
            _container("app", f"registry.example.com/{app}:1.2", "250m", "256Mi"),
            _container("envoy", "envoyproxy/envoy:v1.30.1", "50m", "64Mi")]}}
        yield {"kind": "Deployment",
               "metadata": _meta(app, ns, labels=labels,
                                 annotations={"deployment.kubernetes.io/revision": "2"}),
               "spec": {"replicas": pods_per_deployment,
                        "selector": {"matchLabels": {"app": app}}, "template": template},
               "status": {"replicas": pods_per_deployment}}
        current = f"{d * 7919 % 10**10:010x}"[:10]
        for revision, template_hash in ((1, f"{d:08x}"[-8:] + "ab"), (2, current)):
            yield {"kind": "ReplicaSet", "metadata": _meta(
                f"{app}-{template_hash}", ns,
                labels={**labels, "pod-template-hash": template_hash},
                annotations={"deployment.kubernetes.io/revision": str(revision)},
                ownerReferences=_owner("apps/v1", "Deployment", app)),
                   "spec": {"replicas": pods_per_deployment if revision == 2 else 0,
                            "selector": {"matchLabels": {"app": app,
                                                         "pod-template-hash": template_hash}},
                            "template": {"spec": {"containers": [
                                _container("app", f"registry.example.com/{app}:1.{revision}",
                                           "250m", "256Mi"),
                                _container("envoy", "envoyproxy/envoy:v1.30.1", "50m",
                                           "64Mi")]}}}}
        for p in range(min(pods_per_deployment, pods - made)):
            made += 1
            name = f"{app}-{current}-{p:05x}"
            yield {"kind": "Pod", "metadata": _meta(
                name, ns, labels={**labels, "pod-template-hash": current},
                annotations={"prometheus.io/scrape": "true", "prometheus.io/port": "8080"},
                ownerReferences=_owner("apps/v1", "ReplicaSet", f"{app}-{current}")),
                   "spec": {"nodeName": f"ip-10-0-{(made % nodes) // 250}-{made % nodes % 250}"
                                        ".ec2.internal",
                            "serviceAccountName": "default", "restartPolicy": "Always",
                            "containers": [
                                _container("app", f"registry.example.com/{app}:1.2", "250m",
                                           "256Mi"),
                                _container("envoy", "envoyproxy/envoy:v1.30.1", "50m", "64Mi")],
                            "tolerations": [{"key": "node.kubernetes.io/not-ready",
                                             "operator": "Exists", "effect": "NoExecute",
                                             "tolerationSeconds": 300}]},
                   "status": {"phase": "Running", "podIP": f"10.1.{made // 250 % 250}.{made % 250}",
                              "hostIP": "10.0.0.1", "startTime": CREATED, "qosClass": "Burstable",
                              "conditions": [{"type": t, "status": "True",
                                              "lastTransitionTime": CREATED}
                                             for t in ("Initialized", "Ready",
                                                       "ContainersReady", "PodScheduled")],
                              "containerStatuses": [
                                  {"name": c, "ready": True, "restartCount": 0,
                                   "image": "img", "imageID": "docker-pullable://img@sha256:0",
                                   "containerID": "containerd://0",
                                   "state": {"running": {"startedAt": CREATED}}}
                                  for c in ("app", "envoy")]}}


def _serve(pods: int, nodes: int, token: str, port_queue: multiprocessing.Queue) -> None:
    from k8s_fake_api import FakeKubeAPI

    api = FakeKubeAPI(token=token).add(synthetic_cluster(pods, nodes))
    port_queue.put(api.start())
    while True:
        time.sleep(3600)


def start_server(pods: int, nodes: int, token: str = "bench-token"
                 ) -> tuple[multiprocessing.Process, str]:
    """Serve a synthetic cluster from another process (the collector gets its own core)."""
    ctx = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue = ctx.Queue()
    process = ctx.Process(target=_serve, args=(pods, nodes, token, queue), daemon=True)
    process.start()
    return process, queue.get(timeout=600)


def run_fleetscope(url: str, token: str, workdir: Path, page_size: int) -> dict[str, float]:
    """Collect through fleetscope and load into a fresh warehouse; seconds per phase."""
    from k8s_fake_api import write_kubeconfig

    from fleetscope.collectors.kubernetes.live import ClusterTarget, collect_target
    from fleetscope.config import parse_config
    from fleetscope.warehouse import Warehouse

    kubeconfig = write_kubeconfig(workdir / "kubeconfig", {"bench": (url, token)})
    settings = parse_config({"kubernetes": {"kubeconfig": str(kubeconfig),
                                            "page_size": page_size}}).kubernetes
    started = time.perf_counter()
    batch = collect_target(settings, ClusterTarget("bench", "bench"))
    collected = time.perf_counter()
    with Warehouse(workdir / "bench.duckdb") as wh:
        result = wh.load(batch)
    loaded = time.perf_counter()
    return {"pods": float(result.row_counts["raw_k8s_pods"]),
            "containers": float(result.row_counts["raw_k8s_containers"]),
            "collect_s": collected - started, "load_s": loaded - collected,
            "total_s": loaded - started}


def run_baseline(url: str, token: str, workdir: Path, page_size: int) -> dict[str, float]:
    """The same lists through the client's model objects, reading the same pod fields."""
    from k8s_fake_api import write_kubeconfig
    from kubernetes import client, config

    from fleetscope.collectors.quantity import quantity_to_float

    kubeconfig = write_kubeconfig(workdir / "kubeconfig-baseline", {"base": (url, token)})
    api_client = config.new_client_from_config(config_file=str(kubeconfig), context="base")
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)

    def paginate(method):
        token_: str | None = None
        while True:
            page = method(limit=page_size, _continue=token_) if token_ else method(
                limit=page_size)
            yield from page.items
            token_ = page.metadata.var_continue
            if not token_:
                return

    started = time.perf_counter()
    nodes = [(n.metadata.name, n.status.capacity.get("cpu")) for n in paginate(core.list_node)]
    replicasets = {(r.metadata.namespace, r.metadata.name):
                   (r.metadata.owner_references or [None])[0]
                   for r in paginate(apps.list_replica_set_for_all_namespaces)}
    deployments = [d.metadata.name for d in paginate(apps.list_deployment_for_all_namespaces)]
    pods = containers = 0
    for pod in paginate(core.list_pod_for_all_namespaces):
        pods += 1
        owner = (pod.metadata.owner_references or [None])[0]
        replicasets.get((pod.metadata.namespace, owner.name if owner else ""))
        for c in pod.spec.containers:
            containers += 1
            requests = (c.resources.requests if c.resources else None) or {}
            quantity_to_float(requests.get("cpu"))
            quantity_to_float(requests.get("memory"))
    elapsed = time.perf_counter() - started
    api_client.close()
    assert nodes and deployments
    return {"pods": float(pods), "containers": float(containers), "total_s": elapsed}


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run both measurements and print pods per second and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=100_000)
    parser.add_argument("--nodes", type=int, default=1_000)
    parser.add_argument("--baseline-pods", type=int, default=10_000,
                        help="pods of the (same-shaped) cluster the baseline lists")
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args(argv)
    baseline_nodes = max(1, args.nodes * args.baseline_pods // max(1, args.pods))

    print(f"serving {args.pods:,} pods / {args.nodes:,} nodes (fleetscope) and "
          f"{args.baseline_pods:,} pods / {baseline_nodes:,} nodes (baseline) ...", flush=True)
    started = time.perf_counter()
    big, big_url = start_server(args.pods, args.nodes)
    small, small_url = start_server(args.baseline_pods, baseline_nodes)
    print(f"servers ready in {time.perf_counter() - started:.1f}s", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="k8s-bench-") as tmp:
            ours = run_fleetscope(big_url, "bench-token", Path(tmp), args.page_size)
            base = run_baseline(small_url, "bench-token", Path(tmp), args.page_size)
    finally:
        big.terminate()
        small.terminate()
    ours_rate = ours["pods"] / ours["total_s"]
    base_rate = base["pods"] / base["total_s"]
    print(f"fleetscope: {ours['pods']:,.0f} pods ({ours['containers']:,.0f} containers) listed "
          f"in {ours['collect_s']:.2f}s + loaded in {ours['load_s']:.2f}s = "
          f"{ours['total_s']:.2f}s -> {ours_rate:,.0f} pods/s")
    print(f"baseline (client model objects, no load): {base['pods']:,.0f} pods in "
          f"{base['total_s']:.2f}s -> {base_rate:,.0f} pods/s")
    print(f"ratio: {ours_rate / base_rate:.1f}x")
    return {"fleetscope_pods_per_s": ours_rate, "baseline_pods_per_s": base_rate,
            "ratio": ours_rate / base_rate, "fleetscope_total_s": ours["total_s"],
            "fleetscope_pods": ours["pods"], "baseline_pods": base["pods"]}


if __name__ == "__main__":
    main()
