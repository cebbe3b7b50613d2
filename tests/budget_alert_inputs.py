"""Hand-made upstream tables for the budget, anomaly, Helios-savings and alert models.

The models' SQL runs on a real DuckDB file over these tables (their own inputs), as the runner
would: a `_fleetscope_dates` temp table holding every day of data (they are `table` models).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

MARTS = Path(__file__).resolve().parent.parent / "pipelines" / "models" / "marts"
FIRST = date(2026, 10, 1)  # a Thursday
LAST = date(2026, 11, 20)  # a Friday: the 20th of a 30-day month
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]

TEAM_COLUMNS = (
    "cost_date date, team varchar, cluster varchar, cpu_cost double, "
    "ram_cost double, gpu_cost double, storage_cost double, total_cost double, "
    "reconciled_cost double, shared_cost double, idle_share_cost double, "
    "reconciled_idle_share_cost double"
)
APP_COLUMNS = (
    "cost_date date, app_id varchar, team varchar, cluster varchar, "
    "platform varchar, cpu_cost double, ram_cost double, gpu_cost double, "
    "total_cost double, reconciled_cost double"
)


def team_row(
    day: date,
    team: str,
    cluster: str,
    *,
    cpu: float,
    ram: float = 0.0,
    reconciled: float | None = None,
    shared: float = 0.0,
    idle: float = 0.0,
) -> tuple:
    """One mart_team_cost_daily row: allocated = cpu + ram (reconciled: the bill's)."""
    total = cpu + ram
    return (
        day,
        team,
        cluster,
        cpu,
        ram,
        0.0,
        0.0,
        total,
        total if reconciled is None else reconciled,
        shared,
        idle,
        idle,
    )


def create_inputs(
    con: duckdb.DuckDBPyConnection, team_rows: list[tuple], app_rows: list[tuple] | None = None
) -> None:
    """The cost marts every model here reads, and empty optional inputs."""
    con.execute(f"create table mart_team_cost_daily ({TEAM_COLUMNS})")
    con.executemany(f"insert into mart_team_cost_daily values ({', '.join('?' * 12)})", team_rows)
    con.execute(f"create table mart_app_cost_daily ({APP_COLUMNS})")
    if app_rows:
        con.executemany(f"insert into mart_app_cost_daily values ({', '.join('?' * 10)})", app_rows)
    con.execute(
        "create table mart_namespace_cost_daily (cost_date date, team varchar, "
        "cluster varchar, namespace varchar, reconciled_cost double)"
    )
    con.execute(
        "create table int_cost_lines_daily (cost_date date, cluster varchar, "
        "namespace varchar, app_id varchar, reconciled_cost double)"
    )
    con.execute(
        "create table mart_app_migration_status (status_date date, app_id varchar, "
        "team varchar, status varchar, is_on_helios boolean)"
    )
    con.execute(
        "create table mart_migration_impact_summary (team varchar, metric varchar, "
        "count_apps bigint, median_before double, median_after double, "
        "median_change double, change_interval_low double, "
        "change_interval_high double)"
    )
    con.execute(
        "create table ref_budgets (budget_id varchar, team varchar, cluster varchar, "
        "monthly_budget double)"
    )
    # the defaults of [anomalies]: k 3.5, MAD x 1.4826, 28 days, 14 of history, 20 %, 10 a day
    con.execute(
        "create table ref_anomalies as select 3.5 as k, 1.4826 as mad_scale, "
        "28 as window_days, 14 as min_history_days, 20.0 as min_change_pct, 10.0 as min_excess"
    )


def build(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Build the models in order, as `table` models over every day of data."""
    con.execute(
        "create or replace temp table _fleetscope_dates as "
        "select distinct cost_date as day from mart_team_cost_daily"
    )
    for name in names:
        con.execute(f"create or replace table {name} as {(MARTS / f'{name}.sql').read_text()}")
