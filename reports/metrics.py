"""The numbers of the reports, computed from the marts over a read-only DuckDB connection.

Notebooks call these functions so that every number shown is computed (never typed) and the
arithmetic is tested once here rather than in each notebook. Functions take the connection and
the week; missing optional marts give empty frames, so a partial warehouse still renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from fleetscope.reports.weeks import IsoWeek

IDLE = "__idle__"
UNALLOCATED = "__unallocated__"
UNMOUNTED = "__unmounted__"  # persistent volumes bound to no claim: nobody's team
ALL = "__all__"

Connection = duckdb.DuckDBPyConnection


def table_exists(con: Connection, name: str) -> bool:
    """Whether a table or view of that name exists in the warehouse."""
    return bool(columns(con, name))


def columns(con: Connection, name: str) -> set[str]:
    """Column names of a table or view (empty when it does not exist)."""
    # duckdb_columns() covers tables and views at half the cost of information_schema.
    rows = con.execute("select column_name from duckdb_columns() where table_name = ?",
                       [name]).fetchall()
    return {r[0] for r in rows}


def data_range(con: Connection) -> tuple[date, date] | None:
    """First and last cost day in `mart_team_cost_daily`, or None when there is no cost yet."""
    if not table_exists(con, "mart_team_cost_daily"):
        return None
    row = con.execute("select min(cost_date), max(cost_date) from mart_team_cost_daily"
                      ).fetchone()
    if not row or row[0] is None:
        return None
    return row[0], row[1]


# -- change framing (Backstage Cost Insights) --------------------------------------------------

def notable_threshold(engineer_cost_per_year: float, days: int) -> float:
    """Half an engineer's cost over the period: the smallest absolute change worth calling out."""
    return 0.5 * engineer_cost_per_year * days / 365.0


@dataclass(frozen=True)
class Change:
    """A value this period against the previous one."""

    current: float
    previous: float
    notable: bool

    @property
    def delta(self) -> float:
        return self.current - self.previous

    @property
    def pct(self) -> float | None:
        """Relative change in percent; None when the previous value was zero."""
        return None if self.previous == 0 else 100.0 * self.delta / self.previous


def change(current: float, previous: float, *, threshold: float, min_pct: float) -> Change:
    """Notable when the change is at least `min_pct` percent AND at least `threshold` in money."""
    current, previous = float(current or 0.0), float(previous or 0.0)
    delta = current - previous
    big_enough = abs(delta) >= threshold and delta != 0
    relative = True if previous == 0 else abs(100.0 * delta / previous) >= min_pct
    return Change(current, previous, big_enough and relative)


# -- cost ------------------------------------------------------------------------------------

def helios_sources(con: Connection) -> list[str]:
    """Cost-mart `cluster` values that are Helios installations rather than Kubernetes."""
    if not table_exists(con, "mart_app_cost_daily"):
        return []
    rows = con.execute("select distinct cluster from mart_app_cost_daily "
                       "where platform = 'helios' order by 1").fetchall()
    return [r[0] for r in rows]


def _week_sum(con: Connection, sql_sum: str, week: IsoWeek, where: str = "",
              params: list | None = None) -> float:
    row = con.execute(f"select coalesce(sum({sql_sum}), 0) from mart_team_cost_daily "
                      f"where cost_date between ? and ? {where}",
                      [week.start, week.end, *(params or [])]).fetchone()
    return float(row[0]) if row else 0.0


@dataclass(frozen=True)
class Headline:
    """The leadership page's top line for a week, each against the week before."""

    total: Change
    kubernetes: Change
    legacy: Change
    idle: Change
    days_with_data: int


def headline(con: Connection, week: IsoWeek, *, engineer_cost_per_year: float,
             min_pct: float) -> Headline:
    """Total, Kubernetes, Helios and idle cost of the week and the week before."""
    threshold = notable_threshold(engineer_cost_per_year, 7)
    legacy = helios_sources(con)
    marks = ", ".join("?" for _ in legacy) or "null"

    def pair(where: str = "", params: list | None = None) -> Change:
        return change(_week_sum(con, "total_cost", week, where, params),
                      _week_sum(con, "total_cost", week.shift(-1), where, params),
                      threshold=threshold, min_pct=min_pct)

    days = con.execute("select count(distinct cost_date) from mart_team_cost_daily "
                       "where cost_date between ? and ?", [week.start, week.end]).fetchone()
    return Headline(
        total=pair(),
        kubernetes=pair(f"and cluster not in ({marks})", legacy) if legacy else pair(),
        legacy=pair(f"and cluster in ({marks})", legacy) if legacy else change(
            0, 0, threshold=threshold, min_pct=min_pct),
        idle=pair("and team = ?", [IDLE]),
        days_with_data=int(days[0]) if days else 0,
    )


def team_cost_changes(con: Connection, week: IsoWeek, *, engineer_cost_per_year: float,
                      min_pct: float, reconciled: bool = False) -> pd.DataFrame:
    """Per team (idle excluded): allocated cost this week and last, change, percent, notable;
    this week's shared cost (`[sharing]` namespaces and overhead moved to the team, negative for
    a shared namespace's owner), share of idle, and the fully loaded cost (allocated + shared +
    idle share); by allocated cost. `reconciled`: allocated cost is `reconciled_cost` (equal to
    the list-price `total_cost` on days and nodes no bill covers) and the idle share is
    `reconciled_idle_share_cost` (the bill's factor on the cluster-day's idle), where the mart has
    it; shared cost stays modelled (it moves cost between teams)."""
    threshold = notable_threshold(engineer_cost_per_year, 7)
    previous = week.shift(-1)
    measure = "reconciled_cost" if reconciled else "total_cost"
    idle = ("reconciled_idle_share_cost" if reconciled and "reconciled_idle_share_cost"
            in columns(con, "mart_team_cost_daily") else "idle_share_cost")
    frame = con.execute(
        f"""
        select team,
               coalesce(sum({measure}) filter (where cost_date between ? and ?), 0) as cost,
               coalesce(sum({measure}) filter (where cost_date between ? and ?), 0)
                   as previous_cost,
               coalesce(sum(shared_cost) filter (where cost_date between ? and ?), 0)
                   as shared_cost,
               coalesce(sum({idle}) filter (where cost_date between ? and ?), 0)
                   as idle_share_cost
        from mart_team_cost_daily
        where cost_date between ? and ? and team <> ?
        group by team
        """,
        [week.start, week.end, previous.start, previous.end, week.start, week.end,
         week.start, week.end, previous.start, week.end, IDLE],
    ).df()
    frame["loaded_cost"] = frame["cost"] + frame["shared_cost"] + frame["idle_share_cost"]
    frame["change"] = frame["cost"] - frame["previous_cost"]
    frame["change_pct"] = [
        None if p == 0 else 100.0 * (c - p) / p
        for c, p in zip(frame["cost"], frame["previous_cost"], strict=True)]
    frame["notable"] = [
        change(c, p, threshold=threshold, min_pct=min_pct).notable
        for c, p in zip(frame["cost"], frame["previous_cost"], strict=True)]
    return frame.sort_values(["cost", "team"], ascending=[False, True]).reset_index(drop=True)


def top_movers(changes: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The `n` teams whose cost moved most in absolute money, either way."""
    order = changes["change"].abs().sort_values(ascending=False, kind="stable").index
    moved = changes.loc[order]
    return moved[moved["change"] != 0].head(n).reset_index(drop=True)


def platform_cost_weekly(con: Connection, week: IsoWeek, weeks: int = 12) -> pd.DataFrame:
    """Weekly cost on Kubernetes and on Helios for the `weeks` weeks ending with `week`."""
    first = week.shift(-(weeks - 1))
    legacy = helios_sources(con)
    marks = ", ".join("?" for _ in legacy) or "null"
    return con.execute(
        f"""
        select date_trunc('week', cost_date)::date as week_start,
               case when cluster in ({marks}) then 'helios' else 'kubernetes' end as platform,
               sum(total_cost) as cost
        from mart_team_cost_daily
        where cost_date between ? and ?
        group by all order by week_start, platform
        """, [*legacy, first.start, week.end]).df()


# -- utilisation and efficiency ----------------------------------------------------------------

# Percent columns of `cluster_utilization`: name -> (part, whole), both summed over the week.
UTILIZATION_RATIOS = {
    "cpu_requested_pct": ("cpu_requested_core_hours", "cpu_capacity_core_hours"),
    "cpu_used_pct": ("cpu_used_core_hours", "cpu_capacity_core_hours"),
    "ram_requested_pct": ("ram_requested_gib_hours", "ram_capacity_gib_hours"),
    "ram_used_pct": ("ram_used_gib_hours", "ram_capacity_gib_hours"),
    "cpu_efficiency_pct": ("cpu_used_core_hours", "cpu_requested_core_hours"),
    "ram_efficiency_pct": ("ram_used_gib_hours", "ram_requested_gib_hours"),
}


def cluster_utilization(con: Connection, week: IsoWeek) -> pd.DataFrame:
    """Per cluster for the week: CPU and RAM requested/capacity and used/capacity (percent),
    efficiency used/requested (percent), idle cost."""
    if not table_exists(con, "mart_cluster_utilization_daily"):
        return pd.DataFrame(columns=["cluster"])
    ratios = ",\n".join(
        f"100 * sum({part}) / nullif(sum({whole}), 0) as {name}"
        for name, (part, whole) in UTILIZATION_RATIOS.items())
    return con.execute(
        f"""
        select cluster, {ratios},
               sum(idle_cost) as idle_cost
        from mart_cluster_utilization_daily
        where usage_date between ? and ?
        group by cluster order by cluster
        """, [week.start, week.end]).df()


def deploys(con: Connection, week: IsoWeek) -> pd.DataFrame:
    """Per team: deploys and rollbacks in the week and the week before, and the Four Keys
    deployment-frequency bucket as of the week (`mart_deploy_frequency`, when built)."""
    out_cols = ["team", "deploys", "previous_deploys", "rollbacks", "deployment_frequency"]
    if not table_exists(con, "mart_deploys_weekly"):
        return pd.DataFrame(columns=out_cols)
    previous = week.shift(-1)
    frame = con.execute(
        """
        select team,
               coalesce(sum(count_deploys) filter (where week_start_date = ?), 0) as deploys,
               coalesce(sum(count_deploys) filter (where week_start_date = ?), 0)
                   as previous_deploys,
               coalesce(sum(count_rollbacks) filter (where week_start_date = ?), 0) as rollbacks
        from mart_deploys_weekly where week_start_date in (?, ?)
        group by team order by deploys desc, team
        """, [week.start, previous.start, week.start, week.start, previous.start]).df()
    buckets = deploy_frequency(con, week)
    frame = frame.merge(buckets, on="team", how="left")
    return frame[out_cols]


def deploy_frequency(con: Connection, week: IsoWeek) -> pd.DataFrame:
    """Per team (and `__all__`, the organisation): the deployment-frequency bucket (daily,
    weekly, monthly, yearly) over the 13 weeks ending with `week`."""
    if not {"week_start_date", "team", "app_id", "deployment_frequency"} <= columns(
            con, "mart_deploy_frequency"):
        return pd.DataFrame(columns=["team", "deployment_frequency"])
    return con.execute(
        "select team, deployment_frequency from mart_deploy_frequency "
        "where week_start_date = ? and app_id = ? order by team", [week.start, ALL]).df()


# -- freshness and data quality ----------------------------------------------------------------

def freshness(con: Connection, now: datetime, *, max_staleness_hours: float) -> pd.DataFrame:
    """Per source and cluster: newest successful snapshot, its age, failures since, staleness."""
    frame = con.execute(
        """
        with ok as (
            select source_kind, source_name, max(collected_at) as last_collected_at,
                   max(finished_at) as last_ok_finished_at
            from loads where status = 'succeeded' group by all
        ),
        names as (select distinct source_kind, source_name from loads)
        select n.source_kind, n.source_name, ok.last_collected_at,
               (select count(*) from loads f
                where f.status = 'failed' and f.source_kind = n.source_kind
                  and f.source_name = n.source_name
                  and (ok.last_ok_finished_at is null
                       or f.started_at >= ok.last_ok_finished_at)) as failed_since
        from names n left join ok using (source_kind, source_name)
        order by n.source_kind, n.source_name
        """).df()
    ages = [None if pd.isna(t) else (now - t.to_pydatetime()).total_seconds() / 3600.0
            for t in frame["last_collected_at"]]
    frame["age_hours"] = ages
    frame["stale"] = [a is None or a > max_staleness_hours or f > 0
                      for a, f in zip(ages, frame["failed_since"], strict=True)]
    return frame


def quality_status(con: Connection) -> tuple[str, str]:
    """(status, one-line detail) of the newest data-quality run: passed | warnings | failed,
    or 'not checked' when `fleetscope validate` has never run on this warehouse."""
    if table_exists(con, "validation_status"):
        row = con.execute(
            "select status, validated_at, count_checks, count_failed_critical, "
            "count_failed_warning from validation_status").fetchone()
        if row:
            status, at, checks, critical, warning = row
            return str(status), (f"{checks} checks at {str(at)[:16]} UTC; {critical} critical "
                                 f"and {warning} warning failures")
    elif table_exists(con, "validation_results"):
        row = con.execute(
            "select count(*), count(*) filter (where not success) from validation_results "
            "where validated_at = (select max(validated_at) from validation_results)").fetchone()
        if row and row[0]:
            return ("passed" if row[1] == 0 else "failed"), f"{row[0]} checks, {row[1]} failed"
    return "not checked", "no validation run recorded"


def team_efficiency(con: Connection, week: IsoWeek) -> pd.DataFrame:
    """Per team: CPU and RAM usage over requests (percent) and their cost-weighted mean, where
    `mart_team_cost_daily` carries usage and request columns; empty otherwise."""
    needed = {"cpu_used_core_hours", "cpu_requested_core_hours", "ram_used_gib_hours",
              "ram_requested_gib_hours"}
    if not needed <= columns(con, "mart_team_cost_daily"):
        return pd.DataFrame(columns=["team", "cpu_efficiency_pct", "ram_efficiency_pct",
                                     "total_efficiency_pct"])
    return con.execute(
        """
        with sums as (
            select team,
                   sum(cpu_used_core_hours) / nullif(sum(cpu_requested_core_hours), 0) as cpu,
                   sum(ram_used_gib_hours) / nullif(sum(ram_requested_gib_hours), 0) as ram,
                   -- weights: Kubernetes cost only (Helios rows measure no usage)
                   coalesce(sum(cpu_cost) filter (where cpu_requested_core_hours
                       + cpu_used_core_hours + ram_requested_gib_hours
                       + ram_used_gib_hours > 0), 0) as cpu_cost,
                   coalesce(sum(ram_cost) filter (where cpu_requested_core_hours
                       + cpu_used_core_hours + ram_requested_gib_hours
                       + ram_used_gib_hours > 0), 0) as ram_cost
            from mart_team_cost_daily
            where cost_date between ? and ? and team not in (?, ?, ?)
            group by team
        )
        select team, 100 * cpu as cpu_efficiency_pct, 100 * ram as ram_efficiency_pct,
               100 * (cpu * cpu_cost + ram * ram_cost) / nullif(cpu_cost + ram_cost, 0)
                   as total_efficiency_pct
        from sums order by total_efficiency_pct nulls last, team
        """, [week.start, week.end, IDLE, UNALLOCATED, UNMOUNTED]).df()
