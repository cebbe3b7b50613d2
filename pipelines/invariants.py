"""The invariants of DESIGN.md as queries over the marts; each violation is one readable line.

Used by the tests, by the demo and by the data-quality gate: `check_invariants(con)` returns
an empty list when everything holds. Checks whose tables do not exist yet are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

CENT = 0.01   # "to a cent per day"


# Relations the cost closure reads, and the closure itself: per Kubernetes cluster and day, what
# the teams (with __idle__ and __unallocated__) were charged against what the nodes, volumes and
# off-node work cost. Shared with the data-quality gate (pipelines/quality/checks.py).
CLUSTER_COST_INPUTS = ("mart_team_cost_daily", "int_node_hours", "int_workload_costs_daily",
                       "int_storage_costs_daily", "int_helios_app_cost_daily")
CLUSTER_COST_DIFFERENCE_SQL = """
    with expected as (
        select cost_date, cluster, sum(cost) as cost from (
            select usage_date as cost_date, cluster, total_cost as cost from int_node_hours
            union all
            select cost_date, cluster, storage_cost from int_storage_costs_daily
            union all
            select cost_date, cluster, off_node_cost from int_workload_costs_daily
        ) as parts
        group by cost_date, cluster
    ),
    actual as (
        select cost_date, cluster, sum(total_cost) as cost
        from mart_team_cost_daily
        where cluster not in (select distinct source from int_helios_app_cost_daily
                              where source is not null)
        group by cost_date, cluster
    )
    select coalesce(e.cost_date, a.cost_date) as cost_date,
           coalesce(e.cluster, a.cluster) as cluster,
           coalesce(a.cost, 0) as teams_cost,
           coalesce(e.cost, 0) as cluster_cost,
           coalesce(a.cost, 0) - coalesce(e.cost, 0) as difference
    from expected as e
    full outer join actual as a on a.cost_date = e.cost_date and a.cluster = e.cluster
"""
EPSILON = 1e-6
MAX_REPORTED = 5  # per check: the first few violations, then a count


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("select count(*) from information_schema.tables where table_name = ?",
                      [name]).fetchone()
    return bool(row and row[0])


def _report(label: str, rows: list[tuple[Any, ...]],
            describe: Callable[[tuple[Any, ...]], str]) -> list[str]:
    out = [f"{label}: {describe(row)}" for row in rows[:MAX_REPORTED]]
    if len(rows) > MAX_REPORTED:
        out.append(f"{label}: ... and {len(rows) - MAX_REPORTED} more")
    return out


def _cost_closure(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not all(_exists(con, t) for t in CLUSTER_COST_INPUTS):
        return []
    rows = con.execute(f"""
        select cost_date, cluster, teams_cost, cluster_cost
        from ({CLUSTER_COST_DIFFERENCE_SQL}) as closure
        where abs(difference) > {CENT}
        order by 1, 2""").fetchall()
    return _report("mart_team_cost_daily", rows, lambda r: (
        f"cluster {r[1]} on {r[0]}: teams (incl. __idle__ and __unallocated__) sum to "
        f"{r[2]:.4f} but its nodes and volumes cost {r[3]:.4f}"))


def _idle_share(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "mart_team_cost_daily"):
        return []
    rows = con.execute(f"""
        select cost_date, cluster,
               sum(idle_share_cost) as shared,
               sum(case when team = '__idle__' then total_cost else 0 end) as idle
        from mart_team_cost_daily
        group by cost_date, cluster
        having abs(sum(idle_share_cost)
                   - sum(case when team = '__idle__' then total_cost else 0 end)) > {CENT}
        order by 1, 2""").fetchall()
    out = _report("mart_team_cost_daily", rows, lambda r: (
        f"cluster {r[1]} on {r[0]}: idle_share_cost sums to {r[2]:.4f} but __idle__ costs "
        f"{r[3]:.4f}"))
    bad = con.execute("""
        select cost_date, cluster, team, total_cost from mart_team_cost_daily
        where team is null or total_cost < -1e-9 or idle_share_cost < -1e-9
        order by 1, 2, 3""").fetchall()
    out += _report("mart_team_cost_daily", bad, lambda r: (
        f"cluster {r[1]} on {r[0]}: team {r[2]!r} has a null team or a negative cost"))
    return out


def _utilization(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "mart_cluster_utilization_daily"):
        return []
    rows = con.execute(f"""
        select usage_date, cluster, cpu_used_core_hours, cpu_capacity_core_hours,
               ram_used_gib_hours, ram_capacity_gib_hours
        from mart_cluster_utilization_daily
        where cpu_used_core_hours > cpu_capacity_core_hours + {EPSILON}
           or ram_used_gib_hours > ram_capacity_gib_hours + {EPSILON}
        order by 1, 2""").fetchall()
    out = _report("mart_cluster_utilization_daily", rows, lambda r: (
        f"cluster {r[1]} on {r[0]}: used exceeds capacity (cpu {r[2]:.3f} of {r[3]:.3f} "
        f"core-hours, ram {r[4]:.3f} of {r[5]:.3f} GiB-hours)"))
    pct = con.execute("""
        select usage_date, cluster from mart_cluster_utilization_daily
        where not (cpu_requested_pct between 0 and 100 and cpu_used_pct between 0 and 100
                   and ram_requested_pct between 0 and 100 and ram_used_pct between 0 and 100)
        order by 1, 2""").fetchall()
    out += _report("mart_cluster_utilization_daily", pct, lambda r: (
        f"cluster {r[1]} on {r[0]}: a percentage lies outside [0, 100]"))
    return out


def _migration(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "mart_migration_daily"):
        return []
    rows = con.execute("""
        select status_date, team, count_apps_in_scope, count_apps_legacy,
               count_apps_migrating, count_apps_migrated
        from mart_migration_daily
        where count_apps_in_scope
              <> count_apps_legacy + count_apps_migrating + count_apps_migrated
        order by 1, 2""").fetchall()
    out = _report("mart_migration_daily", rows, lambda r: (
        f"team {r[1]} on {r[0]}: count_apps_in_scope {r[2]} <> legacy {r[3]} + migrating "
        f"{r[4]} + migrated {r[5]}"))
    pct = con.execute("""
        select status_date, team, migrated_pct, migrated_capacity_pct from mart_migration_daily
        where not (coalesce(migrated_pct, 0) between 0 and 100
                   and coalesce(migrated_capacity_pct, 0) between 0 and 100)
        order by 1, 2""").fetchall()
    out += _report("mart_migration_daily", pct, lambda r: (
        f"team {r[1]} on {r[0]}: migrated_pct {r[2]} or migrated_capacity_pct {r[3]} lies "
        "outside [0, 100]"))
    return out


def check_invariants(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every violated invariant as a line naming the mart, cluster or team, and day."""
    return [*_cost_closure(con), *_idle_share(con), *_utilization(con), *_migration(con)]
