"""End to end: a Kubernetes `List` file, a real preloaded Prometheus, `transform`, the mart.

One day, 2026-11-02, cluster `prod`; prices 1 $/core-hour and 0.1 $/GiB-hour; samples every
minute (scrape_interval_seconds = 60). Worked out by hand:

  node n1: 4 cores, 16 GiB, all day      -> 24 h x (4 + 1.6)  = 134.4
  node n2: 2 cores,  8 GiB, 00:00-12:00  -> 12 h x (2 + 0.8)  =  33.6   (cluster: 168.0)
  team payments, pod shop/api-1 on n1, 24 h:
    app     request 1 core 256 MiB, uses 0.5 core 128 MiB -> charged 1 core, 0.25 GiB
    sidecar request 0.1 core 32 MiB, uses 0.3 core 64 MiB  -> charged 0.3 core, 0.0625 GiB
    -> 31.2 core-hours ($31.2), 7.5 GiB-hours ($0.75): 31.95
  team data, pod batch/worker-1 on n2, 12 h (counter reset at 06:30):
    main    request 0.5 core 128 MiB, uses 1 core 512 MiB   -> charged 1 core, 0.5 GiB
    -> 12 core-hours ($12), 6 GiB-hours ($0.6): 12.6
  __idle__: cpu (96 - 31.2) + (24 - 12) = 76.8; ram (38.4 - 0.75) + (9.6 - 0.6) = 46.65
    -> 123.45, 76.8 core-hours, (384 - 7.5) + (96 - 6) = 466.5 GiB-hours
  idle share per resource (OpenCost shareIdle weighted): CPU idle 76.8 by CPU cost (43.2),
    RAM idle 46.65 by RAM cost (1.35):
    payments 76.8 x 31.2 / 43.2 + 46.65 x 0.75 / 1.35 = 55.4667 + 25.9167 = 81.3833,
    data     76.8 x 12  / 43.2 + 46.65 x 0.6  / 1.35 = 21.3333 + 20.7333 = 42.0667.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prom_cluster import (
    GIB,
    MIB,
    Container,
    Node,
    Pod,
    collect_and_transform,
    k8s_list,
    node_history,
    pod_history,
)
from prometheus_server import Series

from fleetscope.warehouse import connect_read_only

DAY = datetime(2026, 11, 2, tzinfo=UTC)
CONFIG = """
[pricing]
cpu_per_core_hour = 1.0
ram_per_gib_hour = 0.1

[prometheus]
scrape_interval_seconds = 60
"""


NODES = [Node("n1", 4, 16 * GIB), Node("n2", 2, 8 * GIB)]
API = Pod("shop", "api-1", "n1", "payments", [
    Container("app", 1, 256 * MIB, cpu_used=0.5, memory_used=128 * MIB),
    Container("sidecar", 0.1, 32 * MIB, cpu_used=0.3, memory_used=64 * MIB)])
WORKER = Pod("batch", "worker-1", "n2", "data", [
    Container("main", 0.5, 128 * MIB, memory_used=512 * MIB,
              counter=lambda m: 60 * m if m < 390 else 60 * (m - 389))])


def _history() -> list[Series]:
    day, half = range(0, 1440), range(0, 720)
    return (pod_history(API, DAY, day) + pod_history(WORKER, DAY, half)
            + node_history(NODES[0], DAY, day) + node_history(NODES[1], DAY, half))


def _inventory() -> dict:
    return k8s_list(NODES, {"shop": "payments", "batch": "data"}, [API, WORKER])


@pytest.fixture(scope="module")
def mart(tmp_path_factory):
    path = collect_and_transform(
        tmp_path_factory.mktemp("e2e"), _inventory(), _history(),
        collected_at="2026-11-02T00:00:00Z", start="2026-11-02T00:00:00Z",
        end="2026-11-03T00:00:00Z", config=CONFIG)
    con = connect_read_only(path)
    try:
        rows = con.execute(
            "select team, cpu_cost, ram_cost, total_cost, idle_share_cost, cpu_core_hours, "
            "ram_gib_hours from mart_team_cost_daily where cluster = 'prod' and "
            "cost_date = date '2026-11-02'").fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def test_teams_are_charged_max_of_request_and_usage(mart):
    assert set(mart) == {"payments", "data", "__idle__"}
    cpu, ram, total, _, core_hours, gib_hours = mart["payments"]
    assert (cpu, ram, total) == pytest.approx((31.2, 0.75, 31.95))
    assert (core_hours, gib_hours) == pytest.approx((31.2, 7.5))
    cpu, ram, total, _, core_hours, gib_hours = mart["data"]
    assert (cpu, ram, total) == pytest.approx((12.0, 0.6, 12.6))
    assert (core_hours, gib_hours) == pytest.approx((12.0, 6.0))


def test_idle_covers_the_rest_of_both_nodes_including_the_half_day_node(mart):
    cpu, ram, total, share, core_hours, gib_hours = mart["__idle__"]
    assert (cpu, ram, total, share) == pytest.approx((76.8, 46.65, 123.45, 0.0))
    assert (core_hours, gib_hours) == pytest.approx((76.8, 466.5))
    assert sum(t[2] for t in mart.values()) == pytest.approx(134.4 + 33.6)


def test_idle_share_per_resource_by_that_resources_cost(mart):
    assert mart["payments"][3] == pytest.approx(81.3833, abs=1e-4)
    assert mart["data"][3] == pytest.approx(42.0667, abs=1e-4)
