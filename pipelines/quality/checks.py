"""The data-quality checks: which frame each reads, which expectation it applies, how severe.

Each check is one Great Expectations expectation over a DataFrame read from the warehouse with
pure SQL. Which checks exist comes from the models' YAML (pipelines/model_spec.py): the grain,
the column tests and the invariants each model declares. Invariants that span rows (costs adding
up per cluster and day) are computed in SQL as a per-group difference (pipelines/invariants.py),
so the expectation is a plain range check on that column and the offending groups show up as
the unexpected rows.

A `critical` failure stops `fleetscope run` before reports are published; a `warning` is shown
in the reports' quality banner only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fleetscope.config import Config
from fleetscope.pipelines.invariants import INVARIANTS, RANGES
from fleetscope.pipelines.model_spec import GRAIN_TEST, ModelSpec, load_specs

CRITICAL = "critical"
WARNING = "warning"


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


# The newest snapshot of each cluster (or source): staging checks look at what this run loaded.
_LATEST = "where (cluster, collected_at) in (select cluster, max(collected_at) from {t} group by 1)"
# Column tests in the order their checks are listed, and the words each check's meaning uses.
_COLUMN_TESTS = ("not_null", "unique", "non_negative", "positive", "percent", "accepted_values",
                 "not_in_future")
_MEANINGS = {"not_null": "every row has a {c}", "unique": "no two rows share a {c}",
             "non_negative": "{c} is never negative", "positive": "{c} is always positive",
             "percent": "{c} lies in [0, 100]"}


def build(config: Config, now: datetime,
          specs: list[ModelSpec] | None = None) -> tuple[list[Frame], list[Check]]:
    """Every frame and check: the tests the models' YAML declare (marts first), then freshness
    and the unallocated share, with thresholds from the config and `now` (naive UTC)."""
    specs = load_specs() if specs is None else specs
    ordered = sorted(specs, key=lambda s: s.layer != "marts")  # stable: by name within
    frames: list[Frame] = []
    checks: list[Check] = []
    for spec in ordered:
        _model_checks(spec, now, frames, checks)
    for spec in ordered:
        _invariant_checks(spec, frames, checks)
    _freshness_and_share(config, now, frames, checks)
    _default_priced_nodes(frames, checks)
    _bill_coverage(frames, checks)
    return frames, checks


def _model_checks(spec: ModelSpec, now: datetime, frames: list[Frame],
                  checks: list[Check]) -> None:
    """The grain and column tests of one model, over one frame of it (and a date frame)."""
    tests = [(c.name, t) for kind in _COLUMN_TESTS for c in spec.columns for t in c.tests
             if t.name == kind]
    has_grain = any(t.name == GRAIN_TEST for t in spec.tests)
    if not tests and not has_grain:
        return
    name, newest = spec.name, spec.test_rows == "newest_snapshot"
    where = f" {_LATEST.format(t=name)}" if newest else ""
    note = " (newest snapshots)" if newest else ""
    frames.append(Frame(name, f"select * from {name}{where}", (name,), ids=spec.grain))
    if has_grain:
        checks.append(Check(f"{name}.grain_unique", name, "grain", CRITICAL,
                            "ExpectCompoundColumnsToBeUnique", {"column_list": list(spec.grain)},
                            f"one row per {' × '.join(spec.grain)}{note}"))
    for column, test in tests:
        check = f"{name}.{column}.{test.name}"
        if test.name == "not_null":
            checks.append(Check(check, name, "not_null", CRITICAL, "ExpectColumnValuesToNotBeNull",
                                {"column": column}, f"every row has a {column}{note}"))
        elif test.name == "unique":
            checks.append(Check(check, name, "range", CRITICAL, "ExpectColumnValuesToBeUnique",
                                {"column": column}, _MEANINGS["unique"].format(c=column)))
        elif test.name in RANGES:
            checks.append(Check(check, name, "range", CRITICAL, "ExpectColumnValuesToBeBetween",
                                {"column": column, **RANGES[test.name]},
                                _MEANINGS[test.name].format(c=column)))
        elif test.name == "accepted_values":
            values = list(test.args["values"])
            checks.append(Check(f"{name}.{column}.in_set", name, "range", CRITICAL,
                                "ExpectColumnValuesToBeInSet", {"column": column,
                                                                "value_set": values},
                                f"{column} is one of {', '.join(map(str, values))}"))
        else:  # not_in_future
            _future_check(name, column, now, frames, checks)


def _future_check(name: str, column: str, now: datetime, frames: list[Frame],
                  checks: list[Check]) -> None:
    frames.append(Frame(f"{name}:future", f"select cast({column} as timestamp) as day "
                        f"from {name}", (name,)))
    tomorrow = datetime(now.year, now.month, now.day) + timedelta(days=1)
    checks.append(Check(f"{name}.{column}.not_in_future", f"{name}:future", "range", CRITICAL,
                        "ExpectColumnValuesToBeBetween",
                        {"column": "day", "max_value": tomorrow, "strict_max": True},
                        f"no {column} after today (clocks in the future)"))


def _invariant_checks(spec: ModelSpec, frames: list[Frame], checks: list[Check]) -> None:
    """DESIGN.md's invariants the model declares (pipelines/invariants.py), each a per-group
    value that must stay within bounds."""
    for test in spec.tests:
        if test.name not in INVARIANTS:
            continue
        invariant = INVARIANTS[test.name](test.args)
        frame = f"{spec.name}:{invariant.check}"
        frames.append(Frame(frame, invariant.sql, invariant.inputs, ids=invariant.ids))
        checks.append(Check(f"{spec.name}.{invariant.check}", frame, "invariant", CRITICAL,
                            "ExpectColumnValuesToBeBetween",
                            {"column": invariant.column, **invariant.bounds}, invariant.meaning))


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
        -- an unbound volume (__unmounted__) is cost no team owns, as it was under
        -- __unallocated__ before volumes followed their pods
        select 100.0 * coalesce(sum(case when team in ('__unallocated__', '__unmounted__')
                                         then total_cost end), 0)
               / nullif(sum(total_cost), 0) as unallocated_pct
        from recent
        """, ("mart_team_cost_daily",)))
    checks.append(Check("mart_team_cost_daily.unallocated_share", "unallocated_share", "share",
                        CRITICAL, "ExpectColumnValuesToBeBetween",
                        {"column": "unallocated_pct", "max_value": v.max_unallocated_share_pct},
                        f"__unallocated__ and __unmounted__ are at most "
                        f"{v.max_unallocated_share_pct:g}% of the "
                        "allocated cost of the last 7 days"))


def _default_priced_nodes(frames: list[Frame], checks: list[Check]) -> None:
    """A warning naming the instance types priced at the default per-resource rates (no entry
    in `pricing.instance_types`), with their node-hours: a price the user may have forgotten."""
    frames.append(Frame("default_priced_nodes", """
        select cluster, coalesce(instance_type, '(none)') as instance_type,
               round(sum(present_hours), 1) as node_hours, false as is_priced
        from int_node_hours
        where not is_priced_by_instance_type
        group by 1, 2
        order by node_hours desc, cluster, instance_type
        """, ("int_node_hours",), ids=("cluster", "instance_type", "node_hours")))
    checks.append(Check("int_node_hours.instance_types_priced", "default_priced_nodes", "range",
                        WARNING, "ExpectColumnValuesToBeInSet",
                        {"column": "is_priced", "value_set": [True]},
                        "every node's instance type has a price in pricing.instance_types "
                        "(the rows listed are priced at the default per-resource rates)"))


# Below this share of node-hours matched to a bill line, reconciled cost is mostly modelled cost.
MIN_BILL_COVERAGE_PCT = 90.0


def _bill_coverage(frames: list[Frame], checks: list[Check]) -> None:
    """A warning per cluster and day of a loaded billing period where under 90% of the
    node-hours belong to a node-day matched to a bill line (no bill loaded: no rows, no
    warning)."""
    frames.append(Frame("bill_coverage", """
        with billed_days as (
            select distinct cost_date from int_billing_line_days
        ),
        node_days as (
            select usage_date as cost_date, cluster, node_name, sum(present_hours) as node_hours
            from int_node_hours
            where usage_date in (select cost_date from billed_days)
            group by 1, 2, 3
        )
        select n.cluster, n.cost_date,
               100.0 * sum(case when r.is_matched then n.node_hours else 0 end)
                   / nullif(sum(n.node_hours), 0) as matched_node_hours_pct
        from node_days as n
        left join int_billing_resource_costs_daily as r
            on r.resource_kind = 'node' and r.cost_date = n.cost_date
            and r.cluster = n.cluster and r.resource_name = n.node_name
        group by n.cluster, n.cost_date
        order by n.cluster, n.cost_date
        """, ("int_node_hours", "int_billing_line_days", "int_billing_resource_costs_daily"),
        ids=("cluster", "cost_date")))
    checks.append(Check("mart_billing_reconciliation_daily.node_hours_matched", "bill_coverage",
                        "share", WARNING, "ExpectColumnValuesToBeBetween",
                        {"column": "matched_node_hours_pct", "min_value": MIN_BILL_COVERAGE_PCT},
                        f"at least {MIN_BILL_COVERAGE_PCT:g}% of the node-hours of each cluster "
                        "and day a bill covers match a bill line"))
