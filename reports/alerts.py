"""The numbers of the budget, anomaly and migration-alert sections (leadership and team pages).

Each function reads one of the alert marts and returns an empty frame (with its columns) when
the mart is not built, so a page renders on a warehouse from before these marts.
"""

from __future__ import annotations

import pandas as pd

from fleetscope.reports.metrics import Connection, table_exists
from fleetscope.reports.weeks import IsoWeek

BUDGET_COLUMNS = [
    "budget_id",
    "team",
    "cluster",
    "status_date",
    "monthly_budget",
    "mtd_cost",
    "mtd_pct",
    "forecast_cost",
    "forecast_pct",
    "status",
]
ALERT_COLUMNS = [
    "raised_on",
    "severity",
    "alert_kind",
    "team",
    "app_id",
    "title",
    "detail",
    "amount",
]
ANOMALY_COLUMNS = [
    "cost_date",
    "scope",
    "app_id",
    "direction",
    "cost",
    "trailing_median",
    "excess_cost",
    "is_first_day",
    "cause_resource",
    "cause_resource_change",
    "cause_namespace",
    "cause_namespace_change",
]
SAVINGS_COLUMNS = [
    "app_id",
    "status",
    "helios_cost_per_month",
    "saving_per_month",
    "saving_per_month_low",
    "saving_per_month_high",
    "verdict",
    "impact_basis",
]
# Worst first in the tables: what needs a reader's attention before what does not.
STATUS_ORDER = {"over": 0, "at_risk": 1, "ok": 2}
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def budget_statuses(con: Connection, week: IsoWeek, team: str | None = None) -> pd.DataFrame:
    """Each budget's status on the last day with data up to the end of `week` (the team's own
    budgets when `team` is given), worst first."""
    if not table_exists(con, "mart_budget_status_daily"):
        return pd.DataFrame(columns=BUDGET_COLUMNS)
    frame = con.execute(
        f"""
        select {", ".join(BUDGET_COLUMNS)} from mart_budget_status_daily
        where status_date = (select max(status_date) from mart_budget_status_daily
                             where status_date <= $1)
          and ($2::varchar is null or team = $2)
        """,
        [week.end, team],
    ).df()
    frame["order"] = frame["status"].map(STATUS_ORDER)
    return (
        frame.sort_values(["order", "forecast_pct"], ascending=[True, False])
        .drop(columns="order")
        .reset_index(drop=True)
    )


def alerts_in_week(con: Connection, week: IsoWeek, team: str | None = None) -> pd.DataFrame:
    """The alerts raised in `week` (the team's when `team` is given), most severe first."""
    if not table_exists(con, "mart_alerts"):
        return pd.DataFrame(columns=ALERT_COLUMNS)
    frame = con.execute(
        f"""
        select {", ".join(ALERT_COLUMNS)} from mart_alerts
        where raised_on between $1 and $2 and ($3::varchar is null or team = $3)
        order by raised_on, alert_kind, title
        """,
        [week.start, week.end, team],
    ).df()
    frame["order"] = frame["severity"].map(SEVERITY_ORDER)
    return frame.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)


def team_anomalies(con: Connection, team: str, week: IsoWeek) -> pd.DataFrame:
    """The team's and its apps' anomalous days in `week`, with what moved most."""
    if not table_exists(con, "mart_cost_anomalies"):
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    return con.execute(
        f"""
        select {", ".join(ANOMALY_COLUMNS)} from mart_cost_anomalies
        where team = $1 and cost_date between $2 and $3
        order by cost_date, scope desc, app_id
        """,
        [team, week.start, week.end],
    ).df()


def helios_savings(con: Connection, team: str) -> pd.DataFrame:
    """The team's apps still on Helios, what they cost a month and what migrating would save,
    largest saving first."""
    if not table_exists(con, "mart_helios_savings"):
        return pd.DataFrame(columns=SAVINGS_COLUMNS)
    return con.execute(
        f"""
        select {", ".join(SAVINGS_COLUMNS)} from mart_helios_savings where team = $1
        order by saving_per_month desc nulls last, helios_cost_per_month desc, app_id
        """,
        [team],
    ).df()


def cause_text(row: pd.Series) -> str:
    """`ram +300.00, namespace batch +300.00`: what moved most on an anomalous day."""
    parts = []
    if isinstance(row.get("cause_resource"), str):
        parts.append(f"{row['cause_resource']} {row['cause_resource_change']:+,.2f}")
    if isinstance(row.get("cause_namespace"), str):
        parts.append(f"namespace {row['cause_namespace']} {row['cause_namespace_change']:+,.2f}")
    return ", ".join(parts) or "–"
