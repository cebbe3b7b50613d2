"""Legacy cost: host-hours x host price, split among the host's jobs, worked out by hand.

Rates chosen for round numbers: 0.03 per vCPU-hour, 0.005 per GiB-hour, legacy host 2.0/hour.
- h1 (8 CPUs, 32 GiB, UP): value 0.24 CPU + 0.16 RAM = 0.40/h, so the 2.0/h price splits into
  1.2/h CPU and 0.8/h RAM: 28.8 CPU + 19.2 RAM a day. Jobs: a (cpuShares 1024, 8 GiB),
  b (cpuShares 3072, no memory: counts as the host's mean declaration, 8 GiB) and c (goal STOP,
  not charged). CPU shares 1/4 and 3/4, RAM 1/2 each:
  a = 7.2 + 9.6 = 16.8, b = 21.6 + 9.6 = 31.2; core-hours 48 and 144; GiB-hours 384 each.
- h2 (4 CPUs, 8 GiB, no job): 0.12 + 0.04 -> 1.5/h CPU + 0.5/h RAM -> `__idle__` 36 + 12 = 48.
- h3 (2 CPUs, 4 GiB, DOWN: still paid for): 0.06 + 0.02 -> 1.5/h + 0.5/h, d and e declare
  nothing: evenly, 18 + 6 = 24 each.
Snapshots on days 1 and 3; day 2 carries day 1 forward.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from helios_fake_api import document, host_status, job
from test_migration_history import run_migration_models

from fleetscope.collectors.helios import read_dump
from fleetscope.config import parse_config

GIB = 2**30
DOC = document(
    {"a:1:x": job("a:1:x", cpu_shares=1024, memory=8 * GIB),
     "b:1:x": job("b:1:x", cpu_shares=3072), "c:1:x": job("c:1:x", cpu_shares=1024),
     "d:1:x": job("d:1:x"), "e:1:x": job("e:1:x")},
    {"h1": host_status(cpus=8, memory_bytes=32 * GIB, running=("a:1:x", "b:1:x"),
                       goals={"c:1:x": "STOP"}, states={"c:1:x": "STOPPED"}),
     "h2": host_status(cpus=4, memory_bytes=8 * GIB),
     "h3": host_status(cpus=2, memory_bytes=4 * GIB, status="DOWN",
                       running=("d:1:x", "e:1:x"))})


def _costs(warehouse, pricing: dict) -> dict:
    for day in (1, 3):
        warehouse.load(read_dump(DOC, source="helios-eu",
                                 collected_at=datetime(2026, 11, day, 12)))
    run_migration_models(warehouse, parse_config({"pricing": pricing}))
    rows = warehouse.con.execute(
        "select cost_date, app_id, team, source, cpu_cost, ram_cost, total_cost, "
        "cpu_core_hours, ram_gib_hours from int_helios_app_cost_daily "
        "order by cost_date, app_id").fetchall()
    return {(r[0].day, r[1]): r[2:] for r in rows}


def test_host_price_split_by_declared_resources(warehouse):
    costs = _costs(warehouse, {"cpu_per_core_hour": 0.03, "ram_per_gib_hour": 0.005,
                               "legacy_host_per_hour": 2.0})
    assert sorted({day for day, _ in costs}) == [1, 2, 3]
    expected = {  # app: (cpu, ram, total, core-hours, GiB-hours)
        "a": (7.2, 9.6, 16.8, 48, 384), "b": (21.6, 9.6, 31.2, 144, 384),
        "__idle__": (36, 12, 48, 96, 192), "d": (18, 6, 24, 24, 48), "e": (18, 6, 24, 24, 48),
    }
    for day in (1, 2, 3):
        assert {app for d, app in costs if d == day} == set(expected)
        for app, numbers in expected.items():
            team, source, *values = costs[(day, app)]
            assert source == "helios-eu"
            assert team == ("__idle__" if app == "__idle__" else "__unallocated__")
            assert values == pytest.approx(list(numbers))
    # 3 hosts x 24 h x 2.0 a day
    assert sum(costs[(2, app)][4] for app in expected) == pytest.approx(144.0)


def test_unset_host_price_uses_cpu_and_memory_rates(warehouse):
    costs = _costs(warehouse, {"cpu_per_core_hour": 0.03, "ram_per_gib_hour": 0.005})
    # a on h1: CPU 8 x 0.03 x 24 / 4 = 1.44, RAM 32 x 0.005 x 24 / 2 = 1.92
    assert costs[(1, "a")][2:5] == pytest.approx([1.44, 1.92, 3.36])
    assert costs[(1, "__idle__")][4] == pytest.approx((4 * 0.03 + 8 * 0.005) * 24)


def test_legacy_cost_lands_in_app_and_team_cost_marts(warehouse):
    from fleetscope.pipelines.transform import transform_warehouse

    warehouse.load(read_dump(DOC, source="helios-eu", collected_at=datetime(2026, 11, 1, 12)))
    transform_warehouse(warehouse, parse_config({"pricing": {
        "cpu_per_core_hour": 0.03, "ram_per_gib_hour": 0.005, "legacy_host_per_hour": 2.0}}))
    apps = warehouse.con.execute(
        "select app_id, cluster, platform, total_cost from mart_app_cost_daily "
        "where platform = 'helios' order by app_id").fetchall()
    assert [(a, c, p) for a, c, p, _ in apps] == [
        ("__idle__", "helios-eu", "helios"), ("a", "helios-eu", "helios"),
        ("b", "helios-eu", "helios"), ("d", "helios-eu", "helios"),
        ("e", "helios-eu", "helios")]
    assert [t for *_, t in apps] == pytest.approx([48, 16.8, 31.2, 24, 24])
    teams = warehouse.con.execute(
        "select team, sum(total_cost), sum(idle_share_cost) from mart_team_cost_daily "
        "where cluster = 'helios-eu' group by team order by team").fetchall()
    assert [t for t, *_ in teams] == ["__idle__", "__unallocated__"]
    # the empty host h2 (48) is idle, shared to the only charged team
    assert [c for _, c, _ in teams] == pytest.approx([48, 96])
    assert [s for *_, s in teams] == pytest.approx([0, 48])
