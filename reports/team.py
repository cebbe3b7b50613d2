"""The numbers of one team's report (cost breakdowns, trend, right-sizing, legacy apps).

Team names come from labels, so they are always bound as SQL parameters, never formatted in.
"""

from __future__ import annotations

import pandas as pd

from reports.metrics import Connection, columns, table_exists
from reports.weeks import IsoWeek

RESOURCES = ("cpu", "ram", "gpu", "storage")


def cost_by_cluster(con: Connection, team: str, week: IsoWeek) -> pd.DataFrame:
    """Cost per cluster (Helios sources included) this week and last."""
    previous = week.shift(-1)
    return con.execute(
        """
        select cluster,
               coalesce(sum(total_cost) filter (where cost_date between ? and ?), 0) as cost,
               coalesce(sum(total_cost) filter (where cost_date between ? and ?), 0)
                   as previous_cost
        from mart_team_cost_daily where team = ? and cost_date between ? and ?
        group by cluster order by cost desc, cluster
        """, [week.start, week.end, previous.start, previous.end, team, previous.start,
              week.end]).df()


def cost_by_resource(con: Connection, team: str, week: IsoWeek) -> pd.DataFrame:
    """Cost per resource (cpu, ram, gpu, storage, shared idle) this week and last."""
    previous = week.shift(-1)
    names = (*RESOURCES, "idle_share")
    sums = ", ".join(
        f"coalesce(sum({n}_cost) filter (where cost_date between $1 and $2), 0), "
        f"coalesce(sum({n}_cost) filter (where cost_date between $3 and $4), 0)" for n in names)
    row = con.execute(f"select {sums} from mart_team_cost_daily where team = $5 "
                      "and cost_date between $3 and $2",
                      [week.start, week.end, previous.start, previous.end, team]).fetchone()
    values = [float(v) for v in row] if row else [0.0] * (2 * len(names))
    return pd.DataFrame({"resource": list(names), "cost": values[0::2],
                         "previous_cost": values[1::2]})


def cost_by_app(con: Connection, team: str, week: IsoWeek) -> pd.DataFrame:
    """Cost per app and platform this week and last."""
    if not table_exists(con, "mart_app_cost_daily"):
        return pd.DataFrame(columns=["app_id", "platform", "cost", "previous_cost"])
    previous = week.shift(-1)
    return con.execute(
        """
        select app_id, string_agg(distinct platform, ', ' order by platform) as platform,
               coalesce(sum(total_cost) filter (where cost_date between ? and ?), 0) as cost,
               coalesce(sum(total_cost) filter (where cost_date between ? and ?), 0)
                   as previous_cost
        from mart_app_cost_daily where team = ? and cost_date between ? and ?
        group by app_id order by cost desc, app_id
        """, [week.start, week.end, previous.start, previous.end, team, previous.start,
              week.end]).df()


def cost_by_namespace(con: Connection, team: str, week: IsoWeek) -> pd.DataFrame:
    """Cost per cluster and namespace this week and last, from `mart_namespace_cost_daily`
    (team x cluster x namespace x day) or a `namespace` column of `mart_app_cost_daily`;
    empty when neither mart carries namespaces."""
    source = next((name for name in ("mart_namespace_cost_daily", "mart_app_cost_daily")
                   if {"namespace", "team", "cluster", "cost_date", "total_cost"}
                   <= columns(con, name)), None)
    if source is None:
        return pd.DataFrame(columns=["cluster", "namespace", "cost", "previous_cost"])
    previous = week.shift(-1)
    return con.execute(
        f"""
        select cluster, namespace,
               coalesce(sum(total_cost) filter (where cost_date between ? and ?), 0) as cost,
               coalesce(sum(total_cost) filter (where cost_date between ? and ?), 0)
                   as previous_cost
        from {source}
        where team = ? and namespace is not null and cost_date between ? and ?
        group by cluster, namespace order by cost desc, cluster, namespace
        """, [week.start, week.end, previous.start, previous.end, team, previous.start,
              week.end]).df()


def weekly_trend(con: Connection, team: str, week: IsoWeek, weeks: int = 12) -> pd.DataFrame:
    """The team's cost per ISO week for the `weeks` weeks ending with `week`."""
    first = week.shift(-(weeks - 1))
    return con.execute(
        """
        select date_trunc('week', cost_date)::date as week_start, sum(total_cost) as cost
        from mart_team_cost_daily where team = ? and cost_date between ? and ?
        group by all order by week_start
        """, [team, first.start, week.end]).df()


def efficiency(con: Connection, team: str, week: IsoWeek) -> dict[str, float | None]:
    """Usage over requests (OpenCost efficiency) for the week, where the marts carry usage."""
    cols = columns(con, "mart_team_cost_daily")
    needed = {"cpu_used_core_hours", "cpu_requested_core_hours", "ram_used_gib_hours",
              "ram_requested_gib_hours"}
    if not needed <= cols:
        return {"cpu": None, "ram": None, "total": None}
    row = con.execute(
        """
        select sum(cpu_used_core_hours) / nullif(sum(cpu_requested_core_hours), 0),
               sum(ram_used_gib_hours) / nullif(sum(ram_requested_gib_hours), 0),
               sum(cpu_cost), sum(ram_cost)
        from mart_team_cost_daily where team = ? and cost_date between ? and ?
        """, [team, week.start, week.end]).fetchone()
    cpu, ram, cpu_cost, ram_cost = row if row else (None, None, None, None)
    total = None
    if cpu is not None and ram is not None and (cpu_cost or 0) + (ram_cost or 0) > 0:
        # Cost-weighted mean, as OpenCost's total efficiency.
        total = (cpu * cpu_cost + ram * ram_cost) / (cpu_cost + ram_cost)
    pct = {k: (None if v is None else 100.0 * float(v))
           for k, v in {"cpu": cpu, "ram": ram, "total": total}.items()}
    return pct


def rightsizing(con: Connection, team: str) -> pd.DataFrame:
    """The team's right-sizing recommendations, largest monthly savings first."""
    if not table_exists(con, "mart_rightsizing"):
        return pd.DataFrame(columns=["cluster", "namespace", "workload", "monthly_savings"])
    return con.execute(
        "select * exclude (team) from mart_rightsizing where team = ? "
        "order by monthly_savings desc, cluster, namespace, workload", [team]).df()


def legacy_apps(con: Connection, team: str, week: IsoWeek) -> pd.DataFrame:
    """Apps of the team still running on Helios (legacy or migrating) at the end of the week."""
    if not table_exists(con, "mart_app_migration_status"):
        return pd.DataFrame(columns=["app_id", "status"])
    return con.execute(
        """
        select app_id, status from mart_app_migration_status
        where team = ? and status in ('legacy', 'migrating')
          and status_date = (select max(status_date) from mart_app_migration_status
                             where status_date <= ?)
        order by status, app_id
        """, [team, week.end]).df()


def csv_rows(team: str, week: IsoWeek, *, by_cluster: pd.DataFrame,
             by_resource: pd.DataFrame, by_app: pd.DataFrame, by_namespace: pd.DataFrame,
             sizing: pd.DataFrame) -> pd.DataFrame:
    """Every number of the team page in one long table: week, team, section, item, metric,
    value (built from the frames the page shows, so the CSV and the page cannot disagree)."""
    frames = []
    for section, frame, key in (("cluster", by_cluster, "cluster"),
                                ("resource", by_resource, "resource"),
                                ("app", by_app, "app_id"),
                                ("namespace", by_namespace, "namespace")):
        if frame.empty:
            continue
        item = frame[key] if key != "namespace" else frame["cluster"] + "/" + frame["namespace"]
        for metric in ("cost", "previous_cost"):
            frames.append(pd.DataFrame({"section": section, "item": item, "metric": metric,
                                        "value": frame[metric].astype(float)}))
    if not sizing.empty:
        item = sizing["cluster"] + "/" + sizing["namespace"] + "/" + sizing["workload"]
        frames.append(pd.DataFrame({"section": "rightsizing", "item": item,
                                    "metric": "monthly_savings",
                                    "value": sizing["monthly_savings"].astype(float)}))
    out = (pd.concat(frames, ignore_index=True) if frames
           else pd.DataFrame(columns=["section", "item", "metric", "value"]))
    out.insert(0, "week", week.label)
    out.insert(1, "team", team)
    return out
