"""Hourly Prometheus series of the simulation, as `query_range` responses in daily dumps.

Usage follows a daily cycle (peak in the afternoon, quieter weekends) with noise; most apps use a
fraction of what they request, a few run above it, containers without requests use what they
use. A sample at timestamp T describes the hour ending at T (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from fleetscope.demo.model import Node, Pod

CONTAINER_SERIES = ("container_cpu_usage_cores", "container_memory_working_set_bytes_avg",
                    "container_memory_working_set_bytes_max", "container_cpu_request_cores",
                    "container_memory_request_bytes", "container_gpu_request",
                    "container_running_fraction")
NODE_SERIES = ("node_cpu_capacity_cores", "node_memory_capacity_bytes", "node_gpu_capacity",
               "node_present_fraction")


@dataclass
class _Rows:
    """One row per series instance and hour, sorted by (day, instance, hour)."""

    instance: np.ndarray
    hour: np.ndarray
    values: dict[str, np.ndarray]  # NaN where a series has no sample


def _expand(start: np.ndarray, end: np.ndarray, hours: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(instance, hour, fraction of the hour alive) for every hour an instance touches."""
    s = np.clip(start, 0, hours)
    e = np.clip(end, 0, hours)
    first = np.floor(s).astype(np.int64)
    last = np.ceil(e).astype(np.int64)
    count = np.where(e > s, last - first, 0)
    instance = np.repeat(np.arange(len(start)), count)
    offsets = np.cumsum(count) - count
    hour = first[instance] + (np.arange(count.sum()) - offsets[instance])
    fraction = np.minimum(e[instance], hour + 1) - np.maximum(s[instance], hour)
    return instance, hour, np.clip(fraction, 0.0, 1.0)


def container_rows(rng: np.random.Generator, pods: list[Pod], nodes: list[Node],
                   hours: int, first_weekday: int) -> tuple[list[tuple[Pod, int]], _Rows]:
    """Every container's hourly usage, requests and running fraction."""
    instances = [(pod, i) for pod in pods for i in range(len(pod.containers))
                 if pod.end > 0 and pod.start < hours]
    start = np.array([p.start for p, _ in instances])
    end = np.array([p.end for p, _ in instances])
    containers = [p.containers[i] for p, i in instances]
    cpu_request = np.array([np.nan if c.cpu_request is None else c.cpu_request
                            for c in containers])
    memory_request = np.array([np.nan if c.memory_request is None else c.memory_request
                               for c in containers])
    gpu_request = np.array([c.gpu_request if c.gpu_request else np.nan for c in containers])
    cpu_limit = np.array([np.inf if c.cpu_limit is None else c.cpu_limit for c in containers])
    cpu_base = np.where(np.isnan(cpu_request), [c.cpu_util for c in containers],
                        np.nan_to_num(cpu_request) * [c.cpu_util for c in containers])
    memory_base = np.where(np.isnan(memory_request), [c.memory_util for c in containers],
                           np.nan_to_num(memory_request) * [c.memory_util for c in containers])
    # Each app has its own peak hour and swing; pods of one app share them.
    app_keys = sorted({(p.app.app_id if p.app else p.owner_name) for p, _ in instances})
    app_index = {k: i for i, k in enumerate(app_keys)}
    peak = rng.uniform(11, 20, size=len(app_keys))
    swing = rng.uniform(0.15, 0.6, size=len(app_keys))
    which = np.array([app_index[p.app.app_id if p.app else p.owner_name] for p, _ in instances],
                     dtype=np.int64)
    batch = np.array([p.owner_kind == "Job" for p, _ in instances])
    node_of = {node.name: i for i, node in enumerate(nodes)}
    node_index = np.array([node_of[p.node.name] if p.node else 0 for p, _ in instances],
                          dtype=np.int64)

    inst, hour, fraction = _expand(start, end, hours)
    hour_of_day = hour % 24
    weekday = (first_weekday + hour // 24) % 7
    cycle = 1 + swing[which[inst]] * np.cos(2 * np.pi * (hour_of_day - peak[which[inst]]) / 24)
    cycle = np.where(batch[inst], 1.0, cycle * np.where(weekday >= 5, 0.75, 1.0))
    noise = rng.lognormal(0, 0.15, size=len(inst))
    cpu = np.minimum(cpu_base[inst] * cycle * noise, cpu_limit[inst]) * fraction
    memory_avg = memory_base[inst] * (1 + 0.2 * (cycle - 1)) * rng.lognormal(0, 0.03,
                                                                               size=len(inst))
    memory_max = memory_avg * (1 + np.abs(rng.normal(0.1, 0.05, size=len(inst))))
    # Keep each node's total usage under its capacity (the kernel would throttle it anyway).
    key = node_index[inst] * hours + hour
    capacity = np.array([n.pool.cpus for n in nodes], dtype=float)[node_index[inst]]
    per_node = np.bincount(key, weights=cpu, minlength=len(nodes) * hours)[key]
    cpu = cpu * np.minimum(1.0, 0.9 * capacity / np.maximum(per_node, 1e-9))
    values = {
        "container_cpu_usage_cores": np.round(cpu, 5),
        "container_memory_working_set_bytes_avg": np.round(memory_avg),
        "container_memory_working_set_bytes_max": np.round(memory_max),
        "container_cpu_request_cores": cpu_request[inst],
        "container_memory_request_bytes": memory_request[inst],
        "container_gpu_request": gpu_request[inst],
        "container_running_fraction": np.round(fraction, 4),
    }
    return instances, _sorted(_Rows(inst, hour, values))


def node_rows(nodes: list[Node], hours: int) -> _Rows:
    """Capacity of every node for each hour it existed."""
    start = np.array([n.created for n in nodes])
    end = np.full(len(nodes), float(hours))
    inst, hour, fraction = _expand(start, end, hours)
    cpus = np.array([n.pool.cpus for n in nodes], dtype=float)
    memory = np.array([(n.pool.memory_gib * 1024 * 1024 - 520_000) * 1024 for n in nodes],
                      dtype=float)
    gpus = np.array([n.pool.gpus if n.pool.gpus else np.nan for n in nodes])
    values = {"node_cpu_capacity_cores": cpus[inst], "node_memory_capacity_bytes": memory[inst],
              "node_gpu_capacity": gpus[inst], "node_present_fraction": np.round(fraction, 4)}
    return _sorted(_Rows(inst, hour, values))


def merge_rows(rows: _Rows, offset: int, more: _Rows) -> _Rows:
    """Both sets of rows, `more`'s instances numbered after the first `offset`."""
    return _sorted(_Rows(np.concatenate([rows.instance, more.instance + offset]),
                         np.concatenate([rows.hour, more.hour]),
                         {k: np.concatenate([v, more.values[k]]) for k, v in rows.values.items()}))


def _sorted(rows: _Rows) -> _Rows:
    order = np.lexsort((rows.hour, rows.instance, rows.hour // 24))
    return _Rows(rows.instance[order], rows.hour[order],
                 {k: v[order] for k, v in rows.values.items()})


def _text(values: np.ndarray, integral: bool) -> list[str | None]:
    """Prometheus sample values are strings; NaN marks 'no sample'."""
    if integral:
        finite = np.isfinite(values)
        out: list[str | None] = list(map(str, np.where(finite, values, 0).astype(np.int64)
                                         .tolist()))
        for i in np.flatnonzero(~finite).tolist():
            out[i] = None
        return out
    return [None if v != v else repr(v) for v in values.tolist()]


_INTEGRAL = {"container_memory_working_set_bytes_avg", "container_memory_working_set_bytes_max",
             "container_memory_request_bytes", "node_memory_capacity_bytes",
             "container_gpu_request", "node_cpu_capacity_cores", "node_gpu_capacity",
             "pod_created_time", "pod_scheduled_time", "pod_unschedulable"}


def daily_results(rows: _Rows, labels: list[dict[str, str]], start: datetime, days: int
                  ) -> Iterator[tuple[int, dict[str, Any]]]:
    """(day, {series name: query_range body}) for each day of the window."""
    epoch = int(start.timestamp())  # `start` is timezone-aware UTC
    stamps = (epoch + (rows.hour + 1) * 3600).tolist()
    text = {name: _text(v, name in _INTEGRAL) for name, v in rows.values.items()}
    day = rows.hour // 24
    group_key = day * (int(rows.instance.max(initial=0)) + 1) + rows.instance
    bounds = np.flatnonzero(np.diff(group_key)) + 1
    starts = np.concatenate([[0], bounds]).tolist()
    ends = np.concatenate([bounds, [len(group_key)]]).tolist()
    group_day = day[starts].tolist() if len(group_key) else []
    group_inst = rows.instance[starts].tolist() if len(group_key) else []
    g = 0
    n_groups = len(starts) if len(group_key) else 0
    for d in range(days):
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in rows.values}
        while g < n_groups and group_day[g] == d:
            a, b = starts[g], ends[g]
            metric = labels[group_inst[g]]
            ts = stamps[a:b]
            for name, column in text.items():
                if column[a] is None:
                    continue  # absent series (no request set, no GPU)
                results[name].append({"metric": metric, "values": list(zip(ts, column[a:b],
                                                                           strict=True))})
            g += 1
        yield d, {name: {"status": "success",
                         "data": {"resultType": "matrix", "result": result}}
                  for name, result in results.items() if result}
