"""OpenCost's own allocation test cases, run through fleetscope's warehouse and SQL models.

Numbers are copied from OpenCost (github.com/opencost/opencost, Apache License 2.0; only the
numbers, none of its code), each test names the test and file they come from.

Case 3a of `TestAllocationSet_AggregateBy` (core/pkg/opencost/allocation_test.go): the mock of
`GenerateMockAllocationSet` as a day of fleetscope data. Every container costs 1.00 of CPU, 1.00
of GPU, 1.00 of PV and 1.00 of RAM (container1: 11.00 of RAM); the mock's 1.00 of network and
1.00 of load balancer per container are left out, since fleetscope models neither. Prices of
1/24 per core-, GiB-, GPU- and volume-GiB-hour make a 1-core, 1-GiB, 1-GPU container with a
1-GiB volume cost exactly those 1.00s over 24 hours; node capacity adds the mock's idle:
  cluster1 (node 11 cores, 31 GiB, 6 GPUs): idle CPU 5.00, RAM 15.00, GPU 0
    namespace1: container1 (pod1), container2 (pod-abc), container3 (pod-def)
    namespace2: container4, container5 (pod-ghi), container6 (pod-jkl)
  cluster2 (node 11 cores, 11 GiB, 6 GPUs): idle CPU 5.00, RAM 5.00, GPU 0
    namespace2: container4, container5 (pod-mno), container6 (pod-pqr)
    namespace3: container7 (pod-stu), container8, container9 (pod-vwx)
OpenCost's expectations (ShareIdle = ShareWeighted, by namespace) minus network and load
balancer (2.00 per container: 3, 6 and 3 containers):
  namespace1 42.6875 - 6 = 36.6875 = 22.00 + 5.0 x (3/6) + 15.0 x (13/16)
  namespace2 46.3125 - 12 = 34.3125 = 24.00 + 5.0 x (3/6) + 15.0 x (3/16) + 5.0 x (3/6)
                                     + 5.0 x (3/6)
  namespace3 23.0000 - 6 = 17.0000 = 12.00 + 5.0 x (3/6) + 5.0 x (3/6)
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd
import pytest

from fleetscope.config import parse_config
from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse, Window

GIB = 2**30
DAY = datetime(2026, 11, 2)
PER_DAY = 1 / 24  # a unit for 24 hours costs 1.00
CONFIG = parse_config(
    {
        "pricing": {
            "cpu_per_core_hour": PER_DAY,
            "ram_per_gib_hour": PER_DAY,
            "gpu_per_hour": PER_DAY,
            "storage_per_gib_hour": PER_DAY,
        }
    }
)

# cluster -> (node cores, GiB, GPUs), [(namespace, pod, container, RAM GiB)]
MOCK = {
    "cluster1": (
        (11.0, 31.0, 6.0),
        [
            ("namespace1", "pod1", "container1", 11.0),
            ("namespace1", "pod-abc", "container2", 1.0),
            ("namespace1", "pod-def", "container3", 1.0),
            ("namespace2", "pod-ghi", "container4", 1.0),
            ("namespace2", "pod-ghi", "container5", 1.0),
            ("namespace2", "pod-jkl", "container6", 1.0),
        ],
    ),
    "cluster2": (
        (11.0, 11.0, 6.0),
        [
            ("namespace2", "pod-mno", "container4", 1.0),
            ("namespace2", "pod-mno", "container5", 1.0),
            ("namespace2", "pod-pqr", "container6", 1.0),
            ("namespace3", "pod-stu", "container7", 1.0),
            ("namespace3", "pod-vwx", "container8", 1.0),
            ("namespace3", "pod-vwx", "container9", 1.0),
        ],
    ),
}


def _inventory(capacity: tuple[float, float, float], containers: list) -> dict[str, pd.DataFrame]:
    """One node; each namespace labelled with its own name as team; a 1-GiB volume a container."""
    cores, gib, gpus = capacity
    pods = sorted({(ns, pod) for ns, pod, _, _ in containers})
    return {
        "raw_k8s_nodes": pd.DataFrame(
            [
                {
                    "node_name": "node1",
                    "instance_type": "mock",
                    "is_spot": False,
                    "cpu_capacity_cores": cores,
                    "memory_capacity_bytes": gib * GIB,
                    "gpu_capacity": gpus,
                }
            ]
        ),
        "raw_k8s_namespaces": pd.DataFrame(
            [
                {"namespace": ns, "labels": json.dumps({"team": ns})}
                for ns in sorted({ns for ns, _ in pods})
            ]
        ),
        "raw_k8s_workloads": pd.DataFrame(
            [
                {
                    "namespace": ns,
                    "workload_kind": "Deployment",
                    "workload_name": pod,
                    "labels": "{}",
                }
                for ns, pod in pods
            ]
        ),
        "raw_k8s_pods": pd.DataFrame(
            [
                {
                    "namespace": ns,
                    "pod_name": pod,
                    "node_name": "node1",
                    "phase": "Running",
                    "workload_kind": "Deployment",
                    "workload_name": pod,
                    "labels": "{}",
                }
                for ns, pod in pods
            ]
        ),
        "raw_k8s_containers": pd.DataFrame(
            [
                {
                    "namespace": ns,
                    "pod_name": pod,
                    "container_name": name,
                    "cpu_request_cores": 1.0,
                    "memory_request_bytes": ram * GIB,
                    "gpu_request": 1.0,
                }
                for ns, pod, name, ram in containers
            ]
        ),
        "raw_k8s_pvs": pd.DataFrame(
            [
                {
                    "pv_name": f"pv-{name}",
                    "capacity_bytes": 1.0 * GIB,
                    "claim_namespace": ns,
                    "claim_name": f"data-{name}",
                }
                for ns, _, name, _ in containers
            ]
        ),
        "raw_k8s_replicasets": pd.DataFrame(),
        "raw_k8s_pvcs": pd.DataFrame(),
    }


def _prometheus(capacity: tuple[float, float, float], containers: list) -> dict[str, pd.DataFrame]:
    """24 node-hours at full capacity; containers running all day, using nothing (requests win)."""
    cores, gib, gpus = capacity
    hours = [DAY + timedelta(hours=h) for h in range(24)]
    return {
        "raw_prom_node_hours": pd.DataFrame(
            [
                {
                    "hour_start": h,
                    "node_name": "node1",
                    "cpu_capacity_cores": cores,
                    "memory_capacity_bytes": gib * GIB,
                    "gpu_capacity": gpus,
                    "present_hours": 1.0,
                }
                for h in hours
            ]
        ),
        "raw_prom_container_hours": pd.DataFrame(
            [
                {
                    "hour_start": h,
                    "namespace": ns,
                    "pod_name": pod,
                    "container_name": name,
                    "node_name": "node1",
                    "cpu_usage_cores": 0.0,
                    "memory_working_set_bytes_avg": 0.0,
                    "memory_working_set_bytes_max": 0.0,
                    "cpu_request_cores": None,
                    "memory_request_bytes": None,
                    "gpu_request": None,
                    "running_hours": 1.0,
                }
                for h in hours
                for ns, pod, name, _ in containers
            ]
        ),
    }


@pytest.fixture(scope="module")
def mock_day(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    wh = Warehouse(tmp_path_factory.mktemp("opencost") / "wh.duckdb")
    end = DAY + timedelta(days=1)
    for cluster, (capacity, containers) in MOCK.items():
        wh.load(LoadBatch("kubernetes", cluster, DAY, _inventory(capacity, containers)))
        wh.load(
            LoadBatch(
                "prometheus",
                cluster,
                end,
                _prometheus(capacity, containers),
                window=Window(DAY, end),
            )
        )
    transform_warehouse(wh, CONFIG)
    yield wh
    wh.close()


def test_aggregate_by_namespace_share_idle_weighted_3a(mock_day: Warehouse) -> None:
    """OpenCost TestAllocationSet_AggregateBy case 3a, without network and load balancers."""
    rows = dict(
        mock_day.con.execute(
            "select team, sum(total_cost + idle_share_cost) from mart_team_cost_daily "
            "where team <> '__idle__' group by team"
        ).fetchall()
    )
    assert rows == pytest.approx(
        {"namespace1": 36.6875, "namespace2": 34.3125, "namespace3": 17.00}, abs=1e-9
    )


def test_the_mock_idle_and_totals(mock_day: Warehouse) -> None:
    """The mock's idle (cluster1 20.00, cluster2 10.00) and its total without network and LB."""
    idle = dict(
        mock_day.con.execute(
            "select cluster, total_cost from mart_team_cost_daily where team = '__idle__'"
        ).fetchall()
    )
    assert idle == pytest.approx({"cluster1": 20.0, "cluster2": 10.0})
    total = mock_day.con.execute("select sum(total_cost) from mart_team_cost_daily").fetchone()
    assert total[0] == pytest.approx(112.0 - 24.0)  # 12 containers x (network + LB)
    assert check_invariants(mock_day.con) == []


@pytest.mark.parametrize(
    ("case", "request_", "used", "expected"),
    [
        ("Requests greater than usage", (1.0, 10_000_000), (0.01, 5_500_000), (1.0, 10_000_000)),
        ("Requests less than usage", (1.0, 10_000_000), (2.2, 75_000_000), (2.2, 75_000_000)),
    ],
)
def test_container_allocation_is_max_of_request_and_usage(
    warehouse: Warehouse, case: str, request_: tuple, used: tuple, expected: tuple
) -> None:
    """OpenCost Test_getContainerAllocation (pkg/costmodel/costmodel_test.go), one hour."""
    from tests.test_cost_fixtures import load_prometheus, load_snapshot

    load_snapshot(warehouse)
    load_prometheus(warehouse, hours=1)
    warehouse.con.execute(
        "update raw_prom_container_hours set cpu_request_cores = ?, memory_request_bytes = ?, "
        "cpu_usage_cores = ?, memory_working_set_bytes_avg = ? where container_name = 'main'",
        [*request_, *used],
    )
    transform_warehouse(warehouse, CONFIG)
    cores, gib = warehouse.con.execute(
        "select cpu_charged_core_hours, ram_charged_gib_hours from int_container_hours "
        "where container_name = 'main'"
    ).fetchone()
    assert (cores, gib * GIB) == pytest.approx(expected), case
