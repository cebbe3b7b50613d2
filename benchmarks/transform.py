"""How the transform's time grows with history: one new day on top of 7 days vs on top of 90.

Builds two warehouses of synthetic Kubernetes inventory (a snapshot a day, with the
ReplicaSets of daily deploys), a Helios installation migrating to it (a snapshot a day) and
Prometheus container/node hours (about 14,000 container-hours a day at the default scale, so 90
days hold about 1.3 million), transforms each fully, then loads one more day and times the
incremental transform. Incremental work must not rescan history: the ratio should stay near 1.
`--verbose` prints every model's time per run and a table of per-model ratios.

    .venv/bin/python benchmarks/transform.py [--containers 600] [--long-days 90] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from fleetscope.config import Config
from fleetscope.pipelines.runner import discover_models
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse, Window

GIB = 2**30
START = datetime(2026, 6, 1)
REPEATS = 3
VERBOSE = False
TEAMS = [f"team-{i}" for i in range(8)]
HELIOS_JOBS = 120   # apps app-0 .. app-119 start on Helios; app-i leaves it on day 2 x i
HELIOS_HOSTS = 20
REVISION_HISTORY = 10  # ReplicaSets a Deployment keeps (revisionHistoryLimit)


def _inventory(day: int, containers: int, nodes: int) -> dict[str, pd.DataFrame]:
    pods = containers // 2
    # 80% of pods live for the whole history, 20% are replaced every day (deploys)
    names = [f"app-{i}-{'stable' if i % 5 else f'd{day}'}" for i in range(pods)]
    replicasets = [f"app-{i}-rs1" if i % 5 else f"app-{i}-d{day}" for i in range(pods)]
    pod_frame = pd.DataFrame({
        "namespace": [f"ns-{i % 10}" for i in range(pods)],
        "pod_name": names,
        "node_name": [f"node-{i % nodes}" for i in range(pods)],
        "phase": "Running",
        "workload_kind": "Deployment",
        "workload_name": [f"app-{i}" for i in range(pods)],
        "labels": [json.dumps({"team": TEAMS[i % len(TEAMS)], "app": f"app-{i}"})
                   for i in range(pods)],
        "owner_kind": "ReplicaSet", "owner_name": replicasets,
        "created_at": [START if i % 5 else START + timedelta(days=day) for i in range(pods)],
    })
    container_frame = pd.DataFrame({
        "namespace": np.repeat(pod_frame["namespace"].to_numpy(), 2),
        "pod_name": np.repeat(pod_frame["pod_name"].to_numpy(), 2),
        "container_name": ["main", "sidecar"] * pods,
        "cpu_request_cores": [0.5, None] * pods,
        "memory_request_bytes": [1.0 * GIB, None] * pods,
    })
    node_frame = pd.DataFrame({
        "node_name": [f"node-{i}" for i in range(nodes)],
        "instance_type": "m5.2xlarge", "is_spot": [i % 4 == 0 for i in range(nodes)],
        "cpu_capacity_cores": 8.0, "memory_capacity_bytes": 32.0 * GIB,
    })
    namespaces = pd.DataFrame({"namespace": [f"ns-{i}" for i in range(10)]})
    workloads = pod_frame[["namespace", "workload_kind", "workload_name", "labels"]]
    empty = pd.DataFrame()
    return {"raw_k8s_nodes": node_frame, "raw_k8s_namespaces": namespaces,
            "raw_k8s_workloads": workloads, "raw_k8s_pods": pod_frame,
            "raw_k8s_containers": container_frame,
            "raw_k8s_replicasets": _replicasets(day, pods),
            "raw_k8s_pvcs": empty, "raw_k8s_pvs": empty}


def _replicasets(day: int, pods: int) -> pd.DataFrame:
    """Every Deployment's ReplicaSets: one for stable apps, the last ten daily deploys else."""
    rows = []
    for i in range(pods):
        revisions = [(f"app-{i}-rs1", 1, 0)] if i % 5 else [
            (f"app-{i}-d{d}", d + 1, d) for d in range(max(0, day - REVISION_HISTORY + 1), day + 1)]
        rows += [{"namespace": f"ns-{i % 10}", "replicaset_name": name,
                  "deployment_name": f"app-{i}", "revision": revision,
                  "images": json.dumps([f"app-{i}:{d % 7}", "envoy:1.30"]),
                  "replicas": 1 if d == day or i % 5 else 0,
                  "created_at": START + timedelta(days=d, hours=1)}
                 for name, revision, d in revisions]
    return pd.DataFrame(rows)


def _helios(day: int) -> dict[str, pd.DataFrame]:
    """Hosts running the apps still on Helios; every tenth job gets a new version each week."""
    on_helios = [i for i in range(HELIOS_JOBS) if day < 2 * i]
    version = {i: (day // 7 if i % 10 == 0 else 0) for i in on_helios}
    job_ids = [f"app-{i}:{version[i]}:h{version[i]}" for i in on_helios]
    jobs = pd.DataFrame({
        "job_id": job_ids, "job_name": [f"app-{i}" for i in on_helios],
        "job_version": [str(version[i]) for i in on_helios],
        "image": [f"app-{i}:{version[i]}" for i in on_helios],
        "cpu_shares": 1024.0, "memory_bytes": 2.0 * GIB,
        "metadata": [json.dumps({"team": TEAMS[i % len(TEAMS)]}) for i in on_helios],
        "created_at": [START + timedelta(days=7 * version[i]) for i in on_helios],
    })
    hosts = pd.DataFrame({"host": [f"h{n}" for n in range(HELIOS_HOSTS)], "status": "UP",
                          "cpus": 16.0, "memory_total_bytes": 64.0 * GIB})
    deployments = pd.DataFrame({
        "host": [f"h{i % HELIOS_HOSTS}" for i in on_helios], "job_id": job_ids,
        "goal": "START", "state": "RUNNING"})
    events = pd.DataFrame({
        "job_id": job_ids, "event_at": [START + timedelta(days=7 * version[i], hours=3)
                                        for i in on_helios],
        "host": [f"h{i % HELIOS_HOSTS}" for i in on_helios], "state": "RUNNING"})
    return {"raw_helios_jobs": jobs, "raw_helios_hosts": hosts,
            "raw_helios_deployments": deployments, "raw_helios_job_events": events}


def _prometheus(day: int, inventory: dict[str, pd.DataFrame], rng: np.random.Generator
                ) -> dict[str, pd.DataFrame]:
    base = START + timedelta(days=day)
    hours = [base + timedelta(hours=h) for h in range(24)]
    pods = inventory["raw_k8s_containers"]
    nodes = inventory["raw_k8s_pods"].set_index("pod_name")["node_name"]
    n = len(pods)
    frame = pd.DataFrame({
        "hour_start": np.repeat(np.array(hours, dtype="datetime64[us]"), n),
        "namespace": np.tile(pods["namespace"].to_numpy(), 24),
        "pod_name": np.tile(pods["pod_name"].to_numpy(), 24),
        "container_name": np.tile(pods["container_name"].to_numpy(), 24),
        "node_name": np.tile(nodes.loc[pods["pod_name"]].to_numpy(), 24),
        "cpu_usage_cores": rng.gamma(2.0, 0.2, 24 * n),
        "memory_working_set_bytes_avg": rng.gamma(2.0, 0.4, 24 * n) * GIB,
        "running_hours": 1.0,
    })
    node_names = inventory["raw_k8s_nodes"]["node_name"].to_numpy()
    node_frame = pd.DataFrame({
        "hour_start": np.repeat(np.array(hours, dtype="datetime64[us]"), len(node_names)),
        "node_name": np.tile(node_names, 24),
        "cpu_capacity_cores": 8.0, "memory_capacity_bytes": 32.0 * GIB,
        "present_hours": 1.0,
    })
    return {"raw_prom_container_hours": frame, "raw_prom_node_hours": node_frame}


def _load_day(wh: Warehouse, day: int, containers: int, nodes: int,
              rng: np.random.Generator) -> None:
    at = START + timedelta(days=day)
    inventory = _inventory(day, containers, nodes)
    wh.load(LoadBatch("kubernetes", "bench", at + timedelta(hours=2), inventory))
    wh.load(LoadBatch("helios", "legacy", at + timedelta(hours=2), _helios(day)))
    wh.load(LoadBatch("prometheus", "bench", at + timedelta(days=1),
                      _prometheus(day, inventory, rng),
                      window=Window(at, at + timedelta(days=1))))


@dataclass
class Measured:
    full: float          # full rebuild, seconds
    incremental: float   # one more day, seconds (median of REPEATS)
    incremental_models: float  # of which in `incremental` models (median)
    incremental_cpu: float  # CPU seconds of this process (all DuckDB threads), median
    container_hours: int
    models: dict[str, float]  # one more day, per model built, seconds (median)


def _measure(folder: Path, days: int, containers: int, nodes: int) -> Measured:
    """Load `days` of history, rebuild fully, then time one more day incrementally."""
    rng = np.random.default_rng(7)
    incremental_names = {m.name for m in discover_models() if m.materialized == "incremental"}
    path = folder / f"bench-{days}.duckdb"
    config = Config()
    # Each step opens and closes the warehouse as a CLI run does (closing checkpoints the WAL,
    # which belongs to the run that wrote it).
    with Warehouse(path) as wh:
        for day in range(days):
            _load_day(wh, day, containers, nodes, rng)
    started = time.perf_counter()
    with Warehouse(path) as wh:
        transform_warehouse(wh, config, full_refresh=True)
    full = time.perf_counter() - started
    # One more day, three times over (days+1, +2, +3): the median, as the machine is shared.
    runs: list[tuple[float, float, float]] = []
    per_model: dict[str, list[float]] = {}
    for extra in range(REPEATS):
        with Warehouse(path) as wh:
            _load_day(wh, days + extra, containers, nodes, rng)
        started, started_cpu = time.perf_counter(), time.process_time()
        with Warehouse(path) as wh:
            result = transform_warehouse(wh, config)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        assert not result.full_refresh and len(result.days) <= 2, result.days
        runs.append((elapsed, sum(seconds for name, seconds in result.seconds.items()
                                  if name in incremental_names), cpu))
        for name, seconds in result.seconds.items():
            per_model.setdefault(name, []).append(seconds)
        if VERBOSE:
            print(f"  {days} days +{extra + 1}: " + ", ".join(
                f"{name} {seconds:.2f}" for name, seconds in sorted(
                    result.seconds.items(), key=lambda kv: -kv[1]) if seconds >= 0.02))
    incremental = statistics.median(r[0] for r in runs)
    in_models = statistics.median(r[1] for r in runs)
    cpu = statistics.median(r[2] for r in runs)
    with Warehouse(path) as wh:
        rows = wh.con.execute("select count(*) from int_container_hours").fetchone()[0]
    models = {name: statistics.median(times) for name, times in per_model.items()}
    return Measured(full, incremental, in_models, cpu, rows, models)


def _print_models(short: Measured, long: Measured, short_days: int, long_days: int) -> None:
    """Per model: one more day on short and long history (medians) and their ratio."""
    print(f"one more day per model (median s), {short_days} and {long_days} days of history:")
    names = sorted(set(short.models) | set(long.models),
                   key=lambda n: -long.models.get(n, 0.0))
    for name in names:
        a, b = short.models.get(name, 0.0), long.models.get(name, 0.0)
        if max(a, b) < 0.01:  # views and tiny tables: timer noise
            continue
        print(f"  {name:<34} {a:6.3f} {b:6.3f}  ratio {b / a if a else float('inf'):5.2f}")


def main() -> None:
    """Print the incremental cost of one day on short vs long history, and the full rebuild."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=600)
    parser.add_argument("--nodes", type=int, default=40)
    parser.add_argument("--short-days", type=int, default=7)
    parser.add_argument("--long-days", type=int, default=90)
    parser.add_argument("--verbose", action="store_true", help="time of every model")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        short = _measure(folder, args.short_days, args.containers, args.nodes)
        long = _measure(folder, args.long_days, args.containers, args.nodes)
    if VERBOSE:
        _print_models(short, long, args.short_days, args.long_days)
    for days, m in ((args.short_days, short), (args.long_days, long)):
        print(f"history {days:>3} days ({m.container_hours:>9,} container-hours): full "
              f"{m.full:6.2f} s; one more day {m.incremental:5.2f} s ({m.incremental_cpu:5.2f} s "
              f"CPU), of which incremental models {m.incremental_models:5.2f} s")
    print(f"one more day, {args.long_days} vs {args.short_days} days of history: ratio "
          f"{long.incremental / short.incremental:.2f} for the whole transform "
          f"({long.incremental_cpu / short.incremental_cpu:.2f} in CPU time), "
          f"{long.incremental_models / short.incremental_models:.2f} for the incremental "
          "models (1.0 = independent of history)")
    print(f"full rebuild of {args.long_days} days: {long.full:.2f} s "
          f"({long.full / short.full:.1f}x the {args.short_days}-day rebuild)")


if __name__ == "__main__":
    main()
