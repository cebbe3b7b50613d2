"""Hand-made rows of the budget, anomaly, savings and alert marts for the report fixture
(tests/test_report_fixture.py), W47 = Nov 16 .. 22, 2026. Their own numbers are worked in
tests/test_budgets.py and tests/test_cost_anomalies.py; here they test the pages."""

from __future__ import annotations

from datetime import date

import pandas as pd

from fleetscope.warehouse import Warehouse

XSS = "<script>alert(1)</script>"


def _budget(
    day: date,
    budget_id: str,
    team: str | None,
    budget: float,
    mtd: float,
    forecast: float,
    status: str,
) -> dict:
    return {
        "status_date": day,
        "budget_id": budget_id,
        "team": team,
        "cluster": None,
        "monthly_budget": budget,
        "month_start": date(2026, 11, 1),
        "mtd_cost": mtd,
        "forecast_cost": forecast,
        "mtd_pct": 100 * mtd / budget,
        "forecast_pct": 100 * forecast / budget,
        "status": status,
    }


def _alert(
    alert_id: str,
    kind: str,
    team: str,
    app: str | None,
    day: date,
    severity: str,
    title: str,
    amount: float,
) -> dict:
    return {
        "alert_id": alert_id,
        "alert_kind": kind,
        "team": team,
        "app_id": app,
        "cluster": None,
        "raised_on": day,
        "severity": severity,
        "title": title,
        "detail": f"detail of {title}",
        "amount": amount,
    }


def load_alerts(wh: Warehouse) -> None:
    """The four alert marts, as `fleetscope transform` would leave them."""
    wh.replace_reference_table(
        "mart_budget_status_daily",
        pd.DataFrame(
            [
                # W47's last day: payments at 80 % with a forecast of 120 %; the org-wide one ok
                _budget(
                    date(2026, 11, 22), "team:payments", "payments", 12000, 9600, 14400, "at_risk"
                ),
                _budget(date(2026, 11, 22), "__all__", None, 50000, 20000, 31000, "ok"),
                # after the week: not shown on W47's pages
                _budget(
                    date(2026, 11, 23), "team:payments", "payments", 12000, 12100, 15000, "over"
                ),
            ]
        ),
    )
    wh.replace_reference_table(
        "mart_alerts",
        pd.DataFrame(
            [
                _alert(
                    "a1",
                    "budget",
                    "payments",
                    None,
                    date(2026, 11, 18),
                    "warning",
                    "Budget team:payments is at risk",
                    2400.0,
                ),
                _alert(
                    "a2",
                    "anomaly",
                    XSS,
                    None,
                    date(2026, 11, 19),
                    "warning",
                    f"Cost spike of team {XSS}",
                    300.0,
                ),
                _alert(
                    "a3",
                    "migration",
                    "payments",
                    "payments-batch",
                    date(2026, 11, 17),
                    "warning",
                    "Migrating payments-batch off Helios saves about 500 a month",
                    500.0,
                ),
                # the week before: not this week's
                _alert(
                    "a4",
                    "anomaly",
                    "search",
                    None,
                    date(2026, 11, 10),
                    "warning",
                    "Cost spike of team search",
                    50.0,
                ),
            ]
        ),
    )
    wh.replace_reference_table(
        "mart_cost_anomalies",
        pd.DataFrame(
            [
                {
                    "cost_date": date(2026, 11, 19),
                    "scope": "team",
                    "team": "payments",
                    "app_id": None,
                    "direction": "spike",
                    "cost": 2000.0,
                    "trailing_median": 1000.0,
                    "mad": 20.0,
                    "threshold": 103.782,
                    "excess_cost": 1000.0,
                    "count_history_days": 28,
                    "is_first_day": True,
                    "cause_resource": "ram",
                    "cause_resource_change": 800.0,
                    "cause_namespace": "pay",
                    "cause_namespace_change": 900.0,
                }
            ]
        ),
    )
    wh.replace_reference_table(
        "mart_helios_savings",
        pd.DataFrame(
            [
                {
                    "app_id": app,
                    "team": "payments",
                    "status": status,
                    "status_date": date(2026, 11, 22),
                    "on_helios_since": date(2026, 10, 1),
                    "helios_cost_per_month": cost,
                    "impact_basis": "__all__",
                    "change_ratio": ratio,
                    "change_ratio_low": low,
                    "change_ratio_high": high,
                    "saving_per_month": -cost * ratio,
                    "saving_per_month_low": -cost * high,
                    "saving_per_month_high": -cost * low,
                    "verdict": verdict,
                }
                for app, status, cost, ratio, low, high, verdict in (
                    ("payments-batch", "legacy", 2000.0, -0.25, -0.4, -0.1, "saving"),
                    ("payments-cron", "migrating", 1000.0, -0.1, -0.25, 0.05, "no clear saving"),
                )
            ]
        ),
    )
