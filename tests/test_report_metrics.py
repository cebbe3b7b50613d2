"""The report numbers against values worked out by hand from tests/test_report_fixture.py."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from test_report_fixture import DOTS_TEAM, NOW, XSS_TEAM, build_warehouse

from fleetscope.reports import metrics, migration
from fleetscope.reports import team as numbers
from fleetscope.reports.names import safe_file_name
from fleetscope.reports.weeks import IsoWeek, default_week
from fleetscope.warehouse import Warehouse, connect_read_only

W47 = IsoWeek(2026, 47)
# Half an engineer (200,000 a year) over 7 days: 0.5 * 200000 * 7 / 365.
THRESHOLD = 1917.808219


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = build_warehouse(tmp_path_factory.mktemp("metrics") / "wh.duckdb")
    connection = connect_read_only(path)
    yield connection
    connection.close()


def test_iso_weeks() -> None:
    assert (W47.start, W47.end) == (date(2026, 11, 16), date(2026, 11, 22))
    assert IsoWeek.parse("2026-W47") == W47
    assert W47.shift(-1).label == "2026-W46"
    assert IsoWeek(2026, 1).shift(-1).label == "2025-W52"
    assert IsoWeek.of(date(2027, 1, 1)).label == "2026-W53"  # 2026 has 53 ISO weeks
    # Data to Tuesday 17 Nov: W47 is incomplete, so W46; to Sunday 22 Nov: W47.
    assert default_week(date(2026, 11, 1), date(2026, 11, 17)) == IsoWeek(2026, 46)
    assert default_week(date(2026, 11, 1), date(2026, 11, 22)) == W47
    # Only three days of data, all in one week: that week.
    assert default_week(date(2026, 11, 16), date(2026, 11, 18)) == W47


@pytest.mark.parametrize("text", ["2026-47", "2026-W99", "W47", "2026-w47x"])
def test_bad_week_is_named(text: str) -> None:
    with pytest.raises(Exception, match="--week"):
        IsoWeek.parse(text)


def test_notable_framing() -> None:
    assert metrics.notable_threshold(200_000, 7) == pytest.approx(THRESHOLD)
    # +10% but only 1,000: not notable; +2% of a big number (2,000): not notable either.
    assert not metrics.change(11_000, 10_000, threshold=THRESHOLD, min_pct=5).notable
    assert not metrics.change(102_000, 100_000, threshold=THRESHOLD, min_pct=5).notable
    # +6% and 6,000: notable; -40% and -2,000: notable (falls count too).
    assert metrics.change(106_000, 100_000, threshold=THRESHOLD, min_pct=5).notable
    assert metrics.change(3_000, 5_000, threshold=THRESHOLD, min_pct=5).notable
    new = metrics.change(2_500, 0, threshold=THRESHOLD, min_pct=5)
    assert new.notable and new.pct is None


def test_headline(con) -> None:
    head = metrics.headline(con, W47, engineer_cost_per_year=200_000, min_pct=5)
    # W47: 6000 + 500 + 5100 + 150 + 50 + 200 + 700; W46: 3000 + 1000 + 5000 + 100 + 200 + 500.
    assert (head.total.current, head.total.previous) == (12_700, 9_800)
    assert head.total.pct == pytest.approx(100 * 2_900 / 9_800)  # +29.59%
    assert head.total.notable
    # Helios is the cluster that mart_app_cost_daily marks as platform helios.
    assert (head.legacy.current, head.legacy.previous) == (500, 1_000)
    assert not head.legacy.notable  # -50% but only 500
    assert (head.kubernetes.current, head.kubernetes.previous) == (12_200, 8_800)
    assert (head.idle.current, head.idle.previous) == (700, 500)
    assert head.days_with_data == 1


def test_team_changes_and_top_movers(con) -> None:
    teams = metrics.team_cost_changes(con, W47, engineer_cost_per_year=200_000, min_pct=5)
    assert "__idle__" not in set(teams["team"])
    rows = {r.team: r for r in teams.itertuples()}
    assert (rows["payments"].cost, rows["payments"].previous_cost) == (6_500, 4_000)
    assert rows["payments"].change_pct == pytest.approx(62.5)
    assert rows["payments"].notable
    assert rows["search"].change_pct == pytest.approx(2.0) and not rows["search"].notable
    assert rows[XSS_TEAM].change == 50 and not rows[XSS_TEAM].notable
    assert rows[DOTS_TEAM].previous_cost == 0 and pd.isna(rows[DOTS_TEAM].change_pct)  # new
    # Fully loaded = allocated + shared + the week's idle share: payments 6500 + 120 + 350,
    # search 5100 + 60 + 280.
    assert (rows["payments"].shared_cost, rows["payments"].idle_share_cost) == (120, 350)
    assert rows["payments"].loaded_cost == 6_970
    assert (rows["search"].shared_cost, rows["search"].loaded_cost) == (60, 5_440)
    # The shared namespace's owner gives up what the others get: 120 + 60 - 180 = 0.
    assert rows["__unallocated__"].shared_cost == -180 and teams["shared_cost"].sum() == 0
    # Every team's share, __unallocated__'s included, adds up to the week's idle (700).
    assert teams["idle_share_cost"].sum() == 700
    movers = metrics.top_movers(teams, n=3)
    # By absolute change: payments 2500, search 100, then the first of the two 50s by cost.
    assert list(movers["team"]) == ["payments", "search", XSS_TEAM]


def test_platform_weekly(con) -> None:
    frame = metrics.platform_cost_weekly(con, W47, weeks=2)
    got = {(str(r.week_start)[:10], r.platform): r.cost for r in frame.itertuples()}
    assert got == {("2026-11-09", "helios"): 1_000, ("2026-11-09", "kubernetes"): 8_800,
                   ("2026-11-16", "helios"): 500, ("2026-11-16", "kubernetes"): 12_200}


def test_migration_and_forecast(con) -> None:
    frame = migration.migration_changes(con, W47).set_index("team")
    assert frame.loc["__all__", "migrated_pct"] == 40.0
    assert frame.loc["__all__", "change_pts"] == 20.0  # 20% on 15 Nov to 40% on 22 Nov
    assert frame.loc["__all__", "forecast"] == "100% by 2027-01-31"  # as of 22 Nov, not 15 Nov
    assert frame.loc["payments", "migrated_pct"] == 50.0
    assert frame.loc["payments", "forecast"] == "no progress"
    one = migration.migration_changes(con, W47, "payments")
    assert list(one["team"]) == ["payments"] and list(one["change_pts"]) == [25.0]
    burn = migration.burnup(con, W47)
    assert list(burn["count_apps_migrated"]) == [2, 4]


def test_cluster_utilization(con) -> None:
    util = metrics.cluster_utilization(con, W47).set_index("cluster")
    # prod-eu on 17 Nov: 600/1000 requested, 300/1000 used, 300/600 efficiency.
    assert util.loc["prod-eu", "cpu_requested_pct"] == pytest.approx(60.0)
    assert util.loc["prod-eu", "cpu_used_pct"] == pytest.approx(30.0)
    assert util.loc["prod-eu", "cpu_efficiency_pct"] == pytest.approx(50.0)
    assert util.loc["prod-eu", "ram_used_pct"] == pytest.approx(37.5)
    assert util.loc["prod-eu", "ram_efficiency_pct"] == pytest.approx(75.0)
    assert util.loc["prod-eu", "idle_cost"] == 700.0  # the W46 row (500) is not in the week
    assert util.loc["prod-us", "cpu_requested_pct"] == pytest.approx(25.0)


def test_deploys(con) -> None:
    frame = metrics.deploys(con, W47).set_index("team")
    # payments: 2 + 1 deploys in W47 (1 rollback), 1 in W46; search: none in W47, 4 in W46.
    assert frame.loc["payments", ["deploys", "previous_deploys", "rollbacks"]].tolist() == [
        3, 1, 1]
    assert frame.loc["search", ["deploys", "previous_deploys"]].tolist() == [0, 4]
    assert frame.loc["payments", "deployment_frequency"] == "weekly"
    assert list(frame.index) == ["payments", "search"]  # most deploys first
    org = metrics.deploy_frequency(con, W47).set_index("team")
    assert org.loc["__all__", "deployment_frequency"] == "weekly"


def test_freshness_and_quality(con) -> None:
    fresh = metrics.freshness(con, NOW, max_staleness_hours=36).set_index(
        ["source_kind", "source_name"])
    assert fresh.loc[("helios", "helios"), "age_hours"] == pytest.approx(12.0)
    assert not fresh.loc[("helios", "helios"), "stale"]
    # Recent, but a collection failed after it: stale.
    assert fresh.loc[("kubernetes", "prod-eu"), "failed_since"] == 1
    assert fresh.loc[("kubernetes", "prod-eu"), "stale"]
    assert fresh.loc[("prometheus", "prod-eu"), "age_hours"] == pytest.approx(70.0)
    assert fresh.loc[("prometheus", "prod-eu"), "stale"]
    assert metrics.quality_status(con) == ("not checked", "no validation run recorded")


def test_team_numbers(con) -> None:
    by_cluster = numbers.cost_by_cluster(con, "payments", W47)
    assert list(by_cluster["cluster"]) == ["prod-eu", "helios"]
    assert list(by_cluster["cost"]) == [6_000, 500]
    resources = numbers.cost_by_resource(con, "payments", W47).set_index("resource")
    assert resources.loc["cpu", "cost"] == 4_300  # 4000 on prod-eu + 300 on Helios
    assert resources.loc["storage", "cost"] == 500
    assert resources.loc["ram", "previous_cost"] == 1_400  # 1000 + 400 in W46
    # After the four resources: the shared cost moved to the team and its idle share.
    assert list(resources.index[-2:]) == ["shared", "idle_share"]
    assert (resources.loc["shared", "cost"], resources.loc["idle_share", "cost"]) == (120, 350)
    apps = numbers.cost_by_app(con, "payments", W47).set_index("app_id")
    assert apps.loc["payments-batch", "platform"] == "helios"
    assert apps.loc["payments-batch", "previous_cost"] == 1_000
    sizing = numbers.rightsizing(con, "payments")
    assert list(sizing["monthly_savings"]) == [120.5, 30.25]
    legacy = numbers.legacy_apps(con, "payments", W47)
    # The latest status day only: payments-old (legacy on 15 Nov) is not listed.
    assert list(legacy["app_id"]) == ["payments-batch", "payments-cron"]
    trend = numbers.weekly_trend(con, "payments", W47, weeks=4)
    assert list(trend["cost"]) == [4_000, 6_500]
    # CPU 40/100, RAM 300/400; the total is weighted by the Kubernetes cost only
    # (4000 CPU, 1500 RAM), not by the Helios row's 300 and 200: 2725 / 5500.
    eff = numbers.efficiency(con, "payments", W47)
    assert eff == pytest.approx({"cpu": 40.0, "ram": 75.0, "total": 100 * 2725 / 5500})
    assert eff["total"] == pytest.approx(49.5454545)
    # __unallocated__ requested nothing: unknown, not zero.
    assert numbers.efficiency(con, "__unallocated__", W47) == {
        "cpu": None, "ram": None, "total": None}
    spaces = numbers.cost_by_namespace(con, "payments", W47)
    assert spaces.to_dict("records") == [
        pytest.approx({"cluster": "prod-eu", "namespace": "pay", "cost": 5200.0,
                       "previous_cost": 3000.0, "cpu_efficiency_pct": 37.5,
                       "ram_efficiency_pct": 100 * 250 / 300}),
        pytest.approx({"cluster": "prod-eu", "namespace": "pay-batch", "cost": 800.0,
                       "previous_cost": 0.0, "cpu_efficiency_pct": 50.0,
                       "ram_efficiency_pct": 50.0})]
    # The namespaces add up to the team's Kubernetes cost (6500 - 500 on Helios).
    assert spaces["cost"].sum() == by_cluster.set_index("cluster").loc["prod-eu", "cost"]


def test_csv_rows(con) -> None:
    rows = numbers.csv_rows(
        "payments", W47, by_cluster=numbers.cost_by_cluster(con, "payments", W47),
        by_resource=numbers.cost_by_resource(con, "payments", W47),
        by_app=numbers.cost_by_app(con, "payments", W47),
        by_namespace=numbers.cost_by_namespace(con, "payments", W47),
        sizing=numbers.rightsizing(con, "payments"))
    assert set(rows["week"]) == {"2026-W47"} and set(rows["team"]) == {"payments"}
    cost = rows[(rows["section"] == "cluster") & (rows["metric"] == "cost")]
    assert cost["value"].sum() == 6_500
    savings = rows[rows["section"] == "rightsizing"]
    assert savings["value"].sum() == pytest.approx(150.75)
    spaces = rows[rows["section"] == "namespace"].set_index(["item", "metric"])["value"]
    assert spaces[("prod-eu/pay-batch", "cost")] == 800
    assert spaces[("prod-eu/pay", "cpu_efficiency_pct")] == pytest.approx(37.5)
    # Without `eff` there is no efficiency section; with it, one row per known value.
    assert "efficiency" not in set(rows["section"])
    with_eff = numbers.csv_rows(
        "payments", W47, by_cluster=numbers.cost_by_cluster(con, "payments", W47),
        by_resource=numbers.cost_by_resource(con, "payments", W47),
        by_app=numbers.cost_by_app(con, "payments", W47),
        by_namespace=numbers.cost_by_namespace(con, "payments", W47),
        sizing=numbers.rightsizing(con, "payments"),
        eff={"cpu": 40.0, "ram": 75.0, "total": None})
    eff_rows = with_eff[with_eff["section"] == "efficiency"]
    assert eff_rows[["item", "value"]].values.tolist() == [["cpu", 40.0], ["ram", 75.0]]


def test_team_efficiency_on_the_leadership_page(con) -> None:
    eff = metrics.team_efficiency(con, W47).set_index("team")
    assert set(eff.index) == {"payments", "search", XSS_TEAM, DOTS_TEAM}
    # Weighted by Kubernetes cost only, as on the team page (see test_team_numbers).
    assert eff.loc["payments", "total_efficiency_pct"] == pytest.approx(100 * 2725 / 5500)
    assert eff.loc["search", "total_efficiency_pct"] == pytest.approx(100 * 3550 / 5100)
    assert eff.loc["search", "cpu_efficiency_pct"] == pytest.approx(75.0)
    assert pd.isna(eff.loc[XSS_TEAM, "total_efficiency_pct"])


def test_safe_file_names() -> None:
    assert safe_file_name("payments") == "payments"
    assert safe_file_name("__unallocated__") == "__unallocated__"
    hostile = safe_file_name(XSS_TEAM)
    dots = safe_file_name(DOTS_TEAM)
    for stem in (hostile, dots, safe_file_name("A/B"), safe_file_name("..")):
        assert stem and "/" not in stem and "." not in stem and "<" not in stem
    assert dots.startswith("etc-") and hostile.startswith("script-alert-1-script-")
    assert safe_file_name("A/B") != safe_file_name("a-b")
    assert safe_file_name(XSS_TEAM) == hostile  # stable


def test_connect_helper_is_read_only(tmp_path: Path) -> None:
    from fleetscope.notebooks import connect

    path = build_warehouse(tmp_path / "wh.duckdb")
    con = connect(path)
    try:
        with pytest.raises(Exception, match="read-only"):
            con.execute("delete from mart_team_cost_daily")
    finally:
        con.close()


def test_quality_status_from_validation_runs(tmp_path: Path) -> None:
    with Warehouse(build_warehouse(tmp_path / "wh.duckdb")) as wh:
        rows = []
        for run, at, ok in (("r1", datetime(2026, 11, 21, 6), False),
                            ("r2", datetime(2026, 11, 22, 6), True)):
            for check, severity in (("grain", "critical"), ("share", "warning")):
                rows.append({"run_id": run, "validated_at": at, "check_name": check,
                             "table_name": "mart_team_cost_daily", "check_kind": check,
                             "severity": severity, "success": ok or severity == "warning"})
        # The newest run (r2) passed; the older one failed a critical check.
        wh.append_rows("validation_results", pd.DataFrame(rows[:2]))
        con = wh.con
        assert metrics.quality_status(con) == (
            "failed", "2 checks at 2026-11-21 06:00 UTC; 1 critical and 0 warning failures")
        wh.append_rows("validation_results", pd.DataFrame(rows[2:]))
        assert metrics.quality_status(con)[0] == "passed"


def test_efficiency_and_namespaces_without_usage_columns(tmp_path: Path) -> None:
    with Warehouse(build_warehouse(tmp_path / "wh.duckdb")) as wh:
        # An older cost mart without the requested/used hours, namespaces without them either.
        wh.replace_reference_table("mart_team_cost_daily", pd.DataFrame([
            {"cost_date": date(2026, 11, 17), "team": "payments", "cluster": "prod-eu",
             "cpu_cost": 1.0, "ram_cost": 1.0, "total_cost": 2.0}]))
        wh.replace_reference_table("mart_namespace_cost_daily", pd.DataFrame([
            {"cost_date": date(2026, 11, 17), "team": "payments", "cluster": "prod-eu",
             "namespace": "pay", "total_cost": 4000.0},
            {"cost_date": date(2026, 11, 18), "team": "payments", "cluster": "prod-eu",
             "namespace": "pay", "total_cost": 1000.0},
            {"cost_date": date(2026, 11, 10), "team": "payments", "cluster": "prod-eu",
             "namespace": "pay-batch", "total_cost": 300.0},
            {"cost_date": date(2026, 11, 17), "team": "search", "cluster": "prod-eu",
             "namespace": "search", "total_cost": 99.0},
        ]))
        eff = numbers.efficiency(wh.con, "payments", W47)
        frame = numbers.cost_by_namespace(wh.con, "payments", W47)
    assert eff == {"cpu": None, "ram": None, "total": None}
    assert frame[["cluster", "namespace", "cost", "previous_cost"]].to_dict("records") == [
        {"cluster": "prod-eu", "namespace": "pay", "cost": 5000.0, "previous_cost": 0.0},
        {"cluster": "prod-eu", "namespace": "pay-batch", "cost": 0.0, "previous_cost": 300.0}]
    assert frame["cpu_efficiency_pct"].isna().all()
