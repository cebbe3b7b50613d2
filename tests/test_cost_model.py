"""The cost model on a 2-node, 3-pod (+1 unknown pod), 2-team cluster worked out by hand.

Prices (tests.test_cost_fixtures.py): 1 $/core-hour, 0.1 $/GiB-hour. Per hour:
  n1 (4 cores, 16 GiB) costs 4 + 1.6 = 5.6; n2 (2 cores, 8 GiB) costs 2 + 0.8 = 2.8.
  api-1/app      (alpha) request 1 core 2 GiB, uses 0.5 core 1 GiB -> charged 1 core 2 GiB
  api-1/sidecar  (alpha) no request, uses 0.25 core 0.5 GiB     -> charged 0.25 core 0.5 GiB
  ghost-1/x      (no inventory: __unallocated__) uses 0.5 core 0.5 GiB -> 0.5 core 0.5 GiB
  worker-1/main  (beta) request 1 core 1 GiB, uses 1.5 core 3 GiB -> 1.5 core 3 GiB
  db-0/postgres  (alpha) KSM request 1 core 4 GiB (inventory said 0.5/2), uses 0.1/1 -> 1 core 4 GiB
  n1: cpu charged 1.75 of 4 -> idle 2.25; ram charged 0.25 + 0.05 of 1.6 -> idle 1.3
  n2: cpu charged 2.5 > 2: requests worker 1 + db 1 = 2 are charged whole, nothing is left for
      worker's burst 0.5, scaled to 0 (worker 1.0, db 1.0), idle 0; ram 0.7 of 0.8 -> idle 0.1
  alpha = 1.25 + 0.25 (api) + 1.0 + 0.4 (db) = 2.9; beta = 1.0 + 0.3 = 1.3;
  __unallocated__ = 0.55; __idle__ = 2.25 + 1.3 + 0.1 = 3.65; total 8.4 = 5.6 + 2.8.
Three hours: alpha 8.7, beta 3.9, __unallocated__ 1.65, __idle__ 10.95 (sum 25.2).
Idle is shared per resource (CPU idle by CPU cost, RAM by RAM): see the idle share test.
"""

from __future__ import annotations

import pytest

from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse
from tests.test_cost_fixtures import CONFIG, DAY, GIB, load_prometheus, load_snapshot


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Built once: the tests below only read it."""
    wh = Warehouse(tmp_path_factory.mktemp("cost") / "wh.duckdb")
    load_snapshot(wh)
    load_prometheus(wh)
    transform_warehouse(wh, CONFIG)
    yield wh
    wh.close()


def _team_costs(wh: Warehouse) -> dict[str, tuple[float, ...]]:
    rows = wh.con.execute(
        "select team, cpu_cost, ram_cost, total_cost, idle_share_cost, cpu_core_hours, "
        "ram_gib_hours from mart_team_cost_daily where cluster = 'c1' and cost_date = ?",
        [DAY.date()]).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_team_costs_match_the_hand_computation(built: Warehouse) -> None:
    teams = _team_costs(built)
    assert set(teams) == {"alpha", "beta", "__unallocated__", "__idle__"}
    cpu, ram, total, _, cpu_hours, ram_hours = teams["alpha"]
    # cpu 3 x (1 + 0.25 + 1.0) = 6.75, ram 3 x (0.2 + 0.05 + 0.4) = 1.95
    assert (cpu, ram, total) == pytest.approx((6.75, 1.95, 8.7))
    assert (cpu_hours, ram_hours) == pytest.approx((6.75, 19.5))
    cpu, ram, total, _, cpu_hours, ram_hours = teams["beta"]
    # cpu 3 x 1.0 (its request; the burst did not fit), ram 3 x 0.3
    assert (cpu, ram, total) == pytest.approx((3.0, 0.9, 3.9))
    assert (cpu_hours, ram_hours) == pytest.approx((4.5, 9.0))
    assert teams["__unallocated__"][2] == pytest.approx(1.65)
    cpu, ram, total, share, cpu_hours, ram_hours = teams["__idle__"]
    assert (cpu, ram, total, share) == pytest.approx((6.75, 3.9 + 0.3, 10.95, 0.0))
    assert (cpu_hours, ram_hours) == pytest.approx((6.75, 42.0))
    assert sum(t[2] for t in teams.values()) == pytest.approx(25.2)


def test_idle_is_shared_per_resource_by_that_resources_cost(built: Warehouse) -> None:
    teams = _team_costs(built)
    # OpenCost shareIdle weighted. CPU idle 6.75 over CPU cost alpha 6.75 + beta 3.0 + ghost 1.5
    # = 11.25 (0.6 per $); RAM idle 4.2 over RAM cost 1.95 + 0.9 + 0.15 = 3.0 (1.4 per $):
    # alpha 0.6 x 6.75 + 1.4 x 1.95 = 4.05 + 2.73 = 6.78; beta 0.6 x 3.0 + 1.4 x 0.9 = 1.8 +
    # 1.26 = 3.06; __unallocated__ 0.6 x 1.5 + 1.4 x 0.15 = 0.9 + 0.21 = 1.11 (sum 10.95)
    assert teams["alpha"][3] == pytest.approx(6.78)
    assert teams["beta"][3] == pytest.approx(3.06)
    assert teams["__unallocated__"][3] == pytest.approx(1.11)
    assert sum(t[3] for t in teams.values()) == pytest.approx(10.95)


def test_cluster_utilization_matches_the_hand_computation(built: Warehouse) -> None:
    row = built.con.execute(
        "select cpu_capacity_core_hours, cpu_requested_core_hours, cpu_used_core_hours, "
        "ram_capacity_gib_hours, ram_requested_gib_hours, ram_used_gib_hours, idle_cost "
        "from mart_cluster_utilization_daily where cluster = 'c1' and usage_date = ?",
        [DAY.date()]).fetchone()
    # requests per hour: api 1 + worker 1 + db 1 (KSM) = 3 cores; 2 + 1 + 4 = 7 GiB
    # usage per hour: 0.5 + 0.25 + 0.5 + 1.5 + 0.1 = 2.85 cores; 1 + 0.5 + 0.5 + 3 + 1 = 6 GiB
    assert row == pytest.approx((18.0, 9.0, 8.55, 72.0, 21.0, 18.0, 10.95))


def test_app_costs_and_unknown_pods(built: Warehouse) -> None:
    rows = dict(built.con.execute(
        "select app_id || '/' || team, total_cost from mart_app_cost_daily "
        "where platform = 'kubernetes'").fetchall())
    # db 3 x (1.0 + 0.4) = 4.2, worker 3 x (1.0 + 0.3) = 3.9 (requests whole, burst scaled)
    assert rows == pytest.approx({"payments-api/alpha": 4.5, "payments-db/alpha": 4.2,
                                  "worker/beta": 3.9, "__unallocated__/__unallocated__": 1.65})


def test_requests_fall_back_to_the_inventory(built: Warehouse) -> None:
    rows = dict(built.con.execute(
        "select container_name, cpu_request_cores from int_container_hours "
        "where hour_start = ?", [DAY]).fetchall())
    assert rows == {"app": 1.0, "sidecar": None, "main": 1.0, "postgres": 1.0, "x": None}


def test_invariants_hold(built: Warehouse) -> None:
    assert check_invariants(built.con) == []


def test_instance_type_price_is_split_by_the_default_rates(warehouse: Warehouse) -> None:
    from fleetscope.config import parse_config

    config = parse_config({"pricing": {
        "cpu_per_core_hour": 1.0, "ram_per_gib_hour": 0.1,
        "instance_types": {"m.large": {"hourly": 2.8}}}})
    load_snapshot(warehouse)
    load_prometheus(warehouse, hours=1)
    transform_warehouse(warehouse, config)
    row = warehouse.con.execute(
        "select cpu_cost, ram_cost from int_node_hours where node_name = 'n1'").fetchone()
    # weights 4 x 1.0 : 16 x 0.1 = 4 : 1.6, so 2.8 splits into 2.0 and 0.8
    assert row == pytest.approx((2.0, 0.8))


def test_nodes_from_the_inventory_until_the_data_end(warehouse: Warehouse) -> None:
    """Without node series, nodes come from the snapshot for the hours the data covers."""
    load_snapshot(warehouse)
    load_prometheus(warehouse)
    warehouse.con.execute("delete from raw_prom_node_hours")
    transform_warehouse(warehouse, CONFIG)
    rows = warehouse.con.execute(
        "select count(*), sum(total_cost) from int_node_hours").fetchone()
    # data ends at 03:00 (end of the Prometheus window): 3 hours x (5.6 + 2.8)
    assert rows == (6, pytest.approx(25.2))
    assert check_invariants(warehouse.con) == []


def test_spot_nodes_use_spot_rates(warehouse: Warehouse) -> None:
    load_snapshot(warehouse)
    warehouse.con.execute("update raw_k8s_nodes set is_spot = true where node_name = 'n2'")
    load_prometheus(warehouse, hours=1)
    transform_warehouse(warehouse, CONFIG)
    cost = warehouse.con.execute(
        "select total_cost from int_node_hours where node_name = 'n2'").fetchone()[0]
    assert cost == pytest.approx(2 * 0.5 + 8 * 0.05)


def test_storage_is_charged_to_the_claim_namespace_team(warehouse: Warehouse) -> None:
    import pandas as pd

    from fleetscope.warehouse import LoadBatch
    from tests.test_cost_fixtures import inventory_tables

    tables = inventory_tables()
    tables["raw_k8s_pvs"] = pd.DataFrame([
        {"pv_name": "pv-1", "capacity_bytes": 10.0 * GIB, "claim_namespace": "batch",
         "claim_name": "data"},
        {"pv_name": "pv-2", "capacity_bytes": 5.0 * GIB, "claim_namespace": None,
         "claim_name": None}])
    warehouse.load(LoadBatch("kubernetes", "c1", DAY, tables))
    load_prometheus(warehouse)
    transform_warehouse(warehouse, CONFIG)
    teams = _team_costs(warehouse)
    storage = dict(warehouse.con.execute(
        "select team, storage_cost from mart_team_cost_daily where storage_cost > 0").fetchall())
    # 10 GiB x 24 h x 0.01 = 2.4 to beta (namespace batch, no pod mounts it); 5 GiB unclaimed
    # -> 1.2 to the reserved __unmounted__ (issue 11; it was __unallocated__)
    assert storage == pytest.approx({"beta": 2.4, "__unmounted__": 1.2})
    assert teams["beta"][2] == pytest.approx(3.9 + 2.4)
    assert check_invariants(warehouse.con) == []


def test_rightsizing_recommendation_and_savings(built: Warehouse) -> None:
    row = built.con.execute(
        "select team, cpu_request_cores, recommended_cpu_request_cores, memory_request_bytes, "
        "recommended_memory_request_bytes, monthly_cost, monthly_savings from mart_rightsizing "
        "where workload = 'api'").fetchone()
    # app: p95 0.5 core / 0.7 = 0.714286, 1 GiB / 0.7 = 1.428571 GiB; sidecar 0.25 / 0.7 and
    # 0.5 GiB / 0.7. Per hour now: app 1 + 0.2 = 1.2, sidecar 0.25 + 0.05 = 0.3 -> 1.5;
    # recommended: app 0.714286 + 0.142857, sidecar 0.357143 + 0.071429 -> 1.285714
    assert row[0] == "alpha"
    assert row[1:5] == pytest.approx((1.0, (0.5 + 0.25) / 0.7, 2.0 * GIB, 1.5 / 0.7 * GIB))
    assert row[5] == pytest.approx(1.5 * 730)
    assert row[6] == pytest.approx((1.5 - 0.9 / 0.7) * 730)


def test_rightsizing_floors(built: Warehouse) -> None:
    # db-0 uses 0.1 core: 0.1 / 0.7 = 0.142857 (above the 10m floor)
    cpu = built.con.execute("select recommended_cpu_request_cores from mart_rightsizing "
                            "where workload = 'db'").fetchone()[0]
    assert cpu == pytest.approx(0.1 / 0.7)


def test_a_bad_rightsizing_target_is_a_config_error(warehouse: Warehouse) -> None:
    from fleetscope.config import parse_config
    from fleetscope.errors import ConfigError

    config = parse_config({"pricing": {"rightsizing_target_utilization": 1.5}})
    with pytest.raises(ConfigError, match=r"pricing.rightsizing_target_utilization: .*1.5"):
        transform_warehouse(warehouse, config)


def test_team_requested_and_used_hours_give_efficiency(built: Warehouse) -> None:
    row = built.con.execute(
        "select cpu_requested_core_hours, cpu_used_core_hours, ram_requested_gib_hours, "
        "ram_used_gib_hours from mart_team_cost_daily where team = 'alpha'").fetchone()
    # alpha per hour: requests api 1 + db 1 (KSM) cores, 2 + 4 GiB; usage 0.5 + 0.25 + 0.1 cores,
    # 1 + 0.5 + 1 GiB; three hours
    assert row == pytest.approx((6.0, 2.55, 18.0, 7.5))


def test_gpus_share_an_instance_price_by_the_default_rates(warehouse: Warehouse) -> None:
    from fleetscope.config import parse_config

    config = parse_config({"pricing": {
        "cpu_per_core_hour": 1.0, "ram_per_gib_hour": 0.1, "gpu_per_hour": 2.0,
        "instance_types": {"m.large": {"hourly": 10.0}}}})
    load_snapshot(warehouse)
    load_prometheus(warehouse, hours=1)
    warehouse.con.execute("update raw_prom_node_hours set gpu_capacity = 1 where node_name = 'n1'")
    transform_warehouse(warehouse, config)
    row = warehouse.con.execute(
        "select gpu_cost, cpu_cost, ram_cost from int_node_hours where node_name = 'n1'"
    ).fetchone()
    # weights 1 GPU x 2.0 : 4 cores x 1.0 : 16 GiB x 0.1 = 2 : 4 : 1.6 (sum 7.6), so 10.0 splits
    # into 10 x 2 / 7.6 = 2.631579, 10 x 4 / 7.6 = 5.263158 and 10 x 1.6 / 7.6 = 2.105263
    assert row == pytest.approx((2.631579, 5.263158, 2.105263), abs=1e-6)
    assert check_invariants(warehouse.con) == []


def test_a_cluster_without_inventory_is_all_unallocated_and_idle(warehouse: Warehouse) -> None:
    load_prometheus(warehouse)
    transform_warehouse(warehouse, CONFIG)
    teams = _team_costs(warehouse)
    assert set(teams) == {"__unallocated__", "__idle__"}
    # no inventory: requests only from kube-state-metrics (db-0). Per hour on n1: api app
    # 0.5 + 0.1, sidecar 0.25 + 0.05, ghost 0.5 + 0.05 = 1.45 of 5.6; on n2: worker 1.5 + 0.3
    # and db 1 + 0.4, CPU 2.5 of 2 scaled to 2, so 2.7 of 2.8. Idle 4.15 + 0.1 = 4.25.
    assert teams["__unallocated__"][2] == pytest.approx(3 * (1.45 + 2.7))
    assert teams["__idle__"][2] == pytest.approx(3 * 4.25)
    assert teams["__unallocated__"][3] == pytest.approx(teams["__idle__"][2])
    assert check_invariants(warehouse.con) == []
