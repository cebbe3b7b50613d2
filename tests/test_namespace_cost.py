"""mart_namespace_cost_daily on the hand-worked cluster of tests/test_cost_model.py, plus volumes
and a Helios source.

Per hour (prices 1 $/core-hour, 0.1 $/GiB-hour; see test_cost_model.py's docstring):
  alpha   in shop:  api 1.25 + 0.25, db 1.0 + 0.4 (its request, whole)   = 2.9  -> 8.7 in 3 h
  beta    in batch: worker 1.0 + 0.3 (its burst did not fit on n2's CPU)  = 1.3  -> 3.9
  __unallocated__ in shop: ghost 0.5 + 0.05                                = 0.55 -> 1.65
  __idle__ (namespace __idle__): 2.25 + 1.3 + 0.1                          = 3.65 -> 10.95
Volumes of the day's snapshot, capacity x 24 h x 0.01 $/GiB-hour, to the team of the claim's
namespace (labels: shop -> gamma, batch -> beta):
  pv-shop  10 GiB, claim shop/data    -> gamma in shop:  2.4
  pv-batch  5 GiB, claim batch/scratch -> beta in batch:  1.2 (beta: 3.9 + 1.2 = 5.1)
  pv-free   2 GiB, no claim           -> __unmounted__ in __unbound__: 0.48
Cluster c1 on the day: 25.2 of node-hours + 4.08 of volumes = 29.28.
Efficiency (OpenCost): alpha requests 6 core-hours (api 1 + db 1 per hour), uses 2.55
(0.5 + 0.25 + 0.1 per hour): 42.5%; RAM 18 GiB-hours requested (2 + 4), 7.5 used (1 + 0.5 + 1):
41.67%; total weighted by the CPU and RAM cost 6.75 and 1.95: (0.425 x 6.75 + 0.41667 x 1.95) /
8.7 = (2.86875 + 0.8125) / 8.7 = 42.31%. beta's worker uses 1.5 of 1 core and 3 of 1 GiB: 150%
and 300%.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from helios_fake_api import document, host_status, job

from fleetscope.collectors.helios import read_dump
from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.quality.checks import build
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.reports import team as numbers
from fleetscope.reports.weeks import IsoWeek
from fleetscope.warehouse import LoadBatch, Warehouse
from tests.test_cost_fixtures import (
    CONFIG,
    DAY,
    GIB,
    SNAPSHOT_AT,
    inventory_tables,
    load_prometheus,
)

WEEK = IsoWeek.parse("2026-W45")  # Mon 2 Nov 2026 = DAY
HELIOS = document({"a:1:x": job("a:1:x", cpu_shares=1024, memory=8 * GIB)},
                  {"h1": host_status(cpus=8, memory_bytes=32 * GIB, running=("a:1:x",))})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Built once: the tests below only read it."""
    wh = Warehouse(tmp_path_factory.mktemp("ns") / "wh.duckdb")
    tables = inventory_tables()
    tables["raw_k8s_pvs"] = pd.DataFrame([
        {"pv_name": "pv-shop", "capacity_bytes": 10.0 * GIB, "claim_namespace": "shop",
         "claim_name": "data"},
        {"pv_name": "pv-batch", "capacity_bytes": 5.0 * GIB, "claim_namespace": "batch",
         "claim_name": "scratch"},
        {"pv_name": "pv-free", "capacity_bytes": 2.0 * GIB, "claim_namespace": None,
         "claim_name": None},
    ])
    wh.load(LoadBatch("kubernetes", "c1", SNAPSHOT_AT, tables))
    load_prometheus(wh)
    wh.load(read_dump(HELIOS, source="helios-eu", collected_at=datetime(2026, 11, 2, 12)))
    transform_warehouse(wh, CONFIG)
    yield wh
    wh.close()


def _namespaces(wh: Warehouse) -> dict[tuple[str, str], tuple[float, ...]]:
    rows = wh.con.execute(
        "select team, namespace, cpu_cost, ram_cost, storage_cost, total_cost "
        "from mart_namespace_cost_daily where cluster = 'c1' and cost_date = ?",
        [DAY.date()]).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_namespace_costs_match_the_hand_computation(built: Warehouse) -> None:
    ns = _namespaces(built)
    assert set(ns) == {("alpha", "shop"), ("beta", "batch"), ("gamma", "shop"),
                       ("__unallocated__", "shop"), ("__unmounted__", "__unbound__"),
                       ("__idle__", "__idle__")}
    assert ns[("alpha", "shop")] == pytest.approx((6.75, 1.95, 0.0, 8.7))
    assert ns[("beta", "batch")] == pytest.approx((3.0, 0.9, 1.2, 5.1))
    assert ns[("gamma", "shop")] == pytest.approx((0.0, 0.0, 2.4, 2.4))
    assert ns[("__unallocated__", "shop")][3] == pytest.approx(1.65)
    assert ns[("__unmounted__", "__unbound__")] == pytest.approx((0.0, 0.0, 0.48, 0.48))
    assert ns[("__idle__", "__idle__")] == pytest.approx((6.75, 4.2, 0.0, 10.95))
    assert sum(v[3] for v in ns.values()) == pytest.approx(29.28)
    assert check_invariants(built.con) == []


def test_namespaces_add_up_to_the_team_mart_and_helios_is_left_out(built: Warehouse) -> None:
    clusters = {r[0] for r in built.con.execute(
        "select distinct cluster from mart_namespace_cost_daily").fetchall()}
    assert clusters == {"c1"}
    assert built.con.execute(
        "select count(*) from mart_team_cost_daily where cluster = 'helios-eu'").fetchone()[0] > 0
    # The quality gate's own frame: one row per Kubernetes team, cluster and day.
    frames, checks = build(CONFIG, datetime(2026, 11, 3))
    frame = next(f for f in frames if f.name == "mart_namespace_cost_daily:adds_up_to_team_cost")
    assert any(c.frame == frame.name for c in checks)
    diffs = built.con.execute(frame.sql).df().set_index("team")["difference"]
    assert set(diffs.index) == {"alpha", "beta", "gamma", "__unallocated__", "__unmounted__",
                                "__idle__"}
    assert diffs.abs().max() < 1e-9
    names = {c.name for c in checks}
    assert {"mart_namespace_cost_daily.grain_unique",
            "mart_namespace_cost_daily.namespace.not_null"} <= names


def test_team_page_numbers_from_the_built_marts(built: Warehouse) -> None:
    eff = numbers.efficiency(built.con, "alpha", WEEK)
    assert eff["cpu"] == pytest.approx(42.5)
    assert eff["ram"] == pytest.approx(100 * 7.5 / 18)
    assert eff["total"] == pytest.approx(100 * (0.425 * 6.75 + 7.5 / 18 * 1.95) / 8.7)
    assert eff["total"] == pytest.approx(42.3132, abs=1e-4)
    beta = numbers.cost_by_namespace(built.con, "beta", WEEK)
    assert beta.to_dict("records") == [pytest.approx(
        {"cluster": "c1", "namespace": "batch", "cost": 5.1, "previous_cost": 0.0,
         "cpu_efficiency_pct": 150.0, "ram_efficiency_pct": 300.0})]
    # gamma only has a volume: cost, but no requests, so efficiency is unknown (NaN)
    gamma = numbers.cost_by_namespace(built.con, "gamma", WEEK)
    assert list(gamma["cost"]) == pytest.approx([2.4])
    assert gamma["cpu_efficiency_pct"].isna().all()


def test_quality_gate_fails_when_namespaces_do_not_add_up(tmp_path: Path) -> None:
    from test_ops_validate import NOW, TABLES, build, failed

    from fleetscope.config import parse_config
    from fleetscope.pipelines.quality import validate_warehouse

    # payments on 21 Nov: namespaces 60 + 7 = 67 against 60 in the team mart (one bad row);
    # a namespace NULL on 20 Nov (pay-batch's 10 lost its name).
    broken = TABLES["mart_namespace_cost_daily"].replace(
        "(date '2026-11-21', 'payments', 'prod', 'pay', 60.0),",
        "(date '2026-11-21', 'payments', 'prod', 'pay', 60.0),"
        "(date '2026-11-21', 'payments', 'prod', 'pay-cron', 7.0),").replace(
        "'pay-batch'", "null")
    path = tmp_path / "wh.duckdb"
    build(path, mart_namespace_cost_daily=broken)
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    assert failed(outcome) == {"mart_namespace_cost_daily.adds_up_to_team_cost": 1,
                               "mart_namespace_cost_daily.namespace.not_null": 1}
