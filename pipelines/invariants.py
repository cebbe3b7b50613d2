"""DESIGN.md's invariants and the bounds of the range tests, each written once.

A model's YAML declares which of them hold for it (`tests: [adds_up_to_cluster_cost, ...]` and
column tests such as `percent`). Two readers run the same declarations:

* the data-quality gate (pipelines/quality/checks.py) hands each invariant's per-group query to
  Great Expectations as a range check on one column, so the offending groups are the unexpected
  rows;
* `check_invariants(con)` (tests, the demo) runs them in DuckDB and returns one readable line per
  violation, an empty list when everything holds. Marts whose inputs do not exist are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

CENT = 0.01  # "to a cent per day": DESIGN.md's tolerance for costs adding up
# Floating-point slack for quantities that must not exceed another (core-hours, GiB-hours).
SLACK = 1e-6
# Rounding noise of sums and differences of doubles (100 - 100.00000000000001 = -1.4e-14) is
# not a violation; anything past it is.
NOISE = 1e-9
MAX_REPORTED = 5  # per check: the first few violations, then a count

# Column tests that bound a value: the Great Expectations range arguments of each.
RANGES: dict[str, dict[str, Any]] = {
    "non_negative": {"min_value": -NOISE},
    "positive": {"min_value": 0, "strict_min": True},
    "percent": {"min_value": -NOISE, "max_value": 100 + NOISE},
}
_RANGE_PROBLEMS = {"non_negative": "is negative", "positive": "is not positive",
                   "percent": "lies outside [0, 100]"}


@dataclass(frozen=True)
class Invariant:
    """One invariant: a query with a row per group, and the bounds one of its columns keeps."""

    check: str  # the check's name after the model's: `mart_team_cost_daily.<check>`
    sql: str  # the ids, `column`, and the values `line` quotes
    inputs: tuple[str, ...]  # relations the query reads (all must exist)
    ids: tuple[str, ...]  # columns naming a group
    column: str
    bounds: Mapping[str, float]  # min_value and/or max_value, inclusive
    meaning: str
    line: Callable[[dict[str, Any]], str]  # a violating row, in words


def _helios_excluded(column: str) -> str:
    # Helios sources share mart_team_cost_daily's `cluster` column and have no nodes.
    return (f"{column} not in (select distinct source from int_helios_app_cost_daily "
            "where source is not null)")


CLUSTER_COST_INPUTS = ("mart_team_cost_daily", "int_node_hours", "int_workload_costs_daily",
                       "int_storage_costs_daily", "int_helios_app_cost_daily")
SHARED_COST_INPUTS = (*CLUSTER_COST_INPUTS, "ref_sharing_overhead")
# Overhead (config `sharing.overhead_per_hour`) is new money: charged per hour a cluster has nodes.
_OVERHEAD_PART = """
            union all
            select usage_date, cluster, count(distinct hour_start) * any_value(o.overhead_per_hour)
            from int_node_hours inner join ref_sharing_overhead as o using (cluster)
            group by usage_date, cluster"""


def _cluster_cost_sql(teams_cost: str, overhead: str) -> str:
    """Per Kubernetes cluster and day, what the teams (with the reserved __idle__,
    __unallocated__ and __unmounted__) were charged against what the nodes, volumes and off-node
    work (and overhead) cost."""
    return f"""
    with expected as (
        select cost_date, cluster, sum(cost) as cost from (
            select usage_date as cost_date, cluster, total_cost as cost from int_node_hours
            union all
            select cost_date, cluster, storage_cost from int_storage_costs_daily
            union all
            select cost_date, cluster, off_node_cost from int_workload_costs_daily{overhead}
        ) as parts
        group by cost_date, cluster
    ),
    actual as (
        select cost_date, cluster, sum({teams_cost}) as cost
        from mart_team_cost_daily
        where {_helios_excluded("cluster")}
        group by cost_date, cluster
    )
    select coalesce(e.cluster, a.cluster) as cluster,
           coalesce(e.cost_date, a.cost_date) as cost_date,
           coalesce(a.cost, 0) as teams_cost,
           coalesce(e.cost, 0) as cluster_cost,
           coalesce(a.cost, 0) - coalesce(e.cost, 0) as difference
    from expected as e
    full outer join actual as a on a.cost_date = e.cost_date and a.cluster = e.cluster
"""


CLUSTER_COST_DIFFERENCE_SQL = _cluster_cost_sql("total_cost", "")


# A bill moves a matched node's (or volume's) cost from modelled to billed: reconciled_cost adds
# up to the cluster's cost with that difference (int_billing_resource_costs_daily).
_BILL_PART = """
            union all
            select cost_date, cluster, effective_cost - modelled_cost
            from int_billing_resource_costs_daily where is_matched and modelled_cost > 0"""


def _reconciled(_args: Mapping[str, Any]) -> Invariant:
    return Invariant(
        "reconciled_adds_up_to_bill", _cluster_cost_sql("reconciled_cost", _BILL_PART),
        (*CLUSTER_COST_INPUTS, "int_billing_resource_costs_daily"), ("cluster", "cost_date"),
        "difference", {"min_value": -CENT, "max_value": CENT},
        "per cluster and day, the teams' reconciled_cost (with __idle__) equals the billed cost "
        "of its matched nodes and volumes plus the modelled cost of the others (to a cent)",
        lambda r: (f"cluster {r['cluster']} on {r['cost_date']}: reconciled_cost sums to "
                   f"{r['teams_cost']:.4f} but billed matched + modelled unmatched nodes and "
                   f"volumes cost {r['cluster_cost']:.4f}"))


def _cluster_cost(_args: Mapping[str, Any]) -> Invariant:
    return Invariant(
        "adds_up_to_cluster_cost", CLUSTER_COST_DIFFERENCE_SQL, CLUSTER_COST_INPUTS,
        ("cluster", "cost_date"), "difference", {"min_value": -CENT, "max_value": CENT},
        "per cluster and day, the teams' total_cost (with __idle__, __unallocated__ and "
        "__unmounted__) equals the cost of its nodes and volumes (to a cent)",
        lambda r: (f"cluster {r['cluster']} on {r['cost_date']}: teams (incl. __idle__, "
                   f"__unallocated__, __unmounted__) sum to {r['teams_cost']:.4f} but its "
                   f"nodes and volumes cost {r['cluster_cost']:.4f}"))


def _cluster_cost_shared(_args: Mapping[str, Any]) -> Invariant:
    return Invariant(
        "adds_up_with_sharing", _cluster_cost_sql("total_cost + shared_cost", _OVERHEAD_PART),
        SHARED_COST_INPUTS, ("cluster", "cost_date"), "difference",
        {"min_value": -CENT, "max_value": CENT},
        "per cluster and day, the teams' total_cost + shared_cost equals the cost of its nodes "
        "and volumes plus the configured overhead (to a cent)",
        lambda r: (f"cluster {r['cluster']} on {r['cost_date']}: teams with sharing sum to "
                   f"{r['teams_cost']:.4f} but its nodes, volumes and overhead cost "
                   f"{r['cluster_cost']:.4f}"))


def _idle_share(_args: Mapping[str, Any]) -> Invariant:
    idle = "sum(case when team = '__idle__' then total_cost else 0 end)"
    return Invariant(
        "idle_share_adds_up",
        f"""select cluster, cost_date, sum(idle_share_cost) as shared, {idle} as idle,
                   sum(idle_share_cost) - {idle} as difference
            from mart_team_cost_daily group by cluster, cost_date""",
        ("mart_team_cost_daily",), ("cluster", "cost_date"), "difference",
        {"min_value": -CENT, "max_value": CENT},
        "the teams' idle_share_cost adds up to the __idle__ cost per cluster and day (to a cent)",
        lambda r: (f"cluster {r['cluster']} on {r['cost_date']}: idle_share_cost sums to "
                   f"{r['shared']:.4f} but __idle__ costs {r['idle']:.4f}"))


def _namespace_cost(_args: Mapping[str, Any]) -> Invariant:
    return Invariant(
        "adds_up_to_team_cost",
        f"""with by_namespace as (
                select cost_date, team, cluster, sum(total_cost) as cost
                from mart_namespace_cost_daily group by cost_date, team, cluster
            ),
            by_team as (
                select cost_date, team, cluster, total_cost as cost
                from mart_team_cost_daily where {_helios_excluded("cluster")}
            )
            select coalesce(n.team, t.team) as team, coalesce(n.cluster, t.cluster) as cluster,
                   coalesce(n.cost_date, t.cost_date) as cost_date,
                   coalesce(n.cost, 0) as namespaces_cost, coalesce(t.cost, 0) as team_cost,
                   coalesce(n.cost, 0) - coalesce(t.cost, 0) as difference
            from by_namespace as n
            full outer join by_team as t
                on t.cost_date = n.cost_date and t.team = n.team and t.cluster = n.cluster""",
        ("mart_namespace_cost_daily", "mart_team_cost_daily", "int_helios_app_cost_daily"),
        ("team", "cluster", "cost_date"), "difference", {"min_value": -CENT, "max_value": CENT},
        "per Kubernetes team, cluster and day, the namespaces' total_cost equals "
        "mart_team_cost_daily.total_cost (to a cent)",
        lambda r: (f"team {r['team']}, cluster {r['cluster']} on {r['cost_date']}: namespaces "
                   f"sum to {r['namespaces_cost']:.4f} but mart_team_cost_daily.total_cost is "
                   f"{r['team_cost']:.4f}"))


_QUANTITY = {"cpu": ("core_hours", "core-hours"), "ram": ("gib_hours", "GiB-hours")}


def _used_within_capacity(args: Mapping[str, Any]) -> Invariant:
    resource = args.get("resource")
    if resource not in _QUANTITY:
        raise ValueError(f"`resource` must be one of {', '.join(_QUANTITY)}, got {resource!r}")
    suffix, unit = _QUANTITY[resource]
    used, capacity = f"{resource}_used_{suffix}", f"{resource}_capacity_{suffix}"
    return Invariant(
        f"{resource}_used_within_capacity",
        f"""select cluster, usage_date, {used} as used, {capacity} as capacity,
                   {capacity} - {used} as {resource}_headroom
            from mart_cluster_utilization_daily""",
        ("mart_cluster_utilization_daily",), ("cluster", "usage_date"), f"{resource}_headroom",
        {"min_value": -SLACK}, f"{resource} used ≤ {resource} capacity per cluster and day",
        lambda r: (f"cluster {r['cluster']} on {r['usage_date']}: {resource} used exceeds "
                   f"capacity ({r['used']:.3f} of {r['capacity']:.3f} {unit})"))


def _scope(_args: Mapping[str, Any]) -> Invariant:
    return Invariant(
        "scope_adds_up",
        """select team, status_date, count_apps_in_scope, count_apps_legacy,
                  count_apps_migrating, count_apps_migrated,
                  count_apps_in_scope - (count_apps_legacy + count_apps_migrating
                                         + count_apps_migrated) as difference
           from mart_migration_daily""",
        ("mart_migration_daily",), ("team", "status_date"), "difference",
        {"min_value": 0, "max_value": 0}, "count_apps_in_scope = legacy + migrating + migrated",
        lambda r: (f"team {r['team']} on {r['status_date']}: count_apps_in_scope "
                   f"{r['count_apps_in_scope']} <> legacy {r['count_apps_legacy']} + migrating "
                   f"{r['count_apps_migrating']} + migrated {r['count_apps_migrated']}"))


# Model tests a YAML may declare by name, each with its arguments.
INVARIANTS: dict[str, Callable[[Mapping[str, Any]], Invariant]] = {
    "adds_up_to_cluster_cost": _cluster_cost,
    "adds_up_with_sharing": _cluster_cost_shared,
    "reconciled_adds_up_to_bill": _reconciled,
    "idle_share_adds_up": _idle_share,
    "adds_up_to_team_cost": _namespace_cost,
    "used_within_capacity": _used_within_capacity,
    "scope_adds_up": _scope,
}


def violation_filter(column: str, bounds: Mapping[str, Any]) -> str:
    """SQL that is true where `column` breaks `bounds` (GX's range arguments); NULL passes."""
    low = "<=" if bounds.get("strict_min") else "<"
    high = ">=" if bounds.get("strict_max") else ">"
    parts = [f"{column} {low} {bounds['min_value']!r}" if "min_value" in bounds else "",
             f"{column} {high} {bounds['max_value']!r}" if "max_value" in bounds else ""]
    return " or ".join(p for p in parts if p)


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("select count(*) from information_schema.tables where table_name = ?",
                      [name]).fetchone()
    return bool(row and row[0])


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _report(label: str, lines: list[str]) -> list[str]:
    out = [f"{label}: {line}" for line in lines[:MAX_REPORTED]]
    if len(lines) > MAX_REPORTED:
        out.append(f"{label}: ... and {len(lines) - MAX_REPORTED} more")
    return out


def invariant_violations(con: duckdb.DuckDBPyConnection, model: str,
                         invariant: Invariant) -> list[str]:
    """Readable lines for the groups breaking one invariant ([] if an input is missing)."""
    if not all(_exists(con, t) for t in invariant.inputs):
        return []
    rows = _rows(con, f"select * from ({invariant.sql}) as groups where "
                      f"{violation_filter(invariant.column, invariant.bounds)} "
                      f"order by {', '.join(invariant.ids)}")
    return _report(model, [invariant.line(r) for r in rows])


def _where(row: dict[str, Any], grain: tuple[str, ...]) -> str:
    names = ", ".join(f"{c} {row[c]}" for c in grain if not c.endswith("_date"))
    days = " ".join(f"on {row[c]}" for c in grain if c.endswith("_date"))
    return " ".join(p for p in (names, days) if p)


def column_violations(con: duckdb.DuckDBPyConnection, model: str, grain: tuple[str, ...],
                      tests: list[tuple[str, str]]) -> list[str]:
    """Readable lines for the rows breaking `(column, test)` not_null or range tests."""
    if not _exists(con, model):
        return []
    out: list[str] = []
    for column, test in tests:
        where = f"{column} is null" if test == "not_null" else violation_filter(column,
                                                                                 RANGES[test])
        rows = _rows(con, f"select {', '.join([*grain, column])} from {model} where {where} "
                          f"order by {', '.join(grain)}")
        problem = _RANGE_PROBLEMS.get(test, "is null")
        out += _report(model, [f"{_where(r, grain)}: {column} "
                               f"{'' if test == 'not_null' else str(r[column]) + ' '}{problem}"
                               for r in rows])
    return out


def check_invariants(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every violated invariant and column bound of the marts, as lines naming the mart, the
    group (cluster, team, day...) and the numbers."""
    from fleetscope.pipelines.model_spec import load_specs

    out: list[str] = []
    for spec in load_specs():
        if spec.layer != "marts":
            continue
        for test in spec.tests:
            if test.name in INVARIANTS:
                out += invariant_violations(con, spec.name, INVARIANTS[test.name](test.args))
        tests = [(c.name, t.name) for c in spec.columns for t in c.tests
                 if t.name == "not_null" or t.name in RANGES]
        out += column_violations(con, spec.name, spec.grain, tests)
    return out
