"""The answers of each endpoint, from a read-only warehouse connection.

Each function takes the connection and the already-parsed request (intervals.py) and returns
JSON-ready dicts in the Cost Insights shapes; an unknown team, app or product raises NotFound.
"""

from __future__ import annotations

from typing import Any

import duckdb

from fleetscope.errors import InputError
from fleetscope.ops.cost_insights.costs import (
    APP_MART,
    APP_PRODUCTS,
    NOT_GROUPS,
    TEAM_MART,
    TEAM_PRODUCTS,
    Json,
    breakdown,
    change_of,
    cost_of,
    period_sums,
    product_costs,
)
from fleetscope.ops.cost_insights.intervals import Periods

ALERTS_MART = "mart_alerts"  # BUDGETS' model (the alerts contract); missing = no alerts
ORG_WIDE = "__all__"  # the contract's team of org-wide budgets: every group sees them
_RESERVED = "(" + ", ".join("?" * len(NOT_GROUPS)) + ")"
_GROUP_FILTER = f"team not in {_RESERVED}"
# Helios hosts without a started job are app `__idle__` in mart_app_cost_daily: not a project
_APP_FILTER = f"app_id not in {_RESERVED}"


class NotFound(InputError):
    """The group, project or product is not in the warehouse (HTTP 404)."""


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> Any:
    row = con.execute(sql, params).fetchone()
    return None if row is None else row[0]


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(_scalar(con, "select count(*) from information_schema.tables "
                             "where table_name = ?", [table]))


def groups(con: duckdb.DuckDBPyConnection) -> list[Json]:
    """Every team with cost (`Group`): the server knows no user, so everyone sees every team."""
    if not _exists(con, TEAM_MART):
        return []
    rows = con.execute(f"select distinct team from {TEAM_MART} where {_GROUP_FILTER} "
                       "order by team", list(NOT_GROUPS)).fetchall()
    return [{"id": team, "name": team} for (team,) in rows]


def _require_team(con: duckdb.DuckDBPyConnection, team: str) -> None:
    if team in NOT_GROUPS or not any(g["id"] == team for g in groups(con)):
        raise NotFound(f"unknown group {team!r}")


def _require_app(con: duckdb.DuckDBPyConnection, app: str) -> None:
    found = app not in NOT_GROUPS and _exists(con, APP_MART) and _scalar(
        con, f"select count(*) from {APP_MART} where app_id = ?", [app])
    if not found:
        raise NotFound(f"unknown project {app!r}")


def group_projects(con: duckdb.DuckDBPyConnection, team: str) -> list[Json]:
    """The team's apps (`Project`): the apps it was charged for most on some day."""
    _require_team(con, team)
    if not _exists(con, APP_MART):
        return []
    rows = con.execute(f"select distinct app_id from {APP_MART} where team = ? and "
                       f"{_APP_FILTER} order by app_id", [team, *NOT_GROUPS]).fetchall()
    return [{"id": app, "name": app} for (app,) in rows]


def last_complete_billing_date(con: duckdb.DuckDBPyConnection) -> str | None:
    """The newest day with team cost (the plugin builds its intervals from it)."""
    if not _exists(con, TEAM_MART):
        return None
    day = _scalar(con, f"select max(cost_date) from {TEAM_MART}", [])
    return None if day is None else day.isoformat()


def group_daily_cost(con: duckdb.DuckDBPyConnection, team: str, periods: Periods) -> Json:
    """The team's allocated cost per day, its change, trend, and by product and by project."""
    _require_team(con, team)
    where, params = "team = ?", [team]
    rows = con.execute(f"select cost_date, sum(total_cost) from {TEAM_MART} where team = ? "
                       "and cost_date between ? and ? group by cost_date",
                       [team, periods.start, periods.end]).fetchall()
    cost = cost_of(team, rows, periods)
    cost["groupedCosts"] = {
        "product": product_costs(con, mart=TEAM_MART, products=TEAM_PRODUCTS, where=where,
                             params=params, periods=periods),
        "project": breakdown(con, key="app_id", measure="total_cost", mart=APP_MART,
                              where=f"{where} and {_APP_FILTER}", params=[*params, *NOT_GROUPS],
                              periods=periods)
        if _exists(con, APP_MART) else []}
    return cost


def project_daily_cost(con: duckdb.DuckDBPyConnection, app: str, periods: Periods) -> Json:
    """The app's cost per day (all its clusters and teams), change, trend, and by product."""
    _require_app(con, app)
    rows = con.execute(f"select cost_date, sum(total_cost) from {APP_MART} where app_id = ? "
                       "and cost_date between ? and ? group by cost_date",
                       [app, periods.start, periods.end]).fetchall()
    cost = cost_of(app, rows, periods)
    cost["groupedCosts"] = {"product": product_costs(
        con, mart=APP_MART, products=APP_PRODUCTS, where="app_id = ?", params=[app],
        periods=periods)}
    return cost


def product_insights(con: duckdb.DuckDBPyConnection, product: str, team: str,
                     periods: Periods, project: str | None = None) -> Json:
    """`Entity`: a resource's cost in the two periods, split by cluster (adds up to the total)."""
    _require_team(con, team)
    if project:
        _require_app(con, project)
    products = APP_PRODUCTS if project else TEAM_PRODUCTS
    if product not in products:
        raise NotFound(f"unknown product {product!r} (products: {', '.join(products)})")
    mart, where, params = ((APP_MART, "team = ? and app_id = ?", [team, project]) if project
                           else (TEAM_MART, "team = ?", [team]))
    clusters = breakdown(con, key="cluster", measure=f"{product}_cost", mart=mart, where=where,
                          params=params, periods=periods)
    entities = [_entity(c["id"], *period_sums(c["aggregation"], periods)) for c in clusters]
    previous = sum(e["aggregation"][0] for e in entities)
    current = sum(e["aggregation"][1] for e in entities)
    return _entity(product, previous, current, {"cluster": entities})


def _entity(entity_id: str, previous: float, current: float,
            children: dict[str, list[Json]] | None = None) -> Json:
    return {"id": entity_id, "aggregation": [previous, current],
            "change": change_of(previous, current), "entities": children or {}}


def alerts(con: duckdb.DuckDBPyConnection, team: str) -> list[Json]:
    """The team's alerts and the org-wide ones (`__all__`), newest first; plain text fields
    (`title`, `subtitle`) as the plugin's Alert, plus the contract's numbers."""
    _require_team(con, team)
    if not _exists(con, ALERTS_MART):
        return []
    rows = con.execute(
        f"select alert_id, alert_kind, severity, raised_on, title, detail, amount, app_id, "
        f"cluster from {ALERTS_MART} where team in (?, ?) "
        "order by raised_on desc, alert_id", [team, ORG_WIDE]).fetchall()
    return [_alert(row) for row in rows]


def _alert(row: tuple[Any, ...]) -> Json:
    alert_id, kind, severity, raised_on, title, detail, amount, app_id, cluster = row
    return {"title": title, "subtitle": detail, "id": alert_id, "kind": kind,
            "severity": severity, "raisedOn": raised_on.isoformat(),
            "amount": None if amount is None else float(amount), "project": app_id,
            "cluster": cluster}
