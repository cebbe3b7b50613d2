"""The numbers of one team's report (cost breakdowns, trend, right-sizing, legacy apps).

Team names come from labels, so they are always bound as SQL parameters, never formatted in.
"""

from __future__ import annotations

import pandas as pd

from fleetscope.reports.metrics import Connection, columns, table_exists
from fleetscope.reports.weeks import IsoWeek

RESOURCES = ("cpu", "ram", "gpu", "storage")


def _this_week_and_last(con: Connection, team: str, week: IsoWeek, *, relation: str,
                        keys: str, extra: str = "", where: str = "true",
                        reconciled: bool = False) -> pd.DataFrame:
    """`keys`, the team's cost in `week` and in the week before (and `extra` columns, which
    may use $1/$2 for this week), per `keys`, dearest first; `reconciled`: `reconciled_cost`
    (the bill's) rather than the list-price `total_cost`."""
    previous = week.shift(-1)
    measure = "reconciled_cost" if reconciled else "total_cost"
    return con.execute(
        f"""
        select {keys},{extra}
               coalesce(sum({measure}) filter (where cost_date between $1 and $2), 0) as cost,
               coalesce(sum({measure}) filter (where cost_date between $3 and $4), 0)
                   as previous_cost
        from {relation} where team = $5 and cost_date between $3 and $2 and {where}
        group by {keys} order by cost desc, {keys}
        """, [week.start, week.end, previous.start, previous.end, team]).df()


def cost_by_cluster(con: Connection, team: str, week: IsoWeek, *,
                    reconciled: bool = False) -> pd.DataFrame:
    """Cost per cluster (Helios sources included) this week and last (reconciled with the bill
    when `reconciled`)."""
    return _this_week_and_last(con, team, week, relation="mart_team_cost_daily", keys="cluster",
                               reconciled=reconciled)


def cost_by_resource(con: Connection, team: str, week: IsoWeek, *,
                     reconciled: bool = False) -> pd.DataFrame:
    """Cost per resource (cpu, ram, gpu, storage, at list prices), then the team's shared cost
    (`[sharing]`) and share of idle, this week and last. The first four add up to the allocated
    cost; with the last two, to the fully loaded cost. `reconciled`: the idle share is
    `reconciled_idle_share_cost` (the bill's factor on the idle), where the mart has it."""
    previous = week.shift(-1)
    names = (*RESOURCES, "shared", "idle_share")
    reconciled_idle = reconciled and "reconciled_idle_share_cost" in columns(
        con, "mart_team_cost_daily")
    column = {n: f"{n}_cost" for n in names} | (
        {"idle_share": "reconciled_idle_share_cost"} if reconciled_idle else {})
    sums = ", ".join(
        f"coalesce(sum({column[n]}) filter (where cost_date between $1 and $2), 0), "
        f"coalesce(sum({column[n]}) filter (where cost_date between $3 and $4), 0)"
        for n in names)
    row = con.execute(f"select {sums} from mart_team_cost_daily where team = $5 "
                      "and cost_date between $3 and $2",
                      [week.start, week.end, previous.start, previous.end, team]).fetchone()
    values = [float(v) for v in row] if row else [0.0] * (2 * len(names))
    return pd.DataFrame({"resource": list(names), "cost": values[0::2],
                         "previous_cost": values[1::2]})


def cost_by_app(con: Connection, team: str, week: IsoWeek, *,
                reconciled: bool = False) -> pd.DataFrame:
    """Cost per app and platform this week and last (reconciled when `reconciled`)."""
    if not table_exists(con, "mart_app_cost_daily"):
        return pd.DataFrame(columns=["app_id", "platform", "cost", "previous_cost"])
    return _this_week_and_last(
        con, team, week, relation="mart_app_cost_daily", keys="app_id",
        extra=" string_agg(distinct platform, ', ' order by platform) as platform,",
        reconciled=reconciled and "reconciled_cost" in columns(con, "mart_app_cost_daily"))


USAGE_COLUMNS = frozenset({"cpu_used_core_hours", "cpu_requested_core_hours",
                           "ram_used_gib_hours", "ram_requested_gib_hours"})
NAMESPACE_COLUMNS = ["cluster", "namespace", "cost", "previous_cost", "cpu_efficiency_pct",
                     "ram_efficiency_pct"]


def cost_by_namespace(con: Connection, team: str, week: IsoWeek, *,
                      reconciled: bool = False) -> pd.DataFrame:
    """Cost per cluster and namespace this week and last, with this week's CPU and RAM
    efficiency (percent, NaN where unknown), from `mart_namespace_cost_daily` (team x cluster x
    namespace x day) or a `namespace` column of `mart_app_cost_daily`; empty when neither mart
    carries namespaces."""
    for source in ("mart_namespace_cost_daily", "mart_app_cost_daily"):
        cols = columns(con, source)
        if cols >= {"namespace", "team", "cluster", "cost_date", "total_cost"}:
            break
    else:
        return pd.DataFrame(columns=NAMESPACE_COLUMNS)
    if cols >= USAGE_COLUMNS:
        this_week = "cost_date between $1 and $2"
        ratios = (f"100 * sum(cpu_used_core_hours) filter (where {this_week})"
                  f" / nullif(sum(cpu_requested_core_hours) filter (where {this_week}), 0)"
                  " as cpu_efficiency_pct,"
                  f" 100 * sum(ram_used_gib_hours) filter (where {this_week})"
                  f" / nullif(sum(ram_requested_gib_hours) filter (where {this_week}), 0)"
                  " as ram_efficiency_pct")
    else:
        ratios = ("cast(null as double) as cpu_efficiency_pct, "
                  "cast(null as double) as ram_efficiency_pct")
    frame = _this_week_and_last(con, team, week, relation=source, keys="cluster, namespace",
                                extra=f" {ratios},", where="namespace is not null",
                                reconciled=reconciled and "reconciled_cost" in cols)
    return frame[NAMESPACE_COLUMNS]


def weekly_trend(con: Connection, team: str, week: IsoWeek, weeks: int = 12, *,
                 reconciled: bool = False) -> pd.DataFrame:
    """The team's cost per ISO week for the `weeks` weeks ending with `week` (`reconciled_cost`
    when `reconciled`: equal to the list price in weeks no bill covers)."""
    first = week.shift(-(weeks - 1))
    measure = "reconciled_cost" if reconciled else "total_cost"
    return con.execute(
        f"""
        select date_trunc('week', cost_date)::date as week_start, sum({measure}) as cost
        from mart_team_cost_daily where team = ? and cost_date between ? and ?
        group by all order by week_start
        """, [team, first.start, week.end]).df()


def efficiency(con: Connection, team: str, week: IsoWeek) -> dict[str, float | None]:
    """OpenCost efficiency for the week in percent: cpu = used / requested core-hours, ram
    likewise, total = their mean weighted by the Kubernetes CPU and RAM cost; None where the
    cost mart has no usage columns or nothing was requested."""
    if not columns(con, "mart_team_cost_daily") >= USAGE_COLUMNS:
        return {"cpu": None, "ram": None, "total": None}
    # Helios rows carry cost but no usage or requests (nothing measured there): they must not
    # weigh in the total, so the weights are the cost of the rows that measured something.
    row = con.execute(
        """
        select sum(cpu_used_core_hours) / nullif(sum(cpu_requested_core_hours), 0),
               sum(ram_used_gib_hours) / nullif(sum(ram_requested_gib_hours), 0),
               coalesce(sum(cpu_cost) filter (where measured), 0),
               coalesce(sum(ram_cost) filter (where measured), 0)
        from (select *, cpu_requested_core_hours + cpu_used_core_hours
                        + ram_requested_gib_hours + ram_used_gib_hours > 0 as measured
              from mart_team_cost_daily where team = ? and cost_date between ? and ?)
        """, [team, week.start, week.end]).fetchone()
    cpu, ram, cpu_cost, ram_cost = row if row else (None, None, 0.0, 0.0)
    total = None
    if cpu is not None and ram is not None and cpu_cost + ram_cost > 0:
        total = (cpu * cpu_cost + ram * ram_cost) / (cpu_cost + ram_cost)
    return {k: (None if v is None else 100.0 * float(v))
            for k, v in {"cpu": cpu, "ram": ram, "total": total}.items()}


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
             sizing: pd.DataFrame, eff: dict[str, float | None] | None = None) -> pd.DataFrame:
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
        for metric in ("cost", "previous_cost", "cpu_efficiency_pct", "ram_efficiency_pct"):
            if metric not in frame.columns:
                continue
            part = pd.DataFrame({"section": section, "item": item, "metric": metric,
                                 "value": frame[metric].astype(float)})
            frames.append(part.dropna(subset=["value"]))
    if eff is not None:
        known = {k: v for k, v in eff.items() if v is not None}
        if known:
            frames.append(pd.DataFrame({"section": "efficiency", "item": list(known),
                                        "metric": "efficiency_pct",
                                        "value": list(known.values())}))
    if not sizing.empty:
        item = sizing["cluster"] + "/" + sizing["namespace"] + "/" + sizing["workload"]
        frames.append(pd.DataFrame({"section": "rightsizing", "item": item,
                                    "metric": "monthly_savings",
                                    "value": sizing["monthly_savings"].astype(float)}))
    frames = [f for f in frames if not f.empty]
    out = (pd.concat(frames, ignore_index=True) if frames
           else pd.DataFrame(columns=["section", "item", "metric", "value"]))
    out.insert(0, "week", week.label)
    out.insert(1, "team", team)
    return out
