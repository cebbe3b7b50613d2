"""The developer-productivity and migration-impact numbers of the reports, against values worked
out by hand from the delivery rows of tests/test_report_fixture.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_report_fixture import XSS_TEAM, build_warehouse

from fleetscope.reports import delivery
from fleetscope.reports.weeks import IsoWeek
from fleetscope.warehouse import Warehouse, connect_read_only

W47 = IsoWeek(2026, 47)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = build_warehouse(tmp_path_factory.mktemp("delivery") / "wh.duckdb")
    connection = connect_read_only(path)
    yield connection
    connection.close()


def test_four_keys_of_the_week(con) -> None:
    keys = delivery.four_keys(con, W47).set_index("team")
    # The organisation first, then the teams by name.
    assert list(keys.index) == ["__all__", XSS_TEAM, "payments", "search"]
    org = keys.loc["__all__"]
    # W47 sums of mart_delivery_weekly: deploys 2 + 1 + 4 = 7, unknown 0 + 1 + 0 = 1, failed 1.
    assert (org["deploys_week"], org["unknown_lead_time_week"], org["failed_week"]) == (7, 1, 1)
    # The 13-week keys of mart_delivery_buckets: 1 failed of 12 = 8.3%.
    assert org["frequency_text"] == "weekly (high)"
    assert org["lead_time_text"] == "2.0 h (elite)"
    assert org["failure_rate_text"] == "8.3% (elite)"
    assert org["recovery_text"] == "4.5 h (elite)"
    pay = keys.loc["payments"]
    assert (pay["deploys_week"], pay["unknown_lead_time_week"], pay["failed_week"]) == (3, 1, 1)
    assert (pay["lead_time_text"], pay["failure_rate_text"]) == ("30.0 h (high)", "25.0% (high)")
    # search had no failure: no restore time and no bucket, a dash.
    assert keys.loc["search", "recovery_text"] == "–"
    # A team with a 13-week row but no deploy this week counts 0.
    assert keys.loc[XSS_TEAM, "deploys_week"] == 0
    assert keys.loc[XSS_TEAM, "lead_time_text"] == "–"


def test_four_keys_of_one_team_and_the_sentence(con) -> None:
    one = delivery.four_keys(con, W47, "payments")
    assert list(one["team"]) == ["payments"]
    assert delivery.keys_sentence(one.iloc[0], W47, "the team") == (
        "Over the 13 weeks to 2026-W47, the team deploys weekly (high); median lead time 30.0 h "
        "(high); change failure rate 25.0% (high); time to restore 4.5 h (elite). This week: "
        "3 deploys, 1 failed, 1 with unknown lead time."
    )
    assert delivery.four_keys(con, W47, "nobody").empty


def test_trend_over_13_weeks(con) -> None:
    org = delivery.trend(con, W47)
    # 13 weeks ending with W47 (Mon 16 Nov): the first starts 12 weeks earlier, Mon 24 Aug.
    assert len(org) == 13
    assert str(org["week_start_date"].iloc[0])[:10] == "2026-08-24"
    # Deploys: W46 1 + 4 = 5, W47 7, none before; lead time 3 h then 2 h; failure 1/12 = 8.33%.
    assert list(org["deploys"]) == [0] * 11 + [5, 7]
    assert list(org["lead_time_median_hours"].iloc[-2:]) == [3.0, 2.0]
    assert org["lead_time_median_hours"].iloc[:11].isna().all()
    assert org["change_failure_pct"].iloc[-1] == pytest.approx(100 / 12)
    pay = delivery.trend(con, W47, "payments")
    # payments only: W46 1 deploy, W47 2 + 1 = 3.
    assert list(pay["deploys"].iloc[-2:]) == [1, 3]


@pytest.mark.parametrize(
    ("n", "low", "high", "reading"),
    [
        (0, None, None, "no migrated app with a before and an after"),
        (3, -70.0, -20.0, "too few apps to conclude: n = 3"),
        (4, -70.0, -20.0, "too few apps to conclude: n = 4"),
        (5, -70.0, -20.0, "lower after migrating"),
        (6, -0.5, 1.0, "no clear change"),
        (6, 0.0, 1.0, "no clear change"),  # an interval touching 0 does not exclude it
        (6, 0.5, 1.0, "higher after migrating"),
        (6, float("nan"), float("nan"), "no interval"),
    ],
)
def test_impact_reading(n, low, high, reading) -> None:
    assert delivery.MIN_APPS == 5
    assert delivery.impact_reading(n, low, high) == reading


def test_impact_summary_of_the_organisation_and_teams(con) -> None:
    summary = delivery.impact_summary(con, "USD")
    org = summary[summary["team"] == "__all__"].set_index("metric")
    # The three metrics of the page, in its order; change_failure_rate is not shown.
    assert list(org.index) == ["cost_per_week", "deploys_per_week", "lead_time_median_hours"]
    assert set(summary["metric"]) == set(org.index)
    # 6 apps (tests/test_report_fixture.py IMPACT_SUMMARY): cost 75 -> 30, change -36 in
    # -56 to -20, all below 0.
    cost = org.loc["cost_per_week"]
    assert (cost["count_apps"], cost["before"], cost["after"], cost["change"]) == (
        6,
        "75.00 USD",
        "30.00 USD",
        "-36.00 USD",
    )
    assert cost["interval"] == "-56.00 USD to -20.00 USD"
    assert cost["reading"] == "lower after migrating"
    # Deploys +0.25 a week in -0.5 to +1: spans 0.
    assert (org.loc["deploys_per_week", "change"], org.loc["deploys_per_week", "interval"]) == (
        "+0.25",
        "-0.50 to +1.00",
    )
    assert org.loc["deploys_per_week", "reading"] == "no clear change"
    assert org.loc["lead_time_median_hours", "interval"] == "-40.0 h to -12.0 h"
    # payments rests on 3 apps: no conclusion, whatever the interval.
    pay = delivery.impact_summary(con, "USD", "payments")
    assert list(pay["reading"]) == ["too few apps to conclude: n = 3"] * 3
    assert list(pay["change"]) == ["-42.00 USD", "+0.50", "-30.0 h"]


def test_impact_apps(con) -> None:
    apps = delivery.impact_apps(con, "payments")
    assert list(apps["app_id"]) == ["pay-a", "pay-b", "pay-c"]
    # pay-b: 100 a week on Helios, 30 on Kubernetes.
    assert apps.set_index("app_id").loc["pay-b", "cost_per_week_after"] == 30.0


def test_without_the_delivery_marts(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    Warehouse(path).close()
    con = connect_read_only(path)
    try:
        assert delivery.four_keys(con, W47).empty
        assert delivery.impact_summary(con, "USD").empty
        assert delivery.impact_apps(con, "payments").empty
        trend = delivery.trend(con, W47)
        assert len(trend) == 13 and (trend["deploys"] == 0).all()
        assert trend["lead_time_median_hours"].isna().all()
    finally:
        con.close()


def test_formatting() -> None:
    assert delivery.hours(37.5) == "37.5 h" and delivery.hours(None) == "–"
    assert delivery.with_bucket("2.0 h", "elite") == "2.0 h (elite)"
    assert delivery.with_bucket("–", None) == "–"
    assert delivery.metric_value("cost_per_week", 1234.0, "EUR", signed=True) == "+1,234 EUR"
    assert delivery.metric_value("deploys_per_week", pd.NA, "EUR") == "–"
