"""Volumes follow the pods that mount them, hour by hour (issue 11), on the cost fixture cluster
(tests/test_cost_fixtures.py: storage 0.01 $/GiB-hour; namespace shop is team gamma).

Added to the fixture: namespace `store`, with no team label, where Deployment `web` (team alpha,
workload label) runs pods web-1 and web-2 and Deployment `report` (team beta) runs report-1, all
Running all day (Prometheus: a container with running_hours 1 in each of the 24 hours) and
mounting claim `shared`; report-2 also mounts it but is Pending on no node (no running series).
Namespace `lab` (team delta): pod a-1 (team alpha) runs all 24 hours, b-1 (team beta) only the
hours 00:00-11:00 (12 hours); both mount claim `pair`, b-1 also claim `solo`.
Volumes of the day's snapshot, capacity x 24 h x 0.01 $/GiB-hour:
  pv-shared  6 GiB, claim store/shared = 1.44; each hour split evenly over its 3 running mounting
             pods (report-2 never runs): 0.48 per pod
             -> alpha (web-1, web-2) 0.96 in store, app web; beta (report-1) 0.48, app report
  pv-pair   10 GiB, claim lab/pair = 2.4: a-1 alone 12 h + half of the 12 h it shares with b-1
             = 12 + 12/2 = 18 h of 24 -> alpha 2.4 x 18/24 = 1.8; b-1 12/2 = 6 h -> beta 0.6
  pv-solo    4 GiB, claim lab/solo = 0.96: b-1 runs 12 h -> beta 0.48; the 12 h nobody mounting
             it runs -> lab's team delta 0.48
  pv-data   10 GiB, claim shop/data, mounted by no pod -> the claim namespace's team gamma: 2.4
  pv-free    2 GiB, bound to no claim -> `__unmounted__` in namespace `__unbound__`: 0.48
Volumes: 1.44 + 2.4 + 0.96 + 2.4 + 0.48 = 7.68, and the teams still add up to node cost + volumes.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd
import pytest
from k8s_objects import as_list, container, pod

from fleetscope.collectors.kubernetes.decode import decode_page
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.errors import InputError
from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse, Window
from tests import test_cost_fixtures as fx


def _store_pod(
    name: str,
    workload: str,
    *,
    running: bool = True,
    namespace: str = "store",
    claims: tuple[str, ...] = ("shared",),
) -> dict:
    return {
        "namespace": namespace,
        "pod_name": name,
        "node_name": "n1" if running else None,
        "phase": "Running" if running else "Pending",
        "workload_kind": "Deployment",
        "workload_name": workload,
        "labels": json.dumps({}),
        "pvc_names": json.dumps(list(claims)),
    }


# (namespace, pod, hours it runs from 00:00): the mounting pods' running series
RUNNING = [
    ("store", "web-1", 24),
    ("store", "web-2", 24),
    ("store", "report-1", 24),
    ("lab", "a-1", 24),
    ("lab", "b-1", 12),
]


def _load_prometheus(wh: Warehouse) -> None:
    """The fixture's 3 hours, plus a request-less container per mounting pod for its hours."""
    tables = fx.prometheus_tables()
    rows = [
        {
            "hour_start": fx.DAY + timedelta(hours=h),
            "namespace": ns,
            "pod_name": name,
            "container_name": "app",
            "node_name": "n1",
            "cpu_usage_cores": 0.0,
            "memory_working_set_bytes_avg": 0.0,
            "memory_working_set_bytes_max": 0.0,
            "cpu_request_cores": None,
            "memory_request_bytes": None,
            "running_hours": 1.0,
        }
        for ns, name, hours in RUNNING
        for h in range(hours)
    ]
    tables["raw_prom_container_hours"] = pd.concat(
        [tables["raw_prom_container_hours"], pd.DataFrame(rows)]
    )
    end = fx.DAY + timedelta(days=1)
    wh.load(LoadBatch("prometheus", "c1", end, tables, window=Window(fx.DAY, end)))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    wh = Warehouse(tmp_path_factory.mktemp("vol") / "wh.duckdb")
    tables = fx.inventory_tables()
    tables["raw_k8s_workloads"] = pd.concat(
        [
            tables["raw_k8s_workloads"],
            pd.DataFrame(
                [
                    {
                        "namespace": "store",
                        "workload_kind": "Deployment",
                        "workload_name": workload,
                        "labels": json.dumps({"team": team}),
                    }
                    for workload, team in (("web", "alpha"), ("report", "beta"))
                ]
                + [
                    {
                        "namespace": "lab",
                        "workload_kind": "Deployment",
                        "workload_name": workload,
                        "labels": json.dumps({"team": team}),
                    }
                    for workload, team in (("a", "alpha"), ("b", "beta"))
                ]
            ),
        ]
    )
    # no containers: these pods request nothing, so only the volume moves
    tables["raw_k8s_pods"] = pd.concat(
        [
            tables["raw_k8s_pods"],
            pd.DataFrame(
                [
                    _store_pod("web-1", "web"),
                    _store_pod("web-2", "web"),
                    _store_pod("report-1", "report"),
                    _store_pod("report-2", "report", running=False),
                    _store_pod("a-1", "a", namespace="lab", claims=("pair",)),
                    _store_pod("b-1", "b", namespace="lab", claims=("pair", "solo")),
                ]
            ),
        ]
    )
    tables["raw_k8s_pvs"] = pd.DataFrame(
        [
            {
                "pv_name": "pv-shared",
                "capacity_bytes": 6.0 * fx.GIB,
                "claim_namespace": "store",
                "claim_name": "shared",
            },
            {
                "pv_name": "pv-pair",
                "capacity_bytes": 10.0 * fx.GIB,
                "claim_namespace": "lab",
                "claim_name": "pair",
            },
            {
                "pv_name": "pv-solo",
                "capacity_bytes": 4.0 * fx.GIB,
                "claim_namespace": "lab",
                "claim_name": "solo",
            },
            {
                "pv_name": "pv-data",
                "capacity_bytes": 10.0 * fx.GIB,
                "claim_namespace": "shop",
                "claim_name": "data",
            },
            {
                "pv_name": "pv-free",
                "capacity_bytes": 2.0 * fx.GIB,
                "claim_namespace": None,
                "claim_name": None,
            },
        ]
    )
    tables["raw_k8s_namespaces"] = pd.concat(
        [
            tables["raw_k8s_namespaces"],
            pd.DataFrame([{"namespace": "lab", "labels": json.dumps({"team": "delta"})}]),
        ]
    )
    wh.load(LoadBatch("kubernetes", "c1", fx.SNAPSHOT_AT, tables))
    _load_prometheus(wh)
    transform_warehouse(wh, fx.CONFIG)
    yield wh
    wh.close()


def test_volume_cost_follows_the_mounting_pods(built: Warehouse) -> None:
    rows = built.con.execute(
        "select pv_name, team, app_id, allocated_by, mounting_pods, storage_cost "
        "from int_storage_costs_daily where cost_date = ? order by pv_name, team",
        [fx.DAY.date()],
    ).fetchall()
    assert rows == [
        ("pv-data", "gamma", None, "namespace", 0, pytest.approx(2.4)),
        ("pv-free", "__unmounted__", None, "unbound", 0, pytest.approx(0.48)),
        # a-1 all day, b-1 12 h: alpha 12 h + 12/2 h = 18/24 x 2.4, beta 6/24 x 2.4
        ("pv-pair", "alpha", "a", "pods", 1, pytest.approx(1.8)),
        ("pv-pair", "beta", "b", "pods", 1, pytest.approx(0.6)),
        ("pv-shared", "alpha", "web", "pods", 2, pytest.approx(0.96)),
        ("pv-shared", "beta", "report", "pods", 1, pytest.approx(0.48)),
        # b-1 12 h of 24 x 0.96; the other 12 h to lab's team delta
        ("pv-solo", "beta", "b", "pods", 1, pytest.approx(0.48)),
        ("pv-solo", "delta", None, "namespace", 0, pytest.approx(0.48)),
    ]


def test_teams_and_namespaces_carry_the_split(built: Warehouse) -> None:
    storage = dict(
        built.con.execute(
            "select team || '/' || namespace, storage_cost from mart_namespace_cost_daily "
            "where cluster = 'c1' and cost_date = ? and storage_cost > 0",
            [fx.DAY.date()],
        ).fetchall()
    )
    assert storage == {
        "alpha/store": pytest.approx(0.96),
        "beta/store": pytest.approx(0.48),
        "gamma/shop": pytest.approx(2.4),
        "alpha/lab": pytest.approx(1.8),
        "beta/lab": pytest.approx(0.6 + 0.48),
        "delta/lab": pytest.approx(0.48),
        "__unmounted__/__unbound__": pytest.approx(0.48),
    }
    total = built.con.execute(
        "select sum(storage_cost) from mart_team_cost_daily where cluster = 'c1'"
    ).fetchone()[0]
    # 1.44 + 2.4 + 0.96 + 2.4 + 0.48
    assert total == pytest.approx(7.68)
    # per cluster and day the teams (with __idle__, __unallocated__, __unmounted__) still add
    # up to node cost + volumes
    assert check_invariants(built.con) == []


def _mounting_pod() -> dict:
    mounting = pod("web-1", "store", [container("app", "img")])
    mounting["spec"]["volumes"] = [
        {"name": "b", "persistentVolumeClaim": {"claimName": "shared"}},
        {"name": "tmp", "emptyDir": {}},
        {"name": "a", "persistentVolumeClaim": {"claimName": "cache", "readOnly": True}},
        {"name": "c", "persistentVolumeClaim": {"claimName": "shared"}},
    ]
    return mounting


def test_the_collector_reads_the_claims_a_pod_mounts() -> None:
    mounting = _mounting_pod()
    plain = pod("api-1", "store", [container("app", "img")])
    tables = read_list(
        as_list([mounting, plain]),
        cluster="c1",
        collected_at=datetime(2026, 11, 2),
        origin="snap.json",
    ).tables
    names = tables["raw_k8s_pods"].set_index("pod_name")["pvc_names"]
    assert names.to_dict() == {"web-1": '["cache","shared"]', "api-1": "[]"}


def test_live_pages_keep_the_claims_and_drop_other_volumes() -> None:
    body = json.dumps({"items": [_mounting_pod()]}).encode()
    items, _ = decode_page("Pod", body, where="GET pods")
    assert items[0]["spec"]["volumes"] == [
        {"persistentVolumeClaim": {"claimName": "shared"}},
        {},
        {"persistentVolumeClaim": {"claimName": "cache", "readOnly": True}},
        {"persistentVolumeClaim": {"claimName": "shared"}},
    ]


def test_a_claim_without_a_name_is_refused() -> None:
    bad = pod("web-1", "store", [container("app", "img")])
    bad["spec"]["volumes"] = [{"name": "b", "persistentVolumeClaim": {}}]
    with pytest.raises(InputError, match=r"spec.volumes\[0\].persistentVolumeClaim.claimName"):
        read_list(
            as_list([bad]), cluster="c1", collected_at=datetime(2026, 11, 2), origin="snap.json"
        )
