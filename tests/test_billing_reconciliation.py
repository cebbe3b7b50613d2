"""Reconciliation with a FOCUS bill on the cost fixture cluster, every number worked by hand.

The cluster (tests/test_cost_fixtures.py, worked in tests/test_cost_model.py) runs 3 hours on
2026-11-02. Here n1 is on-demand and n2 is a spot node, so n2 is priced at the spot rates
(0.5 $/core-h, 0.05 $/GiB-h). Per hour:
  n1 (4 cores, 16 GiB, on-demand) costs 4 x 1.0 + 16 x 0.1 = 5.6:
      alpha (api-1) 1.25 + 0.25 = 1.5, __unallocated__ (ghost-1) 0.5 + 0.05 = 0.55,
      __idle__ 2.25 + 1.3 = 3.55                              (1.5 + 0.55 + 3.55 = 5.6)
  n2 (2 cores, 8 GiB, spot) costs 2 x 0.5 + 8 x 0.05 = 1.4: requests worker 1 + db 1 core fill
      its CPU (1.0), worker's burst is scaled to 0; RAM requests 5 GiB + worker's 2 GiB burst =
      0.35 of 0.4: alpha (db-0) 0.5 + 0.2 = 0.7, beta (worker-1) 0.5 + 0.15 = 0.65, __idle__ 0.05
Three hours, modelled: n1 16.8, n2 4.2 (21.0); alpha 4.5 + 2.1 = 6.6, beta 1.95,
  __unallocated__ 1.65, __idle__ 10.65 + 0.15 = 10.8 (sum 21.0).

The bill (source aws-cur, billing period November 2026):
  n1  3 hourly Usage lines, instance ARN .../instance/i-0aaa1111, covered by a savings plan:
      ListCost 5.6, BilledCost 0, EffectiveCost 3.92 each          -> n1 billed 11.76
  n2  1 Usage line 00:00-03:00, ResourceId i-0bbb2222, spot (Dynamic): ListCost 8.4,
      Billed = Effective 3.15                                       -> n2 billed 3.15
  RDS monthly Usage line (720 h) tagged owner=alpha, 72.0 -> 72 x 24/720 = 2.4 a day
  S3  Usage line for the day, no tags, 3.0
  Tax monthly 9.0 -> 0.3 a day; Credit for the day -2.0 (tagged team=alpha: still no team)
  Purchase: the savings plan's fee for the 3 hours, BilledCost 11.76, EffectiveCost 0
Factors: n1 11.76 / 16.8 = 0.7, n2 3.15 / 4.2 = 0.75. Reconciled on 2026-11-02:
  alpha 4.5 x 0.7 + 2.1 x 0.75 = 3.15 + 1.575 = 4.725; beta 1.95 x 0.75 = 1.4625;
  __unallocated__ 1.65 x 0.7 = 1.155; __idle__ 10.65 x 0.7 + 0.15 x 0.75 = 7.455 + 0.1125 = 7.5675
  sum 14.91 = 11.76 + 3.15, the billed cost of the two matched nodes.
Bill total on the day: Effective 11.76 + 3.15 + 2.4 + 3.0 + 0.3 - 2.0 + 0 = 18.61, and Billed
  0 + 3.15 + 2.4 + 3.0 + 0.3 - 2.0 + 11.76 = 18.61 alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse
from tests import test_cost_fixtures as fx
from tests.billing_bills import load_bill

PERIOD = (datetime(2026, 11, 1), datetime(2026, 12, 1))
DAY = fx.DAY.date()
EC2 = "Amazon Elastic Compute Cloud"
SP_ARN = "arn:aws:savingsplans::111122223333:savingsplan/sp-1"


def _hour(h: int) -> datetime:
    return fx.DAY + timedelta(hours=h)


BILL = [
    *[
        {
            "service_name": EC2,
            "resource_id": "arn:aws:ec2:us-east-1:111122223333:instance/i-0aaa1111",
            "charge_period_start": _hour(h),
            "charge_period_end": _hour(h + 1),
            "pricing_category": "Committed",
            "commitment_discount_id": SP_ARN,
            "list_cost": 5.6,
            "billed_cost": 0.0,
            "effective_cost": 3.92,
        }
        for h in range(3)
    ],
    {
        "service_name": EC2,
        "resource_id": "i-0bbb2222",
        "pricing_category": "Dynamic",
        "charge_period_start": _hour(0),
        "charge_period_end": _hour(3),
        "list_cost": 8.4,
        "effective_cost": 3.15,
    },
    {
        "service_name": "Amazon Relational Database Service",
        "resource_id": "arn:aws:rds:us-east-1:111122223333:db:orders",
        "tags": {"owner": "alpha"},
        "charge_period_start": PERIOD[0],
        "charge_period_end": PERIOD[1],
        "effective_cost": 72.0,
    },
    {
        "service_name": "Amazon Simple Storage Service",
        "resource_id": "orders-archive",
        "charge_period_start": fx.DAY,
        "charge_period_end": _hour(24),
        "effective_cost": 3.0,
    },
    {
        "charge_category": "Tax",
        "charge_period_start": PERIOD[0],
        "charge_period_end": PERIOD[1],
        "effective_cost": 9.0,
    },
    {
        "charge_category": "Credit",
        "service_name": EC2,
        "tags": {"team": "alpha"},
        "charge_period_start": fx.DAY,
        "charge_period_end": _hour(24),
        "effective_cost": -2.0,
    },
    {
        "charge_category": "Purchase",
        "service_name": "Savings Plans for AWS Compute usage",
        "resource_id": SP_ARN,
        "charge_period_start": _hour(0),
        "charge_period_end": _hour(3),
        "billed_cost": 11.76,
        "effective_cost": 0.0,
    },
]


def _inventory() -> dict[str, pd.DataFrame]:
    tables = fx.inventory_tables()
    nodes = tables["raw_k8s_nodes"].copy()
    nodes["provider_id"] = ["aws:///us-east-1a/i-0aaa1111", "aws:///us-east-1b/i-0bbb2222"]
    nodes["is_spot"] = [False, True]
    return {**tables, "raw_k8s_nodes": nodes}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    wh = Warehouse(tmp_path_factory.mktemp("bill") / "wh.duckdb")
    wh.load(LoadBatch("kubernetes", "c1", fx.SNAPSHOT_AT, _inventory()))
    fx.load_prometheus(wh)
    load_bill(wh, BILL, PERIOD)
    transform_warehouse(wh, fx.CONFIG)
    yield wh
    wh.close()


def _by_team(wh: Warehouse) -> dict[str, tuple[float, float]]:
    rows = wh.con.execute(
        "select team, total_cost, reconciled_cost from mart_team_cost_daily "
        "where cluster = 'c1' and cost_date = ?",
        [DAY],
    ).fetchall()
    return {team: (total, reconciled) for team, total, reconciled in rows}


def test_team_and_idle_costs_are_reconciled_to_the_bill(built: Warehouse) -> None:
    teams = _by_team(built)
    assert teams == {
        "alpha": pytest.approx((6.6, 4.725)),
        "beta": pytest.approx((1.95, 1.4625)),
        "__unallocated__": pytest.approx((1.65, 1.155)),
        "__idle__": pytest.approx((10.8, 7.5675)),
    }
    # teams and idle together: the billed cost of the matched nodes, 11.76 + 3.15
    assert sum(r for _, r in teams.values()) == pytest.approx(14.91)
    # the namespaces split the same reconciled cost: alpha's api-1 (shop) 3.15 + db-0 (shop)
    # 1.575 = 4.725; beta's worker-1 (batch) 1.4625
    namespaces = dict(
        built.con.execute(
            "select team || '/' || namespace, reconciled_cost from mart_namespace_cost_daily "
            "where team in ('alpha', 'beta') and cost_date = ?",
            [DAY],
        ).fetchall()
    )
    assert namespaces == {"alpha/shop": pytest.approx(4.725), "beta/batch": pytest.approx(1.4625)}
    # apps: payments-api on n1 4.5 x 0.7 = 3.15; payments-db on n2 2.1 x 0.75 = 1.575
    apps = dict(
        built.con.execute(
            "select app_id, reconciled_cost from mart_app_cost_daily "
            "where app_id like 'payments-%' "
            "and cost_date = ?",
            [DAY],
        ).fetchall()
    )
    assert apps == {"payments-api": pytest.approx(3.15), "payments-db": pytest.approx(1.575)}
    assert check_invariants(built.con) == []


def test_idle_shares_are_reconciled_with_the_idle(built: Warehouse) -> None:
    """The idle shares (10.8 modelled) take the bill's factor on the cluster-day's idle,
    7.5675 / 10.8 = 0.70069..., so the teams' reconciled shares add up to the reconciled idle."""
    rows = built.con.execute(
        "select team, idle_share_cost, reconciled_idle_share_cost from mart_team_cost_daily "
        "where cost_date = ? and team <> '__idle__'", [DAY]).fetchall()
    assert sum(r[1] for r in rows) == pytest.approx(10.8)
    assert sum(r[2] for r in rows) == pytest.approx(7.5675)
    for _, modelled, reconciled in rows:
        assert reconciled == pytest.approx(modelled * 7.5675 / 10.8)


def test_the_reconciliation_row(built: Warehouse) -> None:
    row = built.con.execute(
        "select modelled_node_cost, billed_node_cost, count_nodes, count_nodes_matched, "
        "modelled_volume_cost, billed_volume_cost from mart_billing_reconciliation_daily "
        "where cluster = 'c1' and cost_date = ?",
        [DAY],
    ).fetchone()
    # modelled 16.8 + 4.2; billed EffectiveCost 11.76 + 3.15; both nodes matched; no volumes
    assert row == pytest.approx((21.0, 14.91, 2, 2, 0.0, 0.0))


def test_cloud_cost_outside_kubernetes(built: Warehouse) -> None:
    rows = built.con.execute(
        "select team, provider, service_name, charge_category, billed_cost, effective_cost "
        "from mart_cloud_cost_daily where cost_date = ? order by team, charge_category",
        [DAY],
    ).fetchall()
    assert rows == [
        # tax and credit and the savings plan's fee reach no team: the reserved __billing__
        ("__billing__", "AWS", EC2, "Credit", pytest.approx(-2.0), pytest.approx(-2.0)),
        (
            "__billing__",
            "AWS",
            "Savings Plans for AWS Compute usage",
            "Purchase",
            pytest.approx(11.76),
            pytest.approx(0.0),
        ),
        ("__billing__", "AWS", "", "Tax", pytest.approx(0.3), pytest.approx(0.3)),
        (
            "__unallocated__",
            "AWS",
            "Amazon Simple Storage Service",
            "Usage",
            pytest.approx(3.0),
            pytest.approx(3.0),
        ),
        (
            "alpha",
            "AWS",
            "Amazon Relational Database Service",
            "Usage",
            pytest.approx(2.4),
            pytest.approx(2.4),
        ),
    ]
    # nothing dropped: cloud cost + the matched nodes' bill = the bill's total on the day
    cloud_effective = sum(r[5] for r in rows)
    cloud_billed = sum(r[4] for r in rows)
    assert cloud_effective + 14.91 == pytest.approx(18.61)
    assert cloud_billed + 0.0 + 3.15 == pytest.approx(18.61)
    # Only the observed day: the bill's period (November) does not add days of data, or the
    # inventory would be carried forward into 29 costed days nobody observed (run_days). The
    # mart holds 2026-11-02 alone: RDS 2.4 + S3 3 + tax 0.3 - credit 2 + purchase 0 = 3.7
    # (the whole month, 72 + 3 + 9 - 2 = 82, lands as the inventories cover its days).
    month = built.con.execute("select sum(effective_cost), count(distinct cost_date) "
                              "from mart_cloud_cost_daily").fetchone()
    assert month == (pytest.approx(3.7), 1)


def test_without_a_bill_reconciled_equals_modelled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    wh = Warehouse(tmp_path / "wh.duckdb")
    wh.load(LoadBatch("kubernetes", "c1", fx.SNAPSHOT_AT, _inventory()))
    fx.load_prometheus(wh)
    transform_warehouse(wh, fx.CONFIG)
    teams = _by_team(wh)
    assert {t: r for t, (_, r) in teams.items()} == {
        "alpha": pytest.approx(6.6),
        "beta": pytest.approx(1.95),
        "__unallocated__": pytest.approx(1.65),
        "__idle__": pytest.approx(10.8),
    }
    row = wh.con.execute(
        "select modelled_node_cost, billed_node_cost, count_nodes, "
        "count_nodes_matched from mart_billing_reconciliation_daily"
    ).fetchone()
    assert row == pytest.approx((21.0, 0.0, 2, 0))
    wh.close()


GCE_INSTANCE = "//compute.googleapis.com/projects/proj/zones/us-central1-a/instances/gke-pool-n1"
AZURE_VM = (
    "/subscriptions/SUB-1/resourceGroups/MC_RG/providers/Microsoft.Compute/virtualMachines/AKS-N2"
)


def test_gce_and_azure_nodes_and_an_ebs_volume_match_their_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # n1 on GCE, n2 on Azure, both on-demand: modelled 16.8 and 8.4 (tests/test_cost_model.py).
    # pv-1, 10 GiB, in-tree EBS `aws://us-east-1a/vol-0abc`, bound to a claim in `shop` that no
    # pod mounts: team gamma (the namespace's label), 10 x 24 h x 0.01 = 2.4 modelled.
    # The bill names each at half its modelled cost: the GCE instance by its full resource
    # path, the Azure VM by its ARM id in lower case, the volume by its ARN.
    tables = fx.inventory_tables()
    nodes = tables["raw_k8s_nodes"].copy()
    nodes["provider_id"] = ["gce://proj/us-central1-a/gke-pool-n1", f"azure://{AZURE_VM}"]
    pvs = pd.DataFrame(
        [
            {
                "pv_name": "pv-1",
                "storage_class": "gp2",
                "capacity_bytes": 10 * fx.GIB,
                "claim_namespace": "shop",
                "claim_name": "data",
                "volume_handle": "aws://us-east-1a/vol-0abc",
            }
        ]
    )
    wh = Warehouse(tmp_path / "wh.duckdb")
    wh.load(
        LoadBatch(
            "kubernetes",
            "c1",
            fx.SNAPSHOT_AT,
            {**tables, "raw_k8s_nodes": nodes, "raw_k8s_pvs": pvs},
        )
    )
    fx.load_prometheus(wh)
    window = {"charge_period_start": _hour(0), "charge_period_end": _hour(3)}
    day = {"charge_period_start": fx.DAY, "charge_period_end": _hour(24)}
    load_bill(
        wh,
        [
            {
                **window,
                "provider": "Google Cloud",
                "effective_cost": 8.4,
                "resource_id": GCE_INSTANCE,
            },
            {
                **window,
                "provider": "Microsoft",
                "effective_cost": 4.2,
                "resource_id": AZURE_VM.lower(),
            },
            {
                **day,
                "effective_cost": 1.2,
                "resource_id": "arn:aws:ec2:us-east-1:1:volume/vol-0abc",
            },
        ],
        PERIOD,
    )
    transform_warehouse(wh, fx.CONFIG)
    row = wh.con.execute(
        "select modelled_node_cost, billed_node_cost, count_nodes, count_nodes_matched, "
        "modelled_volume_cost, billed_volume_cost from mart_billing_reconciliation_daily "
        "where cost_date = ?",
        [DAY],
    ).fetchone()
    assert row == pytest.approx((25.2, 12.6, 2, 2, 2.4, 1.2))
    teams = _by_team(wh)
    # every node-day and volume-day at factor 0.5: gamma's volume 2.4 -> 1.2, alpha 8.7 -> 4.35
    assert teams["gamma"] == pytest.approx((2.4, 1.2))
    assert teams["alpha"] == pytest.approx((8.7, 4.35))
    assert sum(r for _, r in teams.values()) == pytest.approx(12.6 + 1.2)
    # all three lines matched: no cloud cost outside Kubernetes
    assert wh.con.execute("select count(*) from mart_cloud_cost_daily").fetchone() == (0,)
    assert check_invariants(wh.con) == []
    wh.close()
