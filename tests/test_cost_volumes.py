"""Volumes follow the pods that mount them (issue 11), on the cost fixture cluster
(tests/test_cost_fixtures.py: storage 0.01 $/GiB-hour; namespace shop is team gamma).

Added to the fixture: namespace `store`, with no team label, where Deployment `web` (team alpha,
workload label) runs pods web-1 and web-2 and Deployment `report` (team beta) runs report-1, all
Running and mounting claim `shared`; report-2 also mounts it but is Pending on no node.
Volumes of the day's snapshot, capacity x 24 h x 0.01 $/GiB-hour:
  pv-shared  6 GiB, claim store/shared = 1.44, split evenly over its 3 running mounting pods
             (report-2 is not running): 0.48 per pod
             -> alpha (web-1, web-2) 0.96 in store, app web; beta (report-1) 0.48, app report
  pv-data   10 GiB, claim shop/data, mounted by no pod -> the claim namespace's team gamma: 2.4
  pv-free    2 GiB, bound to no claim -> `__unmounted__` in namespace `__unbound__`: 0.48
Volumes: 1.44 + 2.4 + 0.48 = 4.32, and the teams still add up to node cost + volumes.
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest
from k8s_objects import as_list, container, pod

from fleetscope.collectors.kubernetes.decode import decode_page
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.errors import InputError
from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse
from tests import test_cost_fixtures as fx


def _store_pod(name: str, workload: str, *, running: bool = True) -> dict:
    return {
        "namespace": "store",
        "pod_name": name,
        "node_name": "n1" if running else None,
        "phase": "Running" if running else "Pending",
        "workload_kind": "Deployment",
        "workload_name": workload,
        "labels": json.dumps({}),
        "pvc_names": json.dumps(["shared"]),
    }


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
    wh.load(LoadBatch("kubernetes", "c1", fx.SNAPSHOT_AT, tables))
    fx.load_prometheus(wh)
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
        ("pv-shared", "alpha", "web", "pods", 2, pytest.approx(0.96)),
        ("pv-shared", "beta", "report", "pods", 1, pytest.approx(0.48)),
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
        "__unmounted__/__unbound__": pytest.approx(0.48),
    }
    total = built.con.execute(
        "select sum(storage_cost) from mart_team_cost_daily where cluster = 'c1'"
    ).fetchone()[0]
    assert total == pytest.approx(4.32)
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
