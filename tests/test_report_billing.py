"""The bill in the reports: numbers worked out by hand from tests/test_report_fixture.py with
`bill=True` (W47 of prod-eu reconciled; W46 has no bill), and the pages that show them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report_fixture import XSS_SERVICE, XSS_TEAM, build_warehouse

from fleetscope.reports import billing, metrics, render_all
from fleetscope.reports import team as numbers
from fleetscope.reports.weeks import IsoWeek
from fleetscope.warehouse import connect_read_only

W47 = IsoWeek(2026, 47)
W46 = IsoWeek(2026, 46)


@pytest.fixture(scope="module")
def billed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("billed") / "wh.duckdb", bill=True)


@pytest.fixture
def con(billed: Path):
    connection = connect_read_only(billed)
    yield connection
    connection.close()


def test_the_basis_is_reconciled_only_where_a_bill_covers_the_week(con, tmp_path) -> None:
    assert billing.bill_covers(con, W47) and not billing.bill_covers(con, W46)
    assert billing.cost_basis(con, W47) == (True, "reconciled with the bill")
    assert billing.cost_basis(con, W46) == (False, "list-price estimate")
    plain = connect_read_only(build_warehouse(tmp_path / "plain.duckdb"))
    try:  # no bill marts at all: empty frames, the estimate
        assert billing.cost_basis(plain, W47) == (False, "list-price estimate")
        assert billing.reconciliation(plain, W47).empty
        assert billing.cloud_services(plain, W47).empty
        assert billing.never_allocated(plain, W47).empty
    finally:
        plain.close()


def test_reconciliation_per_cluster(con) -> None:
    recon = billing.reconciliation(con, W47)
    assert recon.to_dict("records") == [{
        "cluster": "prod-eu", "modelled_node_cost": 11700.0, "billed_node_cost": 8560.0,
        "modelled_matched_node_cost": 10700.0,
        "node_adjustment": -2140.0,  # 8560 - 10700
        "count_nodes": 10, "count_nodes_matched": 9, "node_coverage_pct": 90.0,  # 9 / 10
        "modelled_volume_cost": 500.0, "billed_volume_cost": 1000.0,
        "modelled_matched_volume_cost": 500.0,
        "volume_adjustment": 500.0,  # 1000 - 500
        "count_volumes": 4, "count_volumes_matched": 4, "volume_coverage_pct": 100.0}]
    assert billing.reconciliation(con, W46).empty


def test_cloud_spend_outside_kubernetes_and_never_allocated(con) -> None:
    services = billing.cloud_services(con, W47)
    # By effective cost: RDS 240; S3 50 (search) + 70 (untagged) = 120; the XSS service 10.
    assert services[["service_name", "billed_cost", "effective_cost"]].values.tolist() == [
        ["Amazon RDS", 300.0, 240.0], ["Amazon S3", 120.0, 120.0], [XSS_SERVICE, 10.0, 10.0]]
    account = billing.never_allocated(con, W47)
    assert account[["charge_category", "effective_cost"]].values.tolist() == [
        ["Credit", -200.0], ["Tax", 120.0]]
    # One team's services: payments' RDS only; the credit tagged nowhere reaches no team.
    mine = billing.cloud_services(con, W47, team="payments")
    assert mine[["service_name", "effective_cost"]].values.tolist() == [["Amazon RDS", 240.0]]


def test_team_cost_reconciled(con) -> None:
    teams = metrics.team_cost_changes(con, W47, engineer_cost_per_year=200000.0, min_pct=5.0,
                                      reconciled=True).set_index("team")
    # payments: 5400 on prod-eu + 500 on Helios = 5900 against W46's 3000 + 1000 = 4000 (no
    # bill then): +1900, +47.5%, under the 1,917.81 threshold so not notable; fully loaded
    # 5900 + 120 shared + 280 reconciled idle share (350 x 560 / 700) = 6300 (shared cost
    # stays modelled: it moves cost between teams).
    row = teams.loc["payments"]
    assert (row["cost"], row["previous_cost"], row["change"]) == (5900.0, 4000.0, 1900.0)
    assert row["change_pct"] == pytest.approx(47.5) and not row["notable"]
    assert row["idle_share_cost"] == pytest.approx(280.0)
    assert row["loaded_cost"] == pytest.approx(6300.0)
    # the reconciled idle shares add up to the reconciled idle, 560
    assert teams["idle_share_cost"].sum() == pytest.approx(560.0)
    resources = numbers.cost_by_resource(con, "payments", W47, reconciled=True)
    assert resources.set_index("resource").loc["idle_share", "cost"] == pytest.approx(280.0)
    assert teams.loc["search", "cost"] == 4280.0  # 4100 x 0.8 + 1000 unmatched
    by_cluster = numbers.cost_by_cluster(con, "payments", W47, reconciled=True)
    assert by_cluster.values.tolist() == [["prod-eu", 5400.0, 3000.0], ["helios", 500.0, 1000.0]]
    trend = numbers.weekly_trend(con, "payments", W47, weeks=2, reconciled=True)
    assert trend["cost"].tolist() == [4000.0, 5900.0]


def test_whole_cloud_cost_of_a_team(con) -> None:
    whole = billing.whole_cloud_cost(con, "payments", W47, reconciled=True)
    # Kubernetes reconciled 5400 + Helios 500 + RDS 240 = 6140; W46: 3000 + 1000 + 0 = 4000.
    assert whole.values.tolist() == [["kubernetes", "Kubernetes", 5400.0, 3000.0],
                                     ["legacy", "Helios (legacy)", 500.0, 1000.0],
                                     ["cloud", "Amazon RDS", 240.0, 0.0]]
    assert whole["cost"].sum() == 6140.0
    listed = billing.whole_cloud_cost(con, "payments", W47, reconciled=False)
    assert listed["cost"].tolist() == [6000.0, 500.0, 240.0]


@pytest.fixture(scope="module")
def pages(billed: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("billed-site")
    w47 = render_all(billed, out, week="2026-W47", teams=["payments", XSS_TEAM],
                     leadership=True)
    w46 = render_all(billed, out, week="2026-W46", teams=["payments"])
    return w47, w46


def test_leadership_reconciliation_section(pages) -> None:
    text = pages[0].leadership.read_text(encoding="utf-8")
    assert "Reconciliation with the bill" in text
    # prod-eu nodes: 11,700 modelled, 8,560 billed, -2,140, 9 of 10 node-days, 90.0%.
    assert ('<td class="">prod-eu</td><td class="fs-num">11,700 USD</td>'
            '<td class="fs-num">8,560 USD</td><td class="fs-num">-2,140 USD</td>'
            '<td class="fs-num">9</td><td class="fs-num">10</td>'
            '<td class="fs-num">90.0%</td>') in text
    assert ('<td class="fs-num">500 USD</td><td class="fs-num">1,000 USD</td>'
            '<td class="fs-num">+500 USD</td>') in text
    assert "370 USD this week on services no node or volume took" in text  # 240 + 120 + 10
    assert '<td class="">Credit</td><td class="">AWS Promotional Credit</td>' in text
    assert "-200 USD" in text and "Never allocated" in text
    assert XSS_SERVICE not in text and "&lt;img src=x onerror=alert(2)&gt;" in text
    # The all-teams table says its basis; payments fully loaded 5,900 + 120 shared + 280
    # reconciled idle share (350 x 560 / 700) = 6,300.
    assert "Team cost: <strong>reconciled with the bill</strong>" in text
    assert '<td class="fs-num">6,300 USD</td>' in text
    earlier = pages[1]
    assert earlier.leadership is None  # only the team page was asked for W46


def test_team_page_reconciled_and_whole_cloud_cost(pages) -> None:
    page = pages[0].team_pages["payments"].read_text(encoding="utf-8")
    assert "Allocated cost this week (reconciled with the bill)" in page
    assert "5,900 USD" in page  # 5400 + 500
    assert "Whole cloud cost" in page and "6,140 USD" in page  # 5400 + 500 + 240
    assert "Kubernetes 5,400 USD + Helios (legacy) 500 USD + Amazon RDS 240 USD" in page
    # fully loaded with the reconciled idle share: 5,900 + 120 shared + 280 = 6,300
    assert "6,300 USD" in page and "allocated + 120 USD shared + 280 USD of idle capacity" in page
    old = pages[1].team_pages["payments"].read_text(encoding="utf-8")
    assert "Allocated cost this week (list-price estimate)" in old
    xss = pages[0].team_pages[XSS_TEAM].read_text(encoding="utf-8")
    assert XSS_SERVICE not in xss and "&lt;img src=x onerror=alert(2)&gt;" in xss

