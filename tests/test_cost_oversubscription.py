"""A busy node: requests are charged whole, only usage above requests (the burst) is scaled.

The issue's case on node n2 of tests/test_cost_fixtures.py (2 cores at 1 $/core-hour), one hour:
  db-0/postgres   (alpha) requests 1 core, uses 0.1   -> request 1.0, burst 0
  worker-1/main   (beta)  requests 0.5 core, uses 1.8 -> request 0.5, burst 1.3
  requests 1.5 of 2 leave 0.5 for a burst of 1.3: the burst is scaled by 0.5 / 1.3
  alpha 1.0 (its request; before: 2 / 2.8 x 1 = 0.714), beta 0.5 + 0.5 = 1.0, CPU idle 0.
OpenCost charges both in full (1.0 and 1.8) and shows idle -0.8; fleetscope keeps teams + idle =
node cost with idle >= 0 (docs/transform.md, "Allocation").
"""

from __future__ import annotations

import pytest

from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse
from tests.test_cost_fixtures import CONFIG, load_prometheus, load_snapshot


def _cpu_costs(warehouse: Warehouse) -> dict[str, float]:
    """CPU cost of the workloads on n2, after the node-hour's scaling."""
    rows = warehouse.con.execute(
        "select workload_name, cpu_cost from int_workload_costs_daily "
        "where workload_name in ('db', 'worker')"
    ).fetchall()
    return dict(rows)


def test_only_the_burst_is_scaled_on_a_busy_node(warehouse: Warehouse) -> None:
    load_snapshot(warehouse)
    load_prometheus(warehouse, hours=1)
    warehouse.con.execute(
        "update raw_prom_container_hours set cpu_request_cores = 0.5, cpu_usage_cores = 1.8 "
        "where container_name = 'main'"
    )
    transform_warehouse(warehouse, CONFIG)
    costs = _cpu_costs(warehouse)
    assert costs == pytest.approx({"db": 1.0, "worker": 0.5 + 1.3 * 0.5 / 1.3})
    idle, burst_scale, request_scale = warehouse.con.execute(
        "select cpu_idle_cost, cpu_burst_scale, cpu_request_scale from int_node_hours_allocated "
        "where node_name = 'n2'"
    ).fetchone()
    assert (idle, burst_scale, request_scale) == pytest.approx((0.0, 0.5 / 1.3, 1.0))
    assert check_invariants(warehouse.con) == []


def test_requests_above_the_node_are_scaled_as_a_last_resort(warehouse: Warehouse) -> None:
    """Requests of 3 cores on a 2-core node (a data gap): scaled by 2 / 3, burst to 0."""
    load_snapshot(warehouse)
    load_prometheus(warehouse, hours=1)
    warehouse.con.execute(
        "update raw_prom_container_hours set cpu_request_cores = 2.0 where container_name = 'main'"
    )
    transform_warehouse(warehouse, CONFIG)
    costs = _cpu_costs(warehouse)
    # db requests 1, worker 2 (uses 1.5: no burst): 3 of 2 -> db 2/3, worker 4/3, idle 0
    assert costs == pytest.approx({"db": 2 / 3, "worker": 4 / 3})
    assert check_invariants(warehouse.con) == []
