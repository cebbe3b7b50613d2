"""Mart rows in the Cost Insights shapes (`Cost`, `Entity`, `Group`, `Project`, alerts).

Groups are teams (`mart_team_cost_daily`, allocated `total_cost` at list prices, as the weekly
report's team changes); projects are apps (`mart_app_cost_daily`). Team and app names come from
labels: they are always bound as SQL parameters. Only column and table names from the constants
below are formatted into SQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from fleetscope.ops.cost_insights.intervals import Periods

Json = dict[str, Any]
# Teams that are not a group anyone belongs to (reports/metrics.py names them).
NOT_GROUPS = ("__idle__", "__unallocated__", "__unmounted__")
# Products are resources: Cost Insights' "product" tab and /products/{product}/insights.
TEAM_PRODUCTS = ("cpu", "ram", "gpu", "storage")
APP_PRODUCTS = ("cpu", "ram", "gpu")  # mart_app_cost_daily has no volumes
TEAM_MART, APP_MART = "mart_team_cost_daily", "mart_app_cost_daily"


def _series(rows: list[tuple[date, float]], periods: Periods) -> list[Json]:
    """One `DateAggregation` per day of the chart, 0 where the mart has no row."""
    by_day: dict[date, float] = defaultdict(float)
    for day, amount in rows:
        by_day[day] += float(amount or 0.0)
    return [{"date": day.isoformat(), "amount": by_day[day]} for day in periods.days]


def period_sums(aggregation: list[Json], periods: Periods) -> tuple[float, float]:
    """(previous, current): the sums of the two compared periods (intervals.py says which)."""
    first, last = periods.previous_start.isoformat(), periods.previous_end.isoformat()
    previous = sum(a["amount"] for a in aggregation if first <= a["date"] <= last)
    current = sum(a["amount"] for a in aggregation
                  if a["date"] >= periods.current_start.isoformat())
    return previous, current


def change_of(previous: float, current: float) -> Json:
    """`ChangeStatistic`: ratio (new - old) / old, left out when either sum is 0 (the plugin's
    rule: it then shows the amount with an infinite sign)."""
    change: Json = {"amount": current - previous}
    if previous and current:
        change["ratio"] = (current - previous) / previous
    return change


def trendline_of(aggregation: list[Json]) -> Json:
    """Least squares over (seconds since the epoch, amount): the plugin draws
    `slope * Date.parse(date) / 1000 + intercept` (trendFrom in its CostOverviewChart)."""
    xs = [datetime.fromisoformat(a["date"]).replace(tzinfo=UTC).timestamp() for a in aggregation]
    ys = [a["amount"] for a in aggregation]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = 0.0 if spread == 0 else sum(
        (x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return {"slope": slope, "intercept": mean_y - slope * mean_x}


def cost_of(cost_id: str, rows: list[tuple[date, float]], periods: Periods, *,
            trend: bool = True) -> Json:
    """A `Cost` over the chart's days (groupedCosts are added by the caller)."""
    aggregation = _series(rows, periods)
    cost: Json = {"id": cost_id, "aggregation": aggregation,
                  "change": change_of(*period_sums(aggregation, periods))}
    if trend:
        cost["trendline"] = trendline_of(aggregation)
    return cost


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    return con.execute(sql, params).fetchall()


def breakdown(con: duckdb.DuckDBPyConnection, *, key: str, measure: str, mart: str,
               where: str, params: list[Any], periods: Periods) -> list[Json]:
    """One `Cost` per value of `key` (dearest first over the chart) of `measure` in `mart`."""
    rows = _rows(con, f"select {key}, cost_date, sum({measure}) from {mart} where {where} "
                      "and cost_date between ? and ? group by all",
                 [*params, periods.start, periods.end])
    per_key: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for name, day, amount in rows:
        per_key[str(name)].append((day, amount))
    costs = [cost_of(name, series, periods, trend=False) for name, series in per_key.items()]
    return sorted(costs, key=lambda c: (-sum(a["amount"] for a in c["aggregation"]), c["id"]))


def product_costs(con: duckdb.DuckDBPyConnection, *, mart: str, products: tuple[str, ...],
              where: str, params: list[Any], periods: Periods) -> list[Json]:
    """One `Cost` per resource (the product tab): cpu, ram, gpu (and storage for teams)."""
    columns = ", ".join(f"sum({p}_cost)" for p in products)
    rows = _rows(con, f"select cost_date, {columns} from {mart} where {where} "
                      "and cost_date between ? and ? group by cost_date",
                 [*params, periods.start, periods.end])
    return [cost_of(p, [(r[0], r[i + 1]) for r in rows], periods, trend=False)
            for i, p in enumerate(products)]
