"""The migration numbers of the reports: apps per status, week-over-week change, burn-up and
the completion forecast, from `mart_migration_daily` and `mart_migration_forecast`."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from fleetscope.reports.metrics import ALL, Connection, columns, table_exists
from fleetscope.reports.weeks import IsoWeek


def migration_at(con: Connection, day: date, team: str | None = None) -> pd.DataFrame:
    """`mart_migration_daily` rows of the latest day on or before `day`, per team (or one)."""
    if not table_exists(con, "mart_migration_daily"):
        return pd.DataFrame(columns=["team", "status_date", "count_apps_in_scope",
                                     "count_apps_migrated", "migrated_pct"])
    return con.execute(
        """
        select * from mart_migration_daily
        where status_date = (select max(status_date) from mart_migration_daily
                             where status_date <= $1)
          and ($2 is null or team = $2)
        order by team
        """, [day, team]).df()


def migration_changes(con: Connection, week: IsoWeek, team: str | None = None) -> pd.DataFrame:
    """Per team (and `__all__`), or for one team: percent migrated at the end of the week and a
    week before, the change in points and the completion forecast."""
    now = migration_at(con, week.end, team)
    before = migration_at(con, week.start - timedelta(days=1), team)
    keep = ["team", "count_apps_in_scope", "count_apps_migrated", "migrated_pct"]
    merged = now[keep].merge(before[["team", "migrated_pct"]].rename(
        columns={"migrated_pct": "previous_pct"}), on="team", how="left")
    merged["change_pts"] = merged["migrated_pct"] - merged["previous_pct"]
    outlook = forecast(con, week, team)
    merged = merged.merge(outlook, on="team", how="left")
    merged["forecast"] = [forecast_text(s, d) for s, d in zip(
        merged["forecast_status"], merged["forecast_completion_date"], strict=True)]
    return merged.reset_index(drop=True)


def burnup(con: Connection, week: IsoWeek, team: str = ALL) -> pd.DataFrame:
    """Daily apps in scope and migrated for a team up to the end of the week."""
    if not table_exists(con, "mart_migration_daily"):
        return pd.DataFrame(columns=["status_date", "count_apps_in_scope",
                                     "count_apps_migrated", "migrated_pct"])
    return con.execute(
        "select status_date, count_apps_in_scope, count_apps_migrated, migrated_pct "
        "from mart_migration_daily where team = ? and status_date <= ? order by status_date",
        [team, week.end]).df()


def forecast(con: Connection, week: IsoWeek, team: str | None = None) -> pd.DataFrame:
    """Per team (and `__all__`): the completion forecast as of the week's last day with one.

    Columns `team`, `forecast_status` (on_track | no_progress | complete | no_scope |
    insufficient_data) and `forecast_completion_date`; empty when the mart is not built.
    """
    wanted = ["team", "forecast_status", "forecast_completion_date"]
    if not {"as_of_date", *wanted} <= columns(con, "mart_migration_forecast"):
        return pd.DataFrame(columns=wanted)
    return con.execute(
        """
        select team, forecast_status, forecast_completion_date
        from mart_migration_forecast
        where as_of_date = (select max(as_of_date) from mart_migration_forecast
                            where as_of_date <= $1)
          and ($2 is null or team = $2)
        order by team
        """, [week.end, team]).df()


def forecast_text(status: str | None, completion: object) -> str:
    """How a forecast reads in a sentence or a table cell."""
    if status == "on_track" and completion is not None and not pd.isna(completion):
        return f"100% by {str(completion)[:10]}"
    return {"complete": "complete", "no_progress": "no progress", "no_scope": "nothing to migrate",
            "insufficient_data": "not enough data yet"}.get(str(status), "no forecast")
