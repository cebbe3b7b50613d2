"""Prometheus at its defaults, fleetscope without a config: one day's costs as worked by hand.

Prometheus' default `scrape_interval` is 1m; fleetscope is given no configuration at all (no
scrape interval, OpenCost's default prices: 0.031611 $/core-hour, 0.004237 $/GiB-hour). One
day, 2026-11-02, cluster `prod`, collected with `--start`/`--end` on the day's edges; nodes a
and b run from the evening before to the morning after, so the day's first and last hours are
whole hours of theirs; node c is up 12:00-18:00 only.

  node a: 4 cores, 16 GiB, 24 h: 24 x (4 x 0.031611 + 16 x 0.004237) = 4.661664
  node b: 8 cores, 32 GiB, 24 h: 24 x (8 x 0.031611 + 32 x 0.004237) = 9.323328
  node c: 2 cores,  8 GiB,  6 h:  6 x (2 x 0.031611 +  8 x 0.004237) = 0.582708
                                                            node cost = 14.567700
  payments, shop/api-1 on a, 24 h: request 1 core 2 GiB, uses 0.5 core 1 GiB
    -> 24 core-hours 0.758664 + 48 GiB-hours 0.203376
  payments, shop/web-1 on c, 12:00-18:00: request 0.5 core 1 GiB, uses 1 core 512 MiB
    -> 6 core-hours 0.189666 + 6 GiB-hours 0.025422          payments = 1.177128
  data, batch/etl-1 on b, 24 h: request 2 cores 4 GiB, uses 3 cores 6 GiB
    -> 72 core-hours 2.275992 + 144 GiB-hours 0.610128           data = 2.886120
  idle = 14.5677 - 1.177128 - 2.88612                                   = 10.504452

Counted against the old assumption of 30 s samples, the first and last hour of the window
for a and b, and of c's six hours, came out as half hours: node cost 13.888 (4.7% low).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import prom_cluster as cluster
import pytest
from prom_cluster import GIB, MIB, Container, Node, Pod
from prometheus_server import Series

DAY = datetime(2026, 11, 2, tzinfo=UTC)
CPU, RAM = 0.031611, 0.004237  # OpenCost's defaults, fleetscope's default prices
NODES = [Node("a", 4, 16 * GIB), Node("b", 8, 32 * GIB), Node("c", 2, 8 * GIB)]
PODS = [
    Pod(
        "shop",
        "api-1",
        "a",
        "payments",
        [Container("app", 1, 2 * GIB, cpu_used=0.5, memory_used=GIB)],
    ),
    Pod(
        "shop",
        "web-1",
        "c",
        "payments",
        [Container("web", 0.5, GIB, cpu_used=1, memory_used=512 * MIB)],
    ),
    Pod(
        "batch",
        "etl-1",
        "b",
        "data",
        [Container("main", 2, 4 * GIB, cpu_used=3, memory_used=6 * GIB)],
    ),
]
NODE_COST = 24 * (4 * CPU + 16 * RAM) + 24 * (8 * CPU + 32 * RAM) + 6 * (2 * CPU + 8 * RAM)
TEAMS = {
    "payments": (24 * 1 * CPU + 6 * 1 * CPU, 24 * 2 * RAM + 6 * 1 * RAM),
    "data": (24 * 3 * CPU, 24 * 6 * RAM),
}
IDLE = NODE_COST - sum(cpu + ram for cpu, ram in TEAMS.values())
WITHIN = 0.005  # the bar: within 0.5% of the hand computation


def _history() -> list[Series]:
    evening = DAY - timedelta(hours=1)  # the always-on series: 23:00 the day before ...
    around = range(0, 26 * 60)  # ... to 01:00 the day after
    noon, six_hours = DAY + timedelta(hours=12), range(0, 6 * 60)
    spans = [(evening, around), (evening, around), (noon, six_hours)]  # nodes a, b, c
    out = []
    for node, (start, minutes) in zip(NODES, spans, strict=True):
        out += cluster.node_history(node, start, minutes)
        out += [
            s
            for pod in PODS
            if pod.node == node.name
            for s in cluster.pod_history(pod, start, minutes)
        ]
    return out


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    # no config file and no FLEETSCOPE_CONFIG: every default, no scrape interval
    return cluster.collect_and_transform(
        tmp_path_factory.mktemp("default-e2e"),
        cluster.k8s_list(NODES, {"shop": "payments", "batch": "data"}, PODS),
        _history(),
        collected_at="2026-11-02T15:00:00Z",
        start="2026-11-02T00:00:00Z",
        end="2026-11-03T00:00:00Z",
    )


def test_node_cost_and_idle_match_the_hand_computation(warehouse):
    [(node_cost, idle_cost)] = cluster.query(
        warehouse,
        "select node_cost, idle_cost from mart_cluster_utilization_daily "
        "where cluster = 'prod' and usage_date = date '2026-11-02'",
    )
    assert node_cost == pytest.approx(NODE_COST, rel=WITHIN)
    assert idle_cost == pytest.approx(IDLE, rel=WITHIN)


def test_team_costs_and_idle_match_the_hand_computation(warehouse):
    rows = cluster.query(
        warehouse,
        "select team, cpu_cost, ram_cost, total_cost, idle_share_cost "
        "from mart_team_cost_daily where cluster = 'prod' "
        "and cost_date = date '2026-11-02'",
    )
    teams = {team: values for team, *values in rows}
    assert set(teams) == {"payments", "data", "__idle__"}
    for team, (cpu, ram) in TEAMS.items():
        assert teams[team][:3] == pytest.approx([cpu, ram, cpu + ram], rel=WITHIN), team
    assert teams["__idle__"][2] == pytest.approx(IDLE, rel=WITHIN)
    # however idle is shared out, teams with their shares are the node cost
    loaded = sum(
        total + share for team, (_, _, total, share) in teams.items() if team != "__idle__"
    )
    assert loaded == pytest.approx(NODE_COST, rel=WITHIN)
