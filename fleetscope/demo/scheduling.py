"""Scheduling and the integration components' golden signals of the simulation, as the dump's
optional series (`collectors.prometheus.ga_series`), and the planted capacity crunch.

Every pod scheduled in the window gets kube-state-metrics' `kube_pod_created` and
`kube_pod_status_scheduled_time` (unix seconds) and its Pending share of each hour; a pod is
created 1 to 6 seconds before the simulation starts it, except the crunch's overflow pods, which
wait hours (and are `kube_pod_status_unschedulable` meanwhile). Simplification: a pod's series
are written for the hours from its creation to the hour it was scheduled in (the marts read no
later ones), not for its whole life.

The golden signals (one series per default `[[prometheus.golden_signals]]` query, the worst
series per hour) are low noise, with the API server's p99 latency rising with the hour's pod
creations and unschedulable pods (the scheduler retries them).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np

from fleetscope.demo.cluster import _suffix, _uid
from fleetscope.demo.metrics import _Rows, _sorted, daily_results
from fleetscope.demo.model import POOLS, Container, Node, Pod, Simulation
from fleetscope.demo.plan_ga import CRUNCH_CLUSTER, CRUNCH_HOUR, CRUNCH_RUN_HOURS, GaPlan

CRUNCH_CPU, CRUNCH_MEMORY = 2.0, 4 * 2**30  # the load test's pod requests
CRUNCH_FILL = 0.95  # the load test fills the general pool's nodes up to this share
SIGNALS = (
    ("apiserver", "error_ratio"),
    ("apiserver", "latency_p99"),
    ("apiserver", "saturation"),
    ("coredns", "error_ratio"),
    ("coredns", "latency_p99"),
    ("etcd", "latency_p99"),
)


def _used(pods: list[Pod], node_name: str, start: float, end: float) -> tuple[float, float]:
    """CPU and memory the node's pods overlapping [start, end) request (an upper bound)."""
    cpu = memory = 0.0
    for pod in pods:
        if (
            pod.node is not None
            and pod.node.name == node_name
            and pod.start < end
            and pod.end > start
        ):
            cpu += sum(c.cpu_request or 0.0 for c in pod.containers)
            memory += sum(c.memory_request or 0.0 for c in pod.containers)
    return cpu, memory


def _slots(sim: Simulation, at: float) -> list[Node]:
    """A node of the crunch cluster's general pool once per load-test pod it fits at `at`
    (requests up to 95% of allocatable, counting every pod it holds in the next 12 hours)."""
    pool = POOLS[CRUNCH_CLUSTER]["general"]
    alloc_cpu = pool.cpus - 0.09  # as node_object's allocatable
    alloc_memory = (pool.memory_gib * 1024 * 1024 - 520_000 - 1_500_000) * 1024.0
    slots = []
    for node in sim.nodes[CRUNCH_CLUSTER]:
        if node.pool is not pool or node.created > at:
            continue
        cpu, memory = _used(sim.pods[CRUNCH_CLUSTER], node.name, at, at + 2 * CRUNCH_RUN_HOURS)
        fit = min(
            (CRUNCH_FILL * alloc_cpu - cpu) // CRUNCH_CPU,
            (CRUNCH_FILL * alloc_memory - memory) // CRUNCH_MEMORY,
        )
        slots += [node] * max(0, int(fit))
    return slots


def add_crunch(sim: Simulation, plan: GaPlan, seed: int) -> None:
    """The load test of each crunch day: as many 2-core pods as the general pool's nodes fit
    (to 95% of allocatable) at 09:00 for 6 hours, and half as many again (at least 6), created
    at 09:00 but Pending until the first wave ends. Their pods are added to the simulation and
    their creation hours to `sim.created`."""
    if not plan.crunch or CRUNCH_CLUSTER not in sim.pods:
        return
    rng = np.random.default_rng([seed, 8])
    team, namespace = sorted(
        (u.app.team, u.app.namespace) for u in sim.units[CRUNCH_CLUSTER] if u.app.team != "platform"
    )[0]
    image = f"registry.example.com/{team}/load-test:2.1.0"
    added: list[Pod] = []
    for day in plan.crunch:
        at = 24.0 * day + CRUNCH_HOUR
        slots = _slots(sim, at)
        job = f"load-test-{29_000_000 + int(at * 60)}"
        job_uid = _uid(rng)
        for i in range(len(slots) + max(6, len(slots) // 2)):
            wave = i // len(slots) if slots else 1
            start = at + wave * CRUNCH_RUN_HOURS + float(rng.uniform(0.5, 4)) / 3600
            container = Container(
                "load-test", image, CRUNCH_CPU, CRUNCH_MEMORY, 0, None, None, 0.9, 0.6
            )
            labels = {"app.kubernetes.io/name": "load-test", "team": team, "job-name": job}
            pod = Pod(
                CRUNCH_CLUSTER, namespace, f"{job}-{_suffix(rng, 5)}", _uid(rng), start,
                start + CRUNCH_RUN_HOURS, "Job", job, job_uid, labels, [container], None,
                node=slots[i % len(slots)] if slots else None, pool="general",
            )  # fmt: skip
            sim.created[pod.uid] = at
            added.append(pod)
    sim.pods[CRUNCH_CLUSTER].extend(added)


def _pod_rows(
    sim: Simulation, cluster: str, hours: int, rng: np.random.Generator
) -> tuple[list[dict[str, str]], _Rows]:
    """Three blocks of rows (their instances numbered per block: the same pod's series in two
    blocks share labels, and the reader merges them): the Pending hours of every pod created in
    the window, its scheduled time in its last hour (`daily_results` writes a series only when
    its first hour has a sample), and each day's first hour for the pods already running then
    (Pending 0: kube-state-metrics reports every pod, so a day without a new one still has
    rows)."""
    pods = sim.pods[cluster]
    n = len(pods)
    start = np.array([p.start for p in pods])
    end = np.array([p.end for p in pods])
    delay = rng.uniform(1.0, 6.0, size=n) / 3600
    created = np.array(
        [sim.created.get(p.uid, s - d) for p, s, d in zip(pods, start, delay, strict=True)]
    )
    new = np.flatnonzero((start >= 0) & (start < hours) & (created >= 0))
    first = np.floor(created[new]).astype(np.int64)
    count = np.floor(start[new]).astype(np.int64) - first + 1
    inst = np.repeat(new, count)
    hour = np.repeat(first, count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    pending = np.clip(np.minimum(start[inst], hour + 1) - np.maximum(created[inst], hour), 0, 1)
    waited = (start - created)[inst] > 1 / 60  # the scheduler gave up at least once
    alive, alive_hour = _running(start, end, hours)
    blocks = [  # (instances, hours, {series: values}); a missing series is NaN
        (
            inst,
            hour,
            {
                "pod_created_time": np.round(created * 3600)[inst],
                "pod_pending_fraction": np.round(pending, 4),
                "pod_unschedulable": np.where(waited, 1.0, np.nan),
            },
        ),
        (
            new + n,
            np.floor(start[new]).astype(np.int64),
            {"pod_scheduled_time": np.round(start * 3600)[new]},
        ),
        (
            alive + 2 * n,
            alive_hour,
            {
                "pod_created_time": np.round(created * 3600)[alive],
                "pod_pending_fraction": np.zeros(len(alive)),
            },
        ),
    ]
    rows = _stack(blocks)
    labels = [{"namespace": p.namespace, "pod": p.name} for p in pods]
    return labels * 3, _sorted(rows)


def _stack(blocks: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]]) -> _Rows:
    """Blocks of (instances, hours, {series: values}) as one set of rows, NaN where a block
    has no such series."""
    names = ("pod_created_time", "pod_scheduled_time", "pod_pending_fraction", "pod_unschedulable")
    return _Rows(
        np.concatenate([b[0] for b in blocks]),
        np.concatenate([b[1] for b in blocks]),
        {
            name: np.concatenate([b[2].get(name, np.full(len(b[0]), np.nan)) for b in blocks])
            for name in names
        },
    )


def _running(start: np.ndarray, end: np.ndarray, hours: int) -> tuple[np.ndarray, np.ndarray]:
    """(pod, hour) of the pods running at the start of each day (created before it)."""
    running = [np.flatnonzero((start < day) & (end > day)) for day in range(0, hours, 24)]
    alive = np.concatenate([np.zeros(0, dtype=np.int64), *running])
    return alive, np.repeat(np.arange(0, hours, 24), [len(r) for r in running])


def _signal_rows(rows: _Rows, hours: int, rng: np.random.Generator) -> _Rows:
    scheduled = np.bincount(
        rows.hour[np.isfinite(rows.values["pod_scheduled_time"])], minlength=hours
    )[:hours]
    stuck = np.bincount(rows.hour[np.isfinite(rows.values["pod_unschedulable"])], minlength=hours)[
        :hours
    ]
    noise = rng.lognormal(0.0, 0.15, size=(len(SIGNALS), hours))
    day_cycle = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(hours) % 24 - 9) / 24)
    series = np.stack(
        [
            0.0008 * noise[0] ** 2,
            (0.15 + 0.002 * scheduled + 0.05 * np.minimum(stuck, 14)) * noise[1],
            0.12 * day_cycle * noise[2],
            0.0002 * noise[3] ** 2,
            0.012 * noise[4],
            0.005 * noise[5],
        ]
    )
    inst = np.repeat(np.arange(len(SIGNALS)), hours)
    hour = np.tile(np.arange(hours), len(SIGNALS))
    return _sorted(_Rows(inst, hour, {"golden_signals": np.round(series.ravel(), 6)}))


def scheduling_results(
    sim: Simulation, cluster: str, seed: int, index: int, start: datetime, days: int
) -> Iterator[dict[str, Any]]:
    """Per day of the window, the dump's optional series (`query_range` bodies by name)."""
    rng = np.random.default_rng([seed, 9, index])
    hours = 24 * days
    labels, rows = _pod_rows(sim, cluster, hours, rng)
    for name in ("pod_created_time", "pod_scheduled_time"):  # seconds from hour 0 -> unix
        rows.values[name] = rows.values[name] + start.timestamp()
    signals = _signal_rows(rows, hours, rng)
    signal_labels = [{"component": c, "signal": s} for c, s in SIGNALS]
    for (_, pod_day), (_, signal_day) in zip(
        daily_results(rows, labels, start, days),
        daily_results(signals, signal_labels, start, days),
        strict=True,
    ):
        yield {**pod_day, **signal_day}
