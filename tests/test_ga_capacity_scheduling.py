"""Capacity, scheduling and golden signals from a real Prometheus (promtool backfill) and a List.

Cluster `prod`, three days D1..D3 = 2026-11-02..04, samples every 5 minutes from 23:00 the day
before D1 to 01:00 after D3 (so every hour of the window is whole); fleetscope runs without a
config (defaults: [capacity] threshold 80 %, node pool labels karpenter first).

Capacity on D3. Nodes (the List says allocatable; Prometheus says capacity):
  a  4 cores 16 GiB, karpenter.sh/nodepool=general
  b  4 cores 16 GiB, karpenter.sh/nodepool=general
  c  8 cores 32 GiB, allocatable 7.5 cores (kubelet reserve), eks.amazonaws.com/nodegroup=batch
     and agentpool=ignored (the first configured label wins: batch)
Pods (requests, all day): a: p1 1 core 2 GiB, p2 1.5 cores 2 GiB; b: p3 2.5 cores 1 GiB
  (0.5 on D1, 1.5 on D2); c: p4 1 core 4 GiB, p5 0.5 core 8 GiB.
  median pod request D3: cpu of [0.5, 1, 1, 1.5, 2.5] = 1 core; memory of [1, 2, 2, 4, 8] = 2 GiB
  a: free 4 - 2.5 = 1.5 cores -> floor(1.5 / 1) = 1; 16 - 4 = 12 GiB -> 6; min = 1
  b: free 4 - 2.5 = 1.5 cores -> 1;                  16 - 1 = 15 GiB -> 7; min = 1
  general: 1 + 1 = 2 median pods (pooled, 3 cores free / 1 would say 3: a pod cannot span nodes)
  c: free 7.5 - 1.5 = 6 cores -> 6;                  32 - 12 = 20 GiB -> 10; min = 6
  general CPU requested: D1 (2.5 + 0.5) / 8 = 37.5 %, D2 4 / 8 = 50 %, D3 5 / 8 = 62.5 %
  Theil-Sen on D3: slopes 12.5, 12.5, 12.5 -> 12.5 %/day; fitted 62.5 %;
  days to 80 % = ceil((80 - 62.5) / 12.5) = ceil(1.4) = 2
  batch D3: CPU 1.5 / 7.5 = 20 %, memory 12 / 32 = 37.5 % -> share 37.5 %, flat: no date.

Scheduling on D3 (namespace sched, kube-state-metrics only):
  s1 created 10:00:00 scheduled 10:00:02 (2 s), s2 10:00:00 -> 10:00:04 (4 s),
  s3 11:00:00 -> 11:00:06 (6 s), s4 12:00:00 -> 12:00:10 (10 s),
  s5 13:00:00 -> 13:30:00 (1800 s; Pending and unschedulable 13:00-13:30),
  s6 created 20:00, never scheduled (Pending and unschedulable to the end).
  p50 of [2, 4, 6, 10, 1800] = 6 s; p95: rank 0.95 x 4 = 3.8 -> 10 + 0.8 x 1790 = 1442 s
  pending pod-hours: s5 6 samples of 12 in hour 13 = 0.5 h; s6 20:00-24:00 = 4 h; total 4.5 h

Golden signals: apiserver_request_total code 200 +98 per 5 minutes all along; code 500 +2 per
5 minutes in D3 15:00-16:00 only: that hour's 5xx ratio = 2 / (98 + 2) = 0.02 > 0.01 -> fail
(D1, D2: 0 -> pass). Latency: every request in the le=0.1 bucket: p99 interpolated in
[0, 0.1] = 0.1 x 0.99 = 0.099 s < 0.5 -> pass.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import prom_cluster as cluster
import pytest
from click.testing import CliRunner
from prom_cluster import GIB, Container, Node, Pod
from prometheus_server import Series

from fleetscope.cli import cli

START = datetime(2026, 11, 1, 23, tzinfo=UTC)  # first sample
D3 = datetime(2026, 11, 4, tzinfo=UTC)
MINUTES = range(0, (3 * 24 + 2) * 60, 5)  # to 01:00 after D3
NODES = [Node("a", 4, 16 * GIB), Node("b", 4, 16 * GIB), Node("c", 8, 32 * GIB)]
POOL_LABELS = {
    "a": {"karpenter.sh/nodepool": "general"},
    "b": {"karpenter.sh/nodepool": "general"},
    "c": {"agentpool": "ignored", "eks.amazonaws.com/nodegroup": "batch"},
}
PODS = [
    Pod("web", "p1", "a", "web", [Container("app", 1, 2 * GIB)]),
    Pod("web", "p2", "a", "web", [Container("app", 1.5, 2 * GIB)]),
    Pod("web", "p3", "b", "web", [Container("app", 2.5, 1 * GIB)]),
    Pod("batch", "p4", "c", "data", [Container("app", 1, 4 * GIB)]),
    Pod("batch", "p5", "c", "data", [Container("app", 0.5, 8 * GIB)]),
]


def _minute(at: datetime) -> int:
    return int((at - START).total_seconds() // 60)


def _p3_request(m: int) -> float:
    """p3's CPU request grows a core a day: 0.5 on D1, 1.5 on D2, 2.5 on D3."""
    day = (m - 60) // (24 * 60)  # minute 60 is D1 00:00
    return {0: 0.5, 1: 1.5}.get(day, 2.5)


def _capacity_history() -> list[Series]:
    out = []
    for node in NODES:
        out += cluster.node_history(node, START, MINUTES)
    for pod in PODS:
        for series in cluster.pod_history(pod, START, MINUTES):
            if pod.name == "p3" and series.labels.get("resource") == "cpu":
                series.samples = [
                    (t, _p3_request((t - int(START.timestamp())) // 60)) for t, _ in series.samples
                ]
            out.append(series)
    return out


def _ksm(name: str, pod: str, since: datetime, value, **labels: str) -> Series:
    first = _minute(since)
    minutes = [m for m in MINUTES if m >= first]
    return cluster.per_minute(
        name,
        {"namespace": "sched", "pod": pod, **labels},
        START,
        range(minutes[0], MINUTES.stop, 5),
        value,
    )


def _scheduling_history() -> list[Series]:
    at = D3.replace
    pods = [  # (pod, created, scheduled or None, pending until, unschedulable until)
        ("s1", at(hour=10), at(hour=10, second=2)),
        ("s2", at(hour=10), at(hour=10, second=4)),
        ("s3", at(hour=11), at(hour=11, second=6)),
        ("s4", at(hour=12), at(hour=12, second=10)),
        ("s5", at(hour=13), at(hour=13, minute=30)),
        ("s6", at(hour=20), None),
    ]
    out = []
    for pod, created, scheduled in pods:
        out.append(_ksm("kube_pod_created", pod, created, lambda m, c=created: c.timestamp()))
        if scheduled is not None:
            out.append(
                _ksm(
                    "kube_pod_status_scheduled_time",
                    pod,
                    scheduled,
                    lambda m, s=scheduled: s.timestamp(),
                )
            )
        pending_end = _minute(scheduled) if scheduled else MINUTES.stop
        out.append(
            _ksm(
                "kube_pod_status_phase",
                pod,
                created,
                lambda m, e=pending_end: 1 if m < e else 0,
                phase="Pending",
            )
        )
        if scheduled is None or scheduled - created > timedelta(minutes=1):
            end = D3 + timedelta(days=1, hours=1) if scheduled is None else scheduled
            first = _minute(created)
            out.append(
                cluster.per_minute(
                    "kube_pod_status_unschedulable",
                    {"namespace": "sched", "pod": pod},
                    START,
                    range(first, _minute(end), 5),
                    lambda m: 1,
                )
            )
    return out


def _apiserver_history() -> list[Series]:
    bad_from, bad_to = _minute(D3.replace(hour=15)), _minute(D3.replace(hour=16))

    def errors(m: int) -> float:  # +2 per sample in (15:00, 16:00]
        return 2 * len([x for x in range(bad_from + 5, min(m, bad_to) + 1, 5)])

    out = [
        cluster.per_minute(
            "apiserver_request_total",
            {"code": "200", "verb": "GET"},
            START,
            MINUTES,
            lambda m: 98 * m / 5,
        ),
        cluster.per_minute(
            "apiserver_request_total", {"code": "500", "verb": "GET"}, START, MINUTES, errors
        ),
    ]
    for le in ("0.1", "0.5", "1", "+Inf"):
        out.append(
            cluster.per_minute(
                "apiserver_request_duration_seconds_bucket",
                {"le": le, "verb": "GET", "scope": "resource"},
                START,
                MINUTES,
                lambda m: 100 * m / 5,
            )
        )
    return out


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    inventory = cluster.k8s_list(NODES, {"web": "web", "batch": "data"}, PODS)
    for item in inventory["items"]:
        if item["kind"] == "Node":
            item["metadata"]["labels"] = POOL_LABELS[item["metadata"]["name"]]
            if item["metadata"]["name"] == "c":
                item["status"]["allocatable"]["cpu"] = "7500m"
    work = tmp_path_factory.mktemp("ga")
    return cluster.collect_and_transform(
        work,
        inventory,
        _capacity_history() + _scheduling_history() + _apiserver_history(),
        collected_at="2026-11-02T00:30:00Z",
        start="2026-11-02T00:00:00Z",
        end="2026-11-05T00:00:00Z",
        dump=work / "dump.json",
    )


def test_median_pods_that_fit_are_counted_per_node(warehouse):
    rows = cluster.query(
        warehouse,
        "select node_pool, count_nodes, cpu_allocatable_cores, cpu_requested_cores, "
        "cpu_headroom_cores, memory_allocatable_gib, memory_requested_gib, "
        "median_pod_cpu_cores, median_pod_memory_gib, count_median_pods_fit "
        "from mart_cluster_capacity_daily where usage_date = date '2026-11-04' "
        "order by node_pool",
    )
    assert rows == [
        pytest.approx(("batch", 1, 7.5, 1.5, 6.0, 32.0, 12.0, 1.0, 2.0, 6)),
        pytest.approx(("general", 2, 8.0, 5.0, 3.0, 32.0, 5.0, 1.0, 2.0, 2)),
    ]


def test_days_to_threshold_follow_the_theil_sen_trend(warehouse):
    rows = cluster.query(
        warehouse,
        "select node_pool, requested_share_pct, slope_pct_per_day, fitted_share_pct, "
        "count_trend_days, days_to_threshold from mart_cluster_capacity_daily "
        "where usage_date = date '2026-11-04' order by node_pool",
    )
    assert rows == [
        pytest.approx(("batch", 37.5, 0.0, 37.5, 3, None)),
        pytest.approx(("general", 62.5, 12.5, 62.5, 3, 2)),
    ]


def test_time_to_schedule_and_pending_from_kube_state_metrics(warehouse):
    [row] = cluster.query(
        warehouse,
        "select count_pods_scheduled, schedule_seconds_p50, schedule_seconds_p95, "
        "schedule_seconds_max, pending_pod_hours, count_pods_pending, "
        "count_pods_unschedulable from mart_scheduling_daily "
        "where cluster = 'prod' and usage_date = date '2026-11-04'",
    )
    assert row == pytest.approx((5, 6.0, 1442.0, 1800.0, 4.5, 2, 2))


def test_an_error_ratio_over_its_threshold_fails(warehouse):
    rows = cluster.query(
        warehouse,
        "select usage_date, component, signal, value, warn_above, fail_above, status, "
        "count_hours_failing from mart_integration_signals_daily order by signal, usage_date",
    )
    day = [datetime(2026, 11, d).date() for d in (2, 3, 4)]
    assert rows == [
        pytest.approx((day[0], "apiserver", "error_ratio", 0.0, 0.005, 0.01, "pass", 0)),
        pytest.approx((day[1], "apiserver", "error_ratio", 0.0, 0.005, 0.01, "pass", 0)),
        pytest.approx((day[2], "apiserver", "error_ratio", 0.02, 0.005, 0.01, "fail", 1)),
        *(pytest.approx((d, "apiserver", "latency_p99", 0.099, 0.5, 1.0, "pass", 0)) for d in day),
    ]


def test_the_dump_reloads_to_the_same_rows(warehouse, tmp_path):
    # the live collection wrote its document; read back offline, it loads the same rows
    copy = tmp_path / "wh.duckdb"
    result = CliRunner().invoke(
        cli,
        [
            "--warehouse",
            str(copy),
            "-q",
            "collect",
            "prometheus",
            "--from-file",
            str(warehouse.parent / "dump.json"),
        ],
        env={"FLEETSCOPE_CONFIG": None},
    )
    assert result.exit_code == 0, result.output
    for table in ("raw_prom_pod_scheduling", "raw_prom_golden_signals"):
        sql = f"select * exclude (load_id, collected_at) from {table} order by all"
        live, offline = cluster.query(warehouse, sql), cluster.query(copy, sql)
        assert live == offline and len(live) > 0, table


def test_pool_labels_and_threshold_come_from_the_config(tmp_path):
    # only agentpool names a pool: a and b have none (__none__), c is `ignored`; at a 60 %
    # threshold a and b's 62.5 % has already passed it (0 days), c's 37.5 % is flat (NULL)
    inventory = cluster.k8s_list(NODES, {"web": "web", "batch": "data"}, PODS)
    for item in inventory["items"]:
        if item["kind"] == "Node":
            item["metadata"]["labels"] = POOL_LABELS[item["metadata"]["name"]]
    wh = cluster.collect_and_transform(
        tmp_path,
        inventory,
        _capacity_history(),
        collected_at="2026-11-02T00:30:00Z",
        start="2026-11-02T00:00:00Z",
        end="2026-11-05T00:00:00Z",
        config='[capacity]\nnode_pool_labels = ["agentpool"]\nrequested_share_threshold_pct = 60\n',
    )
    rows = cluster.query(
        wh,
        "select node_pool, count_nodes, requested_share_pct, days_to_threshold "
        "from mart_cluster_capacity_daily where usage_date = date '2026-11-04' order by 1",
    )
    # c keeps its full 8 cores here (no allocatable override): 1.5 / 8 = 18.75 % CPU,
    # 12 / 32 = 37.5 % memory
    assert rows == [
        pytest.approx(("__none__", 2, 62.5, 0)),
        pytest.approx(("ignored", 1, 37.5, None)),
    ]
