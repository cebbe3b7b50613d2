"""mart_cost_anomalies, mart_helios_savings and their alerts in mart_alerts, worked by hand.

Days Oct 1 .. Nov 20, 2026. Steady costs repeat the week CYCLE = 100, 110, 90, 105, 95, 100, 100
from Oct 1, so any 28 days hold 4 of each: sorted 90 x4, 95 x4, 100 x12, 105 x4, 110 x4, the
14th and 15th are 100 (median), the deviations 0 x12, 5 x8, 10 x8 have 5 and 5 there (MAD 5):
threshold max(3.5 x 1.4826 x 5 = 25.9455, 20 % x 100 = 20, 10 a day) = 25.9455, which no
steady day (at most 10 away) reaches.
- team checkout (c1): cpu = cost - 20, ram = 20, all in namespace `shop`; on Nov 10 a spike of
  400: cpu 80 (its median 80: +0), ram 320 (+300), `shop` 100 (+0), `batch` 300 (median 0: +300).
  App `cart` is the whole of checkout's Kubernetes cost (same lines).
- team search (c2): cpu = cost in namespace `search-api`; 300 on Nov 15, 16 and 17 (3 days).
- Helios apps: `legacy1` (checkout, on Helios every day, 12 a day) and `old` (search, on Helios
  Oct 1-9 and from Oct 20, migrated to Kubernetes in between; 24 a day either way).
"""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import pytest

from tests.budget_alert_inputs import DAYS, FIRST, build, create_inputs, team_row

CYCLE = [100.0, 110.0, 90.0, 105.0, 95.0, 100.0, 100.0]
SPIKE = date(2026, 11, 10)
RUN = (date(2026, 11, 15), date(2026, 11, 16), date(2026, 11, 17))


def _steady(day: date) -> float:
    return CYCLE[(day - FIRST).days % 7]


def _checkout(day: date) -> float:
    return 400.0 if day == SPIKE else _steady(day)


def _search(day: date) -> float:
    return 300.0 if day in RUN else _steady(day)


def _on_helios(app: str, day: date) -> bool:
    return app == "legacy1" or not date(2026, 10, 10) <= day <= date(2026, 10, 19)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("anomalies") / "wh.duckdb"))
    teams, apps = [], []
    for day in DAYS:
        cost = _checkout(day)
        ram = 320.0 if day == SPIKE else 20.0
        teams.append(team_row(day, "checkout", "c1", cpu=cost - ram, ram=ram))
        teams.append(team_row(day, "search", "c2", cpu=_search(day)))
        apps.append((day, "cart", "checkout", "c1", "kubernetes", cost - ram, ram, 0.0, cost, cost))
        apps.append((day, "legacy1", "checkout", "helios-eu", "helios", 12.0, 0.0, 0.0, 12.0, 12.0))
        # `old` runs on Kubernetes while off Helios, at the same cost (no anomaly of its own)
        where = ("helios-eu", "helios") if _on_helios("old", day) else ("c2", "kubernetes")
        apps.append((day, "old", "search", *where, 24.0, 0.0, 0.0, 24.0, 24.0))
        # idle Helios hosts, a reserved name and no app: its jump on Nov 10 is not an anomaly
        idle = 500.0 if day == SPIKE else 5.0
        apps.append((day, "__idle__", "__idle__", "helios-eu", "helios", idle, 0, 0, idle, idle))
    create_inputs(con, teams, apps)
    for day in DAYS:
        shop = 100.0 if day == SPIKE else _checkout(day)
        namespaces = [
            ("checkout", "c1", "shop", shop),
            ("search", "c2", "search-api", _search(day)),
        ]
        if day == SPIKE:
            namespaces.append(("checkout", "c1", "batch", 300.0))
        for team, cluster, namespace, cost in namespaces:
            con.execute(
                "insert into mart_namespace_cost_daily values (?, ?, ?, ?, ?)",
                [day, team, cluster, namespace, cost],
            )
            if team == "checkout":
                con.execute(
                    "insert into int_cost_lines_daily values (?, ?, ?, 'cart', ?)",
                    [day, cluster, namespace, cost],
                )
        for app, team in (("legacy1", "checkout"), ("old", "search")):
            on = _on_helios(app, day)
            con.execute(
                "insert into mart_app_migration_status values (?, ?, ?, ?, ?)",
                [day, app, team, "legacy" if on else "migrated", on],
            )
        con.execute(
            "insert into mart_app_migration_status values (?, 'done', 'search', 'migrated', false)",
            [day],
        )
    con.execute(
        "insert into mart_migration_impact_summary values "
        "('checkout', 'cost_per_week', 3, 100, 75, -25, -40, -10), "
        "('checkout', 'deploys_per_week', 3, 1, 3, 2, 1, 3), "
        "('__all__', 'cost_per_week', 5, 200, 180, -20, -60, 20)"
    )
    build(
        con, "mart_budget_status_daily", "mart_cost_anomalies", "mart_helios_savings", "mart_alerts"
    )
    yield con
    con.close()


def test_a_spike_is_found_with_its_threshold_and_cause(con) -> None:
    rows = con.execute(
        "select scope, team, app_id, direction, cost, trailing_median, mad, threshold, "
        "excess_cost, count_history_days, is_first_day, cause_resource, cause_resource_change, "
        "cause_namespace, cause_namespace_change from mart_cost_anomalies "
        "where cost_date = ? order by scope desc",
        [SPIKE],
    ).fetchall()
    # window Oct 13 .. Nov 9 (28 days, the day excluded): median 100, MAD 5, threshold 25.9455;
    # |400 - 100| = 300 > 25.9455. Moved most: ram +300 (cpu +0), namespace batch +300 (shop 0).
    expected = (
        "spike",
        400.0,
        100.0,
        5.0,
        pytest.approx(25.9455),
        300.0,
        28,
        True,
        "ram",
        300.0,
        "batch",
        300.0,
    )
    assert rows == [("team", "checkout", None, *expected), ("app", "checkout", "cart", *expected)]


def test_an_anomaly_lasting_three_days_is_one_run_and_alerts_once(con) -> None:
    rows = con.execute(
        "select cost_date, excess_cost, is_first_day, cause_namespace from mart_cost_anomalies "
        "where team = 'search' order by cost_date"
    ).fetchall()
    # Nov 16's window (Oct 19 .. Nov 15) holds Nov 15's 300 in place of a 105: the 14th and
    # 15th of 28 sorted are still 100, the deviations 0 x12, 5 x7, 10 x8, 200 keep MAD 5.
    assert rows == [(day, 200.0, day == RUN[0], "search-api") for day in RUN]
    alerts = con.execute(
        "select raised_on, amount from mart_alerts where alert_kind = 'anomaly' and team = 'search'"
    ).fetchall()
    assert alerts == [(RUN[0], 200.0)]


def test_no_steady_day_is_flagged(con) -> None:
    # only the planted days: checkout (team and app) Nov 10, search Nov 15-17 (not `__idle__`)
    assert con.execute("select count(*) from mart_cost_anomalies").fetchone() == (5,)


def test_helios_apps_with_their_monthly_saving_and_interval(con) -> None:
    rows = con.execute(
        "select app_id, team, on_helios_since, helios_cost_per_month, impact_basis, "
        "saving_per_month, saving_per_month_low, saving_per_month_high, verdict "
        "from mart_helios_savings order by app_id"
    ).fetchall()
    assert rows == [
        # 12 a day x 365.25 / 12 = 365.25 a month; checkout's migrated apps: -25 of 100 a week
        # (-40 .. -10): -25 % (-40 % .. -10 %) -> 91.3125 (36.525 .. 146.1) a month saved
        (
            "legacy1",
            "checkout",
            date(2026, 10, 1),
            pytest.approx(365.25),
            "checkout",
            pytest.approx(91.3125),
            pytest.approx(36.525),
            pytest.approx(146.1),
            "saving",
        ),
        # 24 a day -> 730.5; no search row: __all__, -20 of 200 (-60 .. +20): -10 % (-30 % ..
        # +10 %) -> 73.05 (-73.05 .. 219.15): the interval spans 0. Back on Helios Oct 20.
        (
            "old",
            "search",
            date(2026, 10, 20),
            pytest.approx(730.5),
            "__all__",
            pytest.approx(73.05),
            pytest.approx(-73.05),
            pytest.approx(219.15),
            "no clear saving",
        ),
    ]


def _alert_id(*parts: str) -> str:
    return hashlib.md5("|".join(parts).encode()).hexdigest()[:16]


def test_alerts_follow_the_contract(con) -> None:
    rows = con.execute(
        "select alert_id, alert_kind, team, app_id, cluster, raised_on, severity, title, amount "
        "from mart_alerts order by alert_kind, raised_on, team, app_id nulls first"
    ).fetchall()
    assert rows == [
        (
            _alert_id("anomaly", "checkout", "", "team:spike", "2026-11-10"),
            "anomaly",
            "checkout",
            None,
            None,
            SPIKE,
            "warning",
            "Cost spike of team checkout",
            300.0,
        ),
        (
            _alert_id("anomaly", "checkout", "cart", "app:spike", "2026-11-10"),
            "anomaly",
            "checkout",
            "cart",
            None,
            SPIKE,
            "warning",
            "Cost spike of app cart",
            300.0,
        ),
        (
            _alert_id("anomaly", "search", "", "team:spike", "2026-11-15"),
            "anomaly",
            "search",
            None,
            None,
            RUN[0],
            "warning",
            "Cost spike of team search",
            200.0,
        ),
        (
            _alert_id("migration", "checkout", "legacy1", "legacy1", "2026-10-01"),
            "migration",
            "checkout",
            "legacy1",
            None,
            date(2026, 10, 1),
            "warning",
            "Migrating legacy1 off Helios saves about 91 a month",
            pytest.approx(91.3125),
        ),
        # `old` (no clear saving) is listed on its team's page, not alerted
    ]
    details = dict(
        con.execute(
            "select coalesce(app_id, team), detail from mart_alerts "
            "where coalesce(app_id, team) in ('checkout', 'legacy1')"
        ).fetchall()
    )
    assert details == {
        "checkout": "Cost 400.00 against a trailing median of 100.00 (threshold 25.95); moved "
        "most: ram +300.00, namespace batch +300.00.",
        # 365.25 a month, -25 % (-40 % .. -10 %): 91.31 (36.53 .. 146.1), printed rounded
        "legacy1": "legacy1 costs 365 a month on Helios. Migrated apps (checkout) changed their "
        "weekly cost by -25 % (interval -40 .. -10 %): a saving of 91 (37 .. 146) a month.",
    }
