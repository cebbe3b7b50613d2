"""Pod-level requests (PodLevelResources, Kubernetes 1.32+) are charged as the scheduler reserves
them: for the pod as a whole, whatever its containers request.

On the cluster of tests/test_cost_fixtures.py (1 $/core-hour, 0.1 $/GiB-hour), 3 hours, pod
api-1 (team alpha, node n1) gets `spec.resources.requests: {cpu: 2, memory: 4Gi}`. Its
containers: app requests 1 core and 2 GiB and uses 0.5 core and 1 GiB; sidecar requests nothing
and uses 0.25 core and 0.5 GiB. kube-state-metrics has no pod-level series, so the request
comes from the inventory.

By hand, per hour. The 2 cores are split by the containers' usage, 0.5 and 0.25 (of 0.75):
app 2 x 0.5/0.75 = 4/3 and sidecar 2/3 cores; each is charged max(share, usage), its share:
4/3 + 2/3 = 2 core-hours, exactly the pod's request (the pod uses 0.75 < 2). The 4 GiB by the
working sets 1 and 0.5: 8/3 and 4/3 GiB; charged 4 GiB-hours. api-1 costs
2 x 1 + 4 x 0.1 = 2.4 an hour, 7.2 over 3 hours; before (containers' requests only) it cost
(1 + 0.2) + (0.25 + 0.05) = 1.5 an hour, 4.5 in all. Alpha's other pod, db-0 on n2, is unchanged
(tests/test_cost_model.py: alpha 8.7 - 4.5 = 4.2), so alpha pays 7.2 + 4.2 = 11.4, and n1's idle
falls by the 2.7 more that api-1 now pays: 10.95 - 2.7 = 8.25 (the day's total stays 25.2).
"""

from __future__ import annotations

import pytest

from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse
from tests import test_cost_fixtures as fx


def _with_pod_level_request(warehouse: Warehouse, cores: float, gib: float) -> Warehouse:
    """The fixture cluster with api-1 given `spec.resources.requests` {cpu, memory}."""
    tables = fx.inventory_tables()
    pods = tables["raw_k8s_pods"]
    api = pods["pod_name"] == "api-1"
    pods.loc[api, "pod_cpu_request_cores"] = cores
    pods.loc[api, "pod_memory_request_bytes"] = gib * fx.GIB
    warehouse.load(LoadBatch("kubernetes", "c1", fx.SNAPSHOT_AT, tables))
    fx.load_prometheus(warehouse)
    transform_warehouse(warehouse, fx.CONFIG)
    return warehouse


def _api_hours(wh: Warehouse) -> list[tuple]:
    return wh.con.execute(
        "select container_name, sum(cpu_requested_core_hours), sum(cpu_charged_core_hours), "
        "sum(ram_requested_gib_hours), sum(ram_charged_gib_hours) from int_container_hours "
        "where pod_name = 'api-1' group by 1 order by 1").fetchall()


def test_a_pod_level_request_is_charged_for_the_pod_as_a_whole(warehouse) -> None:  # type: ignore[no-untyped-def]
    built = _with_pod_level_request(warehouse, 2.0, 4.0)
    rows = _api_hours(built)
    assert [r[0] for r in rows] == ["app", "sidecar"]
    assert rows[0][1:] == pytest.approx((3 * 4 / 3, 3 * 4 / 3, 3 * 8 / 3, 3 * 8 / 3))
    assert rows[1][1:] == pytest.approx((3 * 2 / 3, 3 * 2 / 3, 3 * 4 / 3, 3 * 4 / 3))
    teams = dict(built.con.execute(
        "select team, total_cost from mart_team_cost_daily where cost_date = ?",
        [fx.DAY.date()]).fetchall())
    assert teams["alpha"] == pytest.approx(11.4)
    assert teams["__idle__"] == pytest.approx(8.25)
    assert sum(teams.values()) == pytest.approx(25.2)
    assert check_invariants(built.con) == []
    row = built.con.execute(
        "select cpu_request_cores, memory_request_bytes, is_pod_level_request from stg_k8s_pods "
        "where pod_name = 'api-1'").fetchone()
    assert row == pytest.approx((2.0, 4.0 * fx.GIB, True))


def test_a_pod_using_more_than_its_pod_level_request_pays_its_usage(warehouse) -> None:  # type: ignore[no-untyped-def]
    # api-1 with a pod-level request of 0.5 core (its containers use 0.75): shares 1/3 and 1/6,
    # each below its container's usage, so each pays its usage: 0.5 + 0.25 = 0.75 core-hours an
    # hour, max(0.5, 0.75). RAM: 1 GiB for a 1.5 GiB working set: 1.5 GiB-hours an hour.
    rows = _api_hours(_with_pod_level_request(warehouse, 0.5, 1.0))
    totals = [sum(r[i] for r in rows) for i in range(1, 5)]
    assert totals == pytest.approx([3 * 0.5, 3 * 0.75, 3 * 1.0, 3 * 1.5])
