"""Shared namespaces and overhead on the cost fixture cluster, worked out by hand.

The fixture cluster (tests/test_cost_fixtures.py, worked in tests/test_cost_model.py) plus a
kube-system namespace owned by team `platform`, with one pod coredns-1 on n1 that requests
0.5 core and 1 GiB and uses less: charged 0.5 x 1.0 + 1 x 0.1 = 0.6 per hour, 1.8 for the
three hours. It fits in n1's idle CPU (2.25 cores) and RAM, so the other teams are unchanged:
  alpha 8.7, beta 3.9, __unallocated__ 1.65, platform 1.8, __idle__ 10.95 - 1.8 = 9.15 (25.2).
Overhead 0.35 per hour on c1: 3 node-hours of the cluster -> 1.05 of new money.
Pool to spread = kube-system 1.8 + overhead 1.05 = 2.85.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pandas as pd
import pytest

from fleetscope.config import Config, parse_config
from fleetscope.errors import ConfigError
from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.sharing import sharing_tables
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse, Window
from tests import test_cost_fixtures as fx


def _config(sharing: dict[str, object]) -> Config:
    """The cost fixtures' round prices with `sharing`."""
    return dataclasses.replace(fx.CONFIG, sharing=parse_config({"sharing": sharing}).sharing)


def _with_kube_system(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    extra = {
        "raw_k8s_namespaces": {"namespace": "kube-system", "labels": '{"team": "platform"}'},
        "raw_k8s_workloads": {
            "namespace": "kube-system",
            "workload_kind": "Deployment",
            "workload_name": "coredns",
            "labels": "{}",
        },
        "raw_k8s_pods": {
            "namespace": "kube-system",
            "pod_name": "coredns-1",
            "node_name": "n1",
            "phase": "Running",
            "workload_kind": "Deployment",
            "workload_name": "coredns",
            "labels": "{}",
        },
        "raw_k8s_containers": {
            "namespace": "kube-system",
            "pod_name": "coredns-1",
            "container_name": "coredns",
            "cpu_request_cores": 0.5,
            "memory_request_bytes": 1.0 * fx.GIB,
        },
    }
    return {
        name: pd.concat([frame, pd.DataFrame([extra[name]])], ignore_index=True)
        if name in extra
        else frame
        for name, frame in tables.items()
    }


def _coredns_hours() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "hour_start": fx.DAY + timedelta(hours=h),
                "namespace": "kube-system",
                "pod_name": "coredns-1",
                "container_name": "coredns",
                "node_name": "n1",
                "cpu_usage_cores": 0.1,
                "memory_working_set_bytes_avg": 0.5 * fx.GIB,
                "memory_working_set_bytes_max": 0.5 * fx.GIB,
                "cpu_request_cores": None,
                "memory_request_bytes": None,
                "running_hours": 1.0,
            }
            for h in range(fx.HOURS)
        ]
    )


def _build(
    wh: Warehouse, sharing: dict[str, object], *, only_kube_system: bool = False
) -> dict[str, tuple[float, float, float]]:
    """Load the cluster (or only its kube-system pod), transform with `sharing`;
    team -> (total, idle share, shared)."""
    inventory = _with_kube_system(fx.inventory_tables(with_pods=not only_kube_system))
    wh.load(LoadBatch("kubernetes", "c1", fx.SNAPSHOT_AT, inventory))
    prom = fx.prometheus_tables()
    others = (
        prom["raw_prom_container_hours"].iloc[0:0]
        if only_kube_system
        else (prom["raw_prom_container_hours"])
    )
    prom["raw_prom_container_hours"] = pd.concat([others, _coredns_hours()], ignore_index=True)
    end = fx.DAY + timedelta(hours=fx.HOURS)
    wh.load(LoadBatch("prometheus", "c1", end, prom, window=Window(fx.DAY, end)))
    transform_warehouse(wh, _config(sharing))
    rows = wh.con.execute(
        "select team, total_cost, idle_share_cost, shared_cost from mart_team_cost_daily "
        "where cluster = 'c1' and cost_date = ?",
        [fx.DAY.date()],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


SHARED = {"namespaces": ["kube-system"], "overhead_per_hour": {"c1": 0.35}}


def test_weighted_split_by_allocated_cost(warehouse: Warehouse) -> None:
    teams = _build(warehouse, {**SHARED, "split": "weighted"})
    total = {t: v[0] for t, v in teams.items()}
    # total_cost keeps its meaning: allocated cost, as without sharing
    assert total == pytest.approx(
        {"alpha": 8.7, "beta": 3.9, "__unallocated__": 1.65, "platform": 1.8, "__idle__": 9.15}
    )
    shared = {t: v[2] for t, v in teams.items()}
    # weights: cost outside the shared namespaces, alpha 8.7 + beta 3.9 + __unallocated__ 1.65
    # = 14.25; 2.85 / 14.25 = 0.2 per $: alpha 1.74, beta 0.78, __unallocated__ 0.33;
    # platform's only cost is kube-system, moved out: -1.8; __idle__ neither gives nor takes
    assert shared == pytest.approx(
        {"alpha": 1.74, "beta": 0.78, "__unallocated__": 0.33, "platform": -1.8, "__idle__": 0.0}
    )
    # with sharing the teams add up to nodes 25.2 + overhead 1.05 = 26.25; platform to 0
    assert sum(v[0] + v[2] for v in teams.values()) == pytest.approx(26.25)
    assert total["platform"] + shared["platform"] == pytest.approx(0.0)
    assert check_invariants(warehouse.con) == []


def test_even_split_over_the_teams_with_cost(warehouse: Warehouse) -> None:
    teams = _build(warehouse, {**SHARED, "split": "even"})
    shared = {t: v[2] for t, v in teams.items()}
    # three teams with cost outside kube-system (alpha, beta, __unallocated__): 2.85 / 3 = 0.95
    assert shared == pytest.approx(
        {"alpha": 0.95, "beta": 0.95, "__unallocated__": 0.95, "platform": -1.8, "__idle__": 0.0}
    )
    assert check_invariants(warehouse.con) == []


def test_no_sharing_config_changes_nothing(warehouse: Warehouse) -> None:
    teams = _build(warehouse, {})
    assert {t: v[2] for t, v in teams.items()} == {t: 0.0 for t in teams}
    assert teams["platform"][0] == pytest.approx(1.8)
    assert check_invariants(warehouse.con) == []


@pytest.mark.parametrize("split", ["weighted", "even"])
def test_overhead_without_teams_goes_to_unallocated(warehouse: Warehouse, split: str) -> None:
    """A cluster whose only cost is shared: the pool stays whole on `__unallocated__`."""
    teams = _build(warehouse, {**SHARED, "split": split}, only_kube_system=True)
    # kube-system 1.8 + overhead 1.05 all to __unallocated__ (which had no cost of its own)
    assert {t: v[2] for t, v in teams.items()} == pytest.approx(
        {"platform": -1.8, "__unallocated__": 2.85, "__idle__": 0.0}
    )
    assert check_invariants(warehouse.con) == []


@pytest.mark.parametrize(
    ("sharing", "message"),
    [
        ({"split": "by-cpu"}, "sharing.split: expected one of weighted, even"),
        (
            {"overhead_per_hour": {"c1": -1.0}},
            "sharing.overhead_per_hour.c1: expected a number >= 0",
        ),
    ],
)
def test_bad_sharing_config_is_named(sharing: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        sharing_tables(parse_config({"sharing": sharing}))
