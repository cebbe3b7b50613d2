"""`[[budgets]]` -> mart_budget_status_daily and its alerts, worked by hand.

Days Oct 1 (Thu) .. Nov 20, 2026 (Fri, the 20th of a 30-day month).
- payments (cluster c1): weekdays 140 fully loaded = reconciled 110 (list price 100: the bill's
  factor 1.1) + shared 10 + reconciled idle share 20; weekend days 60 = 30 + 10 + 20.
- search (cluster c2): 50 every day.
- `__idle__` (c1): 1,000 a day, left out (it is in the teams' idle shares).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from fleetscope.config import parse_config
from fleetscope.errors import ConfigError
from fleetscope.pipelines.alerts import alert_tables
from tests.budget_alert_inputs import DAYS, LAST, MARTS, build, create_inputs, team_row


def _team_rows() -> list[tuple]:
    rows = []
    for day in DAYS:
        if day.isoweekday() <= 5:
            rows.append(
                team_row(day, "payments", "c1", cpu=90, ram=10, reconciled=110, shared=10, idle=20)
            )
        else:
            rows.append(team_row(day, "payments", "c1", cpu=30, shared=10, idle=20))
        rows.append(team_row(day, "search", "c2", cpu=50))
        rows.append(team_row(day, "__idle__", "c1", cpu=1000))
    return rows


CONFIG = {
    "budgets": [
        {"team": "payments", "monthly": 3000},
        {"team": "payments", "cluster": "c1", "monthly": 3500},
        {"cluster": "c2", "monthly": 900},
        {"monthly": 5000},
    ]
}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("budgets") / "wh.duckdb"))
    create_inputs(con, _team_rows())
    con.register("budgets", alert_tables(parse_config(CONFIG))["ref_budgets"])
    con.execute("insert into ref_budgets select * from budgets")
    build(con, "mart_budget_status_daily")
    # the other alert sources, empty here (their own tests are in test_cost_anomalies.py)
    for name in ("mart_cost_anomalies", "mart_helios_savings"):
        sql = (MARTS / f"{name}.sql").read_text()
        con.execute(f"create table {name} as select * from ({sql}) limit 0")
    build(con, "mart_alerts")
    yield con
    con.close()


def test_a_team_at_80_percent_on_the_20th_is_at_risk_by_its_weekday_forecast(con) -> None:
    row = con.execute(
        "select mtd_cost, mtd_pct, count_days_with_data, count_days_remaining, forecast_cost, "
        "status from mart_budget_status_daily where budget_id = 'team:payments' "
        "and status_date = ?",
        [LAST],
    ).fetchone()
    # Nov 1 .. 20: weekend days 1, 7, 8, 14, 15 (5) and 15 weekdays:
    # 15 x 140 + 5 x 60 = 2,100 + 300 = 2,400 = 80 % of 3,000.
    # Rates: Oct 24 .. Nov 20 holds 4 of each weekday: Mon-Fri 140, Sat-Sun 60.
    # Nov 21 .. 30: Sat 21, Sun 22, Sat 28, Sun 29 (4 x 60 = 240) and 6 weekdays (6 x 140 = 840):
    # forecast 2,400 + 1,080 = 3,480 > 3,000 -> at_risk (not over: 2,400 <= 3,000).
    assert row == (
        pytest.approx(2400.0),
        pytest.approx(80.0),
        20,
        10,
        pytest.approx(3480.0),
        "at_risk",
    )


def test_statuses_of_every_scope_on_the_20th(con) -> None:
    rows = con.execute(
        "select budget_id, team, cluster, mtd_cost, forecast_cost, status "
        "from mart_budget_status_daily where status_date = ? order by budget_id",
        [LAST],
    ).fetchall()
    assert rows == [
        # everyone but __idle__: 2,400 + 20 x 50 = 3,400; 3,480 + 1,500 = 4,980 <= 5,000: ok
        ("__all__", None, None, pytest.approx(3400.0), pytest.approx(4980.0), "ok"),
        # c2 = search: 20 x 50 = 1,000 > 900 -> over; forecast 1,000 + 10 x 50 = 1,500
        ("cluster:c2", None, "c2", pytest.approx(1000.0), pytest.approx(1500.0), "over"),
        (
            "team:payments",
            "payments",
            None,
            pytest.approx(2400.0),
            pytest.approx(3480.0),
            "at_risk",
        ),
        # 3,480 <= 3,500: ok by the weekday rates (a flat 2,400 / 20 x 30 = 3,600 would not be)
        ("team:payments@c1", "payments", "c1", pytest.approx(2400.0), pytest.approx(3480.0), "ok"),
    ]


def test_budget_alerts_are_raised_once_per_status_change(con) -> None:
    rows = con.execute(
        "select raised_on, severity, title, amount from mart_alerts "
        "where alert_kind = 'budget' and cluster = 'c2' order by raised_on"
    ).fetchall()
    assert rows == [
        # Oct 1: 50 + 30 more days x 50 = 1,550 > 900: at risk by 650
        (date(2026, 10, 1), "warning", "Budget cluster:c2 is at risk", pytest.approx(650.0)),
        # Oct 19: 19 x 50 = 950 > 900: over
        (date(2026, 10, 19), "critical", "Budget cluster:c2 is over", pytest.approx(650.0)),
        # a new month starts ok: Nov 1, 50 + 29 x 50 = 1,500 > 900 at risk again, by 600
        (date(2026, 11, 1), "warning", "Budget cluster:c2 is at risk", pytest.approx(600.0)),
        (date(2026, 11, 19), "critical", "Budget cluster:c2 is over", pytest.approx(600.0)),
    ]
    november = con.execute(
        "select team, raised_on, detail from mart_alerts where alert_kind = 'budget' "
        "and cluster is null and raised_on >= date '2026-11-01'"
    ).fetchall()
    # payments: at risk from Nov 1 (60 + the rest at the weekday rates = 3,480) to the 20th,
    # one alert; __all__ (4,980 <= 5,000) none.
    assert november == [
        (
            "payments",
            date(2026, 11, 1),
            "Month to date 60 of 3000 on day 1 of the month; forecast 3480 (116 % of the budget).",
        )
    ]


@pytest.mark.parametrize(
    ("budgets", "message"),
    [
        ([{"team": "a", "monthly": 0}], "budgets[0].monthly: expected a number > 0, got 0.0"),
        (
            [{"team": "a", "monthly": 1}, {"team": "a", "monthly": 2}],
            "budgets[1]: a second budget for team:a",
        ),
        ([{"team": "a", "monthly": "lots"}], "budgets[0].monthly: expected a number, got 'lots'"),
    ],
)
def test_bad_budgets_are_named(budgets, message) -> None:
    with pytest.raises(
        ConfigError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")
    ):
        parse_config({"budgets": budgets})


def test_reference_tables_carry_the_settings() -> None:
    tables = alert_tables(parse_config({"anomalies": {"k": 5, "min_excess": 0}}))
    assert tables["ref_anomalies"].to_dict("records") == [
        {
            "k": 5.0,
            "mad_scale": 1.4826,
            "window_days": 28,
            "min_history_days": 14,
            "min_change_pct": 20.0,
            "min_excess": 0.0,
        }
    ]
    assert tables["ref_budgets"].empty
