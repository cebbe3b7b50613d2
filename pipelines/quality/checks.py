"""The data-quality checks: which frame each reads, which expectation it applies, how severe.

Each check is one Great Expectations expectation over a DataFrame read from the warehouse with
pure SQL. Invariants that span rows (costs adding up per cluster and day) are computed in SQL as
a per-group difference, so the expectation is a plain range check on that column and the
offending groups show up as the unexpected rows.

A `critical` failure stops `fleetscope run` before reports are published; a `warning` is shown
in the reports' quality banner only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fleetscope.config import Config
from fleetscope.pipelines.invariants import CLUSTER_COST_DIFFERENCE_SQL, CLUSTER_COST_INPUTS

CRITICAL = "critical"
WARNING = "warning"

# One cent per cluster and day: DESIGN.md's tolerance for costs adding up.
CENT = 0.01
# Floating-point slack for quantities that must not exceed another (core-hours, GiB-hours).
SLACK = 1e-6
# Rounding noise of sums and differences of doubles (100 - 100.00000000000001 = -1.4e-14) is
# not a violation; anything past it is.
NOISE = 1e-9


@dataclass(frozen=True)
class Frame:
    """A DataFrame to validate: `sql` reads it; `tables` must all exist for it to be read."""

    name: str
    sql: str
    tables: tuple[str, ...]
    params: tuple[Any, ...] = ()
    ids: tuple[str, ...] = ()  # columns naming an offending row in the results


@dataclass(frozen=True)
class Check:
    """One expectation over one frame."""

    name: str
    frame: str
    kind: str  # grain | not_null | range | invariant | freshness | share
    severity: str
    expectation: str  # GX expectation class name in great_expectations.expectations
    kwargs: dict[str, Any] = field(default_factory=dict)
    meaning: str = ""


# Grain and key columns of each mart (DESIGN.md "Marts").
MART_GRAINS: dict[str, tuple[str, ...]] = {
    "mart_team_cost_daily": ("cost_date", "team", "cluster"),
    "mart_app_cost_daily": ("cost_date", "app_id", "cluster"),
    "mart_namespace_cost_daily": ("cost_date", "team", "cluster", "namespace"),
    "mart_cluster_utilization_daily": ("usage_date", "cluster"),
    "mart_app_migration_status": ("status_date", "app_id"),
    "mart_migration_daily": ("status_date", "team"),
    "mart_rightsizing": ("cluster", "namespace", "workload_kind", "workload"),
    "mart_deploys_weekly": ("week_start_date", "app_id", "platform"),
}

# Columns that must never be negative (money, hours, counts).
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "mart_team_cost_daily": ("cpu_cost", "ram_cost", "gpu_cost", "storage_cost", "total_cost",
                             "idle_share_cost", "cpu_core_hours", "ram_gib_hours"),
    "mart_app_cost_daily": ("total_cost",),
    "mart_namespace_cost_daily": ("cpu_cost", "ram_cost", "gpu_cost", "storage_cost",
                                  "total_cost", "cpu_core_hours", "ram_gib_hours"),
    "mart_cluster_utilization_daily": (
        "cpu_capacity_core_hours", "cpu_requested_core_hours", "cpu_used_core_hours",
        "ram_capacity_gib_hours", "ram_requested_gib_hours", "ram_used_gib_hours", "idle_cost"),
    "mart_migration_daily": ("count_apps_in_scope", "count_apps_legacy", "count_apps_migrating",
                             "count_apps_migrated", "count_apps_native"),
    "mart_deploys_weekly": ("count_deploys", "count_rollbacks"),
}

PERCENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "mart_cluster_utilization_daily": ("cpu_requested_pct", "cpu_used_pct", "ram_requested_pct",
                                       "ram_used_pct"),
    "mart_migration_daily": ("migrated_pct", "migrated_capacity_pct"),
}

SET_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "mart_app_migration_status": {
        "status": ("legacy", "migrating", "migrated", "native", "retired")},
    "mart_app_cost_daily": {"platform": ("kubernetes", "helios")},
}

DATE_COLUMNS: dict[str, str] = {
    "mart_team_cost_daily": "cost_date",
    "mart_app_cost_daily": "cost_date",
    "mart_namespace_cost_daily": "cost_date",
    "mart_cluster_utilization_daily": "usage_date",
    "mart_app_migration_status": "status_date",
    "mart_migration_daily": "status_date",
}

# The newest snapshot of each cluster (or source): staging checks look at what this run loaded.
_LATEST = "where (cluster, collected_at) in (select cluster, max(collected_at) from {t} group by 1)"

STAGING: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # table: (grain, not-null columns)
    "stg_k8s_pods": (("cluster", "namespace", "pod_name", "collected_at"),
                     ("cluster", "namespace", "pod_name", "workload_kind", "workload_name",
                      "app_id", "team")),
    "stg_k8s_nodes": (("cluster", "node_name", "collected_at"),
                      ("cluster", "node_name", "cpu_capacity_cores", "memory_capacity_bytes")),
}


def build(config: Config, now: datetime) -> tuple[list[Frame], list[Check]]:
    """Every frame and check, with thresholds from the config and `now` (naive UTC)."""
    frames: list[Frame] = []
    checks: list[Check] = []

    for mart, grain in MART_GRAINS.items():
        frames.append(Frame(mart, f"select * from {mart}", (mart,), ids=grain))
        checks.append(Check(f"{mart}.grain_unique", mart, "grain", CRITICAL,
                            "ExpectCompoundColumnsToBeUnique", {"column_list": list(grain)},
                            f"one row per {' × '.join(grain)}"))
        for column in grain:
            checks.append(Check(f"{mart}.{column}.not_null", mart, "not_null", CRITICAL,
                                "ExpectColumnValuesToNotBeNull", {"column": column},
                                f"every row has a {column}"))
        for column in NON_NEGATIVE.get(mart, ()):
            checks.append(Check(f"{mart}.{column}.non_negative", mart, "range", CRITICAL,
                                "ExpectColumnValuesToBeBetween",
                                {"column": column, "min_value": -NOISE},
                                f"{column} is never negative"))
        for column in PERCENT_COLUMNS.get(mart, ()):
            checks.append(Check(f"{mart}.{column}.percent", mart, "range", CRITICAL,
                                "ExpectColumnValuesToBeBetween",
                                {"column": column, "min_value": -NOISE,
                                 "max_value": 100 + NOISE},
                                f"{column} lies in [0, 100]"))
        for column, values in SET_COLUMNS.get(mart, {}).items():
            checks.append(Check(f"{mart}.{column}.in_set", mart, "range", CRITICAL,
                                "ExpectColumnValuesToBeInSet",
                                {"column": column, "value_set": list(values)},
                                f"{column} is one of {', '.join(values)}"))
        if mart in DATE_COLUMNS:
            column = DATE_COLUMNS[mart]
            frames.append(Frame(f"{mart}:future", f"select cast({column} as timestamp) as day "
                                f"from {mart}", (mart,)))
            tomorrow = datetime(now.year, now.month, now.day) + timedelta(days=1)
            checks.append(Check(f"{mart}.{column}.not_in_future", f"{mart}:future", "range",
                                CRITICAL, "ExpectColumnValuesToBeBetween",
                                {"column": "day", "max_value": tomorrow, "strict_max": True},
                                f"no {column} after today (clocks in the future)"))

    for table, (grain, not_null) in STAGING.items():
        frames.append(Frame(table, f"select * from {table} {_LATEST.format(t=table)}", (table,),
                            ids=grain))
        checks.append(Check(f"{table}.grain_unique", table, "grain", CRITICAL,
                            "ExpectCompoundColumnsToBeUnique", {"column_list": list(grain)},
                            f"one row per {' × '.join(grain)} (newest snapshots)"))
        for column in not_null:
            checks.append(Check(f"{table}.{column}.not_null", table, "not_null", CRITICAL,
                                "ExpectColumnValuesToNotBeNull", {"column": column},
                                f"every row has a {column} (newest snapshots)"))
    checks.append(Check("stg_k8s_pods.cpu_request_cores.non_negative", "stg_k8s_pods", "range",
                        CRITICAL, "ExpectColumnValuesToBeBetween",
                        {"column": "cpu_request_cores", "min_value": -NOISE},
                        "CPU requests are never negative"))
    checks.append(Check("stg_k8s_nodes.cpu_capacity_cores.positive", "stg_k8s_nodes", "range",
                        CRITICAL, "ExpectColumnValuesToBeBetween",
                        {"column": "cpu_capacity_cores", "min_value": 0, "strict_min": True},
                        "every node has CPU capacity"))

    _invariants(frames, checks)
    _freshness_and_share(config, now, frames, checks)
    return frames, checks


def _invariants(frames: list[Frame], checks: list[Check]) -> None:
    """DESIGN.md's invariants, each as a per-group difference that must stay within bounds."""
    frames.append(Frame("inv_idle_share", """
        select cluster, cost_date,
               sum(idle_share_cost)
               - sum(case when team = '__idle__' then total_cost else 0 end) as difference
        from mart_team_cost_daily
        group by cluster, cost_date
        """, ("mart_team_cost_daily",), ids=("cluster", "cost_date")))
    checks.append(Check("mart_team_cost_daily.idle_share_adds_up", "inv_idle_share", "invariant",
                        CRITICAL, "ExpectColumnValuesToBeBetween",
                        {"column": "difference", "min_value": -CENT, "max_value": CENT},
                        "the teams' idle_share_cost adds up to the __idle__ cost per cluster "
                        "and day (to a cent)"))
    # A cluster's cost: its node-hours, its volumes and what ran off any known node (the same
    # closure the cost model's own tests check, from pipelines/invariants.py).
    frames.append(Frame(
        "inv_node_cost",
        f"select cluster, cost_date, difference from ({CLUSTER_COST_DIFFERENCE_SQL}) as closure",
        CLUSTER_COST_INPUTS, ids=("cluster", "cost_date")))
    checks.append(Check("mart_team_cost_daily.adds_up_to_cluster_cost", "inv_node_cost",
                        "invariant", CRITICAL, "ExpectColumnValuesToBeBetween",
                        {"column": "difference", "min_value": -CENT, "max_value": CENT},
                        "per cluster and day, the teams' total_cost (with __idle__ and "
                        "__unallocated__) equals the cost of its nodes and volumes (to a cent)"))
    # The namespace split leaves Helios out: compare the Kubernetes rows of the team mart only.
    frames.append(Frame("inv_namespace_cost", """
        with by_namespace as (
            select cost_date, team, cluster, sum(total_cost) as cost
            from mart_namespace_cost_daily
            group by cost_date, team, cluster
        ),
        by_team as (
            select cost_date, team, cluster, total_cost as cost
            from mart_team_cost_daily
            where cluster not in (select distinct source from int_helios_app_cost_daily
                                  where source is not null)
        )
        select coalesce(n.team, t.team) as team, coalesce(n.cluster, t.cluster) as cluster,
               coalesce(n.cost_date, t.cost_date) as cost_date,
               coalesce(n.cost, 0) - coalesce(t.cost, 0) as difference
        from by_namespace as n
        full outer join by_team as t
            on t.cost_date = n.cost_date and t.team = n.team and t.cluster = n.cluster
        """, ("mart_namespace_cost_daily", "mart_team_cost_daily", "int_helios_app_cost_daily"),
        ids=("team", "cluster", "cost_date")))
    checks.append(Check("mart_namespace_cost_daily.adds_up_to_team_cost", "inv_namespace_cost",
                        "invariant", CRITICAL, "ExpectColumnValuesToBeBetween",
                        {"column": "difference", "min_value": -CENT, "max_value": CENT},
                        "per Kubernetes team, cluster and day, the namespaces' total_cost "
                        "equals mart_team_cost_daily.total_cost (to a cent)"))
    frames.append(Frame("inv_utilization", """
        select cluster, usage_date,
               cpu_capacity_core_hours - cpu_used_core_hours as cpu_headroom,
               ram_capacity_gib_hours - ram_used_gib_hours as ram_headroom
        from mart_cluster_utilization_daily
        """, ("mart_cluster_utilization_daily",), ids=("cluster", "usage_date")))
    for resource in ("cpu", "ram"):
        checks.append(Check(f"mart_cluster_utilization_daily.{resource}_used_within_capacity",
                            "inv_utilization", "invariant", CRITICAL,
                            "ExpectColumnValuesToBeBetween",
                            {"column": f"{resource}_headroom", "min_value": -SLACK},
                            f"{resource} used ≤ {resource} capacity per cluster and day"))
    frames.append(Frame("inv_migration_counts", """
        select status_date, team,
               count_apps_in_scope
               - (count_apps_legacy + count_apps_migrating + count_apps_migrated) as difference
        from mart_migration_daily
        """, ("mart_migration_daily",), ids=("team", "status_date")))
    checks.append(Check("mart_migration_daily.scope_adds_up", "inv_migration_counts",
                        "invariant", CRITICAL, "ExpectColumnValuesToBeBetween",
                        {"column": "difference", "min_value": 0, "max_value": 0},
                        "count_apps_in_scope = legacy + migrating + migrated"))


def _freshness_and_share(config: Config, now: datetime, frames: list[Frame],
                         checks: list[Check]) -> None:
    v = config.validate
    frames.append(Frame("freshness", """
        select source_kind || ' ' || source_name as source,
               date_diff('second', last_data_at, ?) / 3600.0 as hours_old,
               is_failing
        from source_freshness
        """, ("source_freshness",), (now,), ids=("source",)))
    checks.append(Check("sources.fresh", "freshness", "freshness", WARNING,
                        "ExpectColumnValuesToBeBetween",
                        {"column": "hours_old", "max_value": v.max_staleness_hours},
                        f"every source and cluster has data newer than "
                        f"{v.max_staleness_hours:g} h"))
    checks.append(Check("sources.last_collection_succeeded", "freshness", "freshness", WARNING,
                        "ExpectColumnValuesToBeInSet", {"column": "is_failing",
                                                        "value_set": [False]},
                        "no source's newest collection failed"))
    frames.append(Frame("loads_clock", """
        select source_kind || ' ' || source_name as source, collected_at,
               date_diff('second', ?, collected_at) / 3600.0 as hours_ahead
        from loads where status = 'succeeded'
        """, ("loads",), (now,), ids=("source",)))
    checks.append(Check("loads.collected_at.not_in_future", "loads_clock", "range", CRITICAL,
                        "ExpectColumnValuesToBeBetween", {"column": "hours_ahead",
                                                          "max_value": 1.0},
                        "no snapshot is stamped more than an hour after now"))
    # The last 7 days of data: the week the report is about.
    frames.append(Frame("unallocated_share", """
        with recent as (
            select * from mart_team_cost_daily
            where team <> '__idle__'
              and cost_date > (select max(cost_date) from mart_team_cost_daily) - 7
        )
        select 100.0 * coalesce(sum(case when team = '__unallocated__' then total_cost end), 0)
               / nullif(sum(total_cost), 0) as unallocated_pct
        from recent
        """, ("mart_team_cost_daily",)))
    checks.append(Check("mart_team_cost_daily.unallocated_share", "unallocated_share", "share",
                        CRITICAL, "ExpectColumnValuesToBeBetween",
                        {"column": "unallocated_pct", "max_value": v.max_unallocated_share_pct},
                        f"__unallocated__ is at most {v.max_unallocated_share_pct:g}% of the "
                        "allocated cost of the last 7 days"))
