"""Not running, not charged: a pending pod and an hour without a running series cost nothing.

On the cluster of tests/test_cost_fixtures.py (1 $/core-hour, 0.1 $/GiB-hour), 3 hours:
  pend-1/main (beta, namespace batch) requests 2 cores and 4 GiB, has no node (never scheduled)
  and only kube-state-metrics' request series: cost 0 (before: 3 x (2 + 0.4) = 7.2 at the default
  rates, on top of the nodes), pending 3 x 2 = 6 core-hours and 3 x 4 = 12 GiB-hours.
  api-1/sidecar (alpha) has no running series in the first hour: that hour costs nothing, so
  alpha pays 8.7 - (0.25 + 0.05) = 8.4 and the 0.3 goes to n1's idle (10.95 + 0.3 = 11.25).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Window
from tests.test_cost_fixtures import (
    CONFIG,
    DAY,
    GIB,
    HOURS,
    SNAPSHOT_AT,
    inventory_tables,
    prometheus_tables,
)


@pytest.fixture
def built(warehouse):  # type: ignore[no-untyped-def]
    tables = inventory_tables()
    pending_pod = {
        "namespace": "batch",
        "pod_name": "pend-1",
        "node_name": None,
        "phase": "Pending",
        "workload_kind": "Deployment",
        "workload_name": "worker",
        "labels": "{}",
    }
    pending_container = {
        "namespace": "batch",
        "pod_name": "pend-1",
        "container_name": "main",
        "cpu_request_cores": 2.0,
        "memory_request_bytes": 4.0 * GIB,
    }
    tables["raw_k8s_pods"] = pd.concat([tables["raw_k8s_pods"], pd.DataFrame([pending_pod])])
    tables["raw_k8s_containers"] = pd.concat(
        [tables["raw_k8s_containers"], pd.DataFrame([pending_container])]
    )
    warehouse.load(LoadBatch("kubernetes", "c1", SNAPSHOT_AT, tables))
    prom = prometheus_tables()
    rows = prom["raw_prom_container_hours"]
    first = (rows["container_name"] == "sidecar") & (rows["hour_start"] == DAY)
    rows.loc[first, "running_hours"] = None
    pending = pd.DataFrame(
        [
            {
                "hour_start": DAY + timedelta(hours=h),
                "namespace": "batch",
                "pod_name": "pend-1",
                "container_name": "main",
                "node_name": None,
                "cpu_usage_cores": None,
                "memory_working_set_bytes_avg": None,
                "memory_working_set_bytes_max": None,
                "cpu_request_cores": 2.0,
                "memory_request_bytes": 4.0 * GIB,
                "running_hours": None,
            }
            for h in range(HOURS)
        ]
    )
    prom["raw_prom_container_hours"] = pd.concat([rows, pending], ignore_index=True)
    end = DAY + timedelta(hours=HOURS)
    warehouse.load(LoadBatch("prometheus", "c1", end, prom, window=Window(DAY, end)))
    transform_warehouse(warehouse, CONFIG)
    return warehouse


def test_a_pending_pod_costs_nothing_and_its_requests_are_kept(built) -> None:  # type: ignore[no-untyped-def]
    row = built.con.execute(
        "select sum(total_cost), sum(pending_cpu_core_hours), sum(pending_ram_gib_hours) "
        "from int_workload_costs_daily where team = 'beta'"
    ).fetchone()
    # beta's worker alone: 3 x (1.0 + 0.3) = 3.9 (tests/test_cost_model.py)
    assert row == pytest.approx((3.9, 6.0, 12.0))
    # The cluster's day keeps the pending requests for capacity and scheduling: 6 and 12.
    pending = built.con.execute(
        "select pending_cpu_core_hours, pending_ram_gib_hours from mart_cluster_utilization_daily "
        "where cluster = 'c1' and usage_date = ?", [DAY.date()]).fetchone()
    assert pending == pytest.approx((6.0, 12.0))


def test_an_hour_without_a_running_series_costs_nothing(built) -> None:  # type: ignore[no-untyped-def]
    teams = dict(
        built.con.execute(
            "select team, total_cost from mart_team_cost_daily where cost_date = ?", [DAY.date()]
        ).fetchall()
    )
    assert teams["alpha"] == pytest.approx(8.7 - 0.3)
    assert teams["__idle__"] == pytest.approx(10.95 + 0.3)
    assert sum(teams.values()) == pytest.approx(25.2)
    assert check_invariants(built.con) == []
