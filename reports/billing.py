"""The numbers of the bill in the reports: reconciliation per cluster, cloud spend outside
Kubernetes, the never-allocated lines (tax, credits, purchases) and each team's whole cloud cost.

Every function reads the marts only; a warehouse with no bill loaded gives empty frames and
`bill_covers` False, so the reports say "list-price estimate" rather than show zeros.
"""

from __future__ import annotations

import pandas as pd

from fleetscope.reports.metrics import Connection, columns, helios_sources, table_exists
from fleetscope.reports.weeks import IsoWeek

BILLING_TEAM = "__billing__"  # Tax, Credit, Adjustment, Purchase: account-level, no team's
RECONCILED = "reconciled with the bill"
ESTIMATE = "list-price estimate"

RECONCILIATION_COLUMNS = [
    "cluster", "modelled_node_cost", "billed_node_cost", "modelled_matched_node_cost",
    "node_adjustment", "count_nodes", "count_nodes_matched", "node_coverage_pct",
    "modelled_volume_cost", "billed_volume_cost", "modelled_matched_volume_cost",
    "volume_adjustment", "count_volumes", "count_volumes_matched", "volume_coverage_pct"]


def bill_covers(con: Connection, week: IsoWeek) -> bool:
    """Whether a loaded bill covers the week: a bill line matched a node or volume on one of
    its days, or a line landed in the cloud-cost mart."""
    if table_exists(con, "mart_billing_reconciliation_daily"):
        row = con.execute(
            "select count(*) from mart_billing_reconciliation_daily where cost_date between ? "
            "and ? and count_nodes_matched + count_volumes_matched > 0",
            [week.start, week.end]).fetchone()
        if row and row[0]:
            return True
    if table_exists(con, "mart_cloud_cost_daily"):
        row = con.execute("select count(*) from mart_cloud_cost_daily "
                          "where cost_date between ? and ?", [week.start, week.end]).fetchone()
        return bool(row and row[0])
    return False


def cost_basis(con: Connection, week: IsoWeek) -> tuple[bool, str]:
    """(reconciled?, label) of the week's team cost: reconciled where the cost mart carries
    `reconciled_cost` and a bill covers the week, else the list-price estimate."""
    reconciled = ("reconciled_cost" in columns(con, "mart_team_cost_daily")
                  and bill_covers(con, week))
    return reconciled, RECONCILED if reconciled else ESTIMATE


def reconciliation(con: Connection, week: IsoWeek) -> pd.DataFrame:
    """Per cluster for the week: modelled and billed node cost, the adjustment (billed -
    modelled on the matched nodes), node-days matched over node-days modelled (percent), and the
    same for volumes. Clusters with no node or volume matched are kept: 0% is the news there."""
    if not table_exists(con, "mart_billing_reconciliation_daily"):
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    parts = []
    for kind in ("node", "volume"):
        parts.append(
            f"sum(modelled_{kind}_cost) as modelled_{kind}_cost, "
            f"sum(billed_{kind}_cost) as billed_{kind}_cost, "
            f"sum(modelled_matched_{kind}_cost) as modelled_matched_{kind}_cost, "
            f"sum(billed_{kind}_cost) - sum(modelled_matched_{kind}_cost) as {kind}_adjustment, "
            f"sum(count_{kind}s) as count_{kind}s, "
            f"sum(count_{kind}s_matched) as count_{kind}s_matched, "
            f"100.0 * sum(count_{kind}s_matched) / nullif(sum(count_{kind}s), 0) "
            f"as {kind}_coverage_pct")
    return con.execute(
        f"select cluster, {', '.join(parts)} from mart_billing_reconciliation_daily "
        "where cost_date between ? and ? group by cluster order by cluster",
        [week.start, week.end]).df()[RECONCILIATION_COLUMNS]


def cloud_services(con: Connection, week: IsoWeek, team: str | None = None) -> pd.DataFrame:
    """Cloud spend outside Kubernetes by provider and service for the week (every team's, or
    one team's), dearest first: billed and effective cost (savings and credits of the line
    amortized). The never-allocated lines are not here: see `never_allocated`."""
    if not table_exists(con, "mart_cloud_cost_daily"):
        return pd.DataFrame(columns=["provider", "service_name", "billed_cost",
                                     "effective_cost"])
    where, params = "team <> ?", [BILLING_TEAM]
    if team is not None:
        where, params = "team = ?", [team]
    return con.execute(
        f"""
        select provider, service_name, sum(billed_cost) as billed_cost,
               sum(effective_cost) as effective_cost
        from mart_cloud_cost_daily
        where cost_date between ? and ? and {where}
        group by provider, service_name
        order by effective_cost desc, provider, service_name
        """, [week.start, week.end, *params]).df()


def never_allocated(con: Connection, week: IsoWeek) -> pd.DataFrame:
    """The week's Tax, Credit, Adjustment and Purchase lines (team `__billing__`) by charge
    category and service: account-level money that no team is charged."""
    if not table_exists(con, "mart_cloud_cost_daily"):
        return pd.DataFrame(columns=["charge_category", "service_name", "billed_cost",
                                     "effective_cost"])
    return con.execute(
        """
        select charge_category, service_name, sum(billed_cost) as billed_cost,
               sum(effective_cost) as effective_cost
        from mart_cloud_cost_daily
        where cost_date between ? and ? and team = ?
        group by charge_category, service_name order by charge_category, service_name
        """, [week.start, week.end, BILLING_TEAM]).df()


def whole_cloud_cost(con: Connection, team: str, week: IsoWeek, *,
                     reconciled: bool) -> pd.DataFrame:
    """The team's whole cloud cost this week and last, one row per part: Kubernetes
    (reconciled when `reconciled`), Helios (legacy), then each tagged cloud service
    (effective cost); `part`, `item`, `cost`, `previous_cost`."""
    previous = week.shift(-1)
    measure = "reconciled_cost" if reconciled else "total_cost"
    legacy = helios_sources(con)
    marks = ", ".join("?" for _ in legacy) or "null"
    kube = con.execute(
        f"""
        select case when cluster in ({marks}) then 'legacy' else 'kubernetes' end as part,
               coalesce(sum({measure}) filter (where cost_date between ? and ?), 0) as cost,
               coalesce(sum({measure}) filter (where cost_date between ? and ?), 0)
                   as previous_cost
        from mart_team_cost_daily where team = ? and cost_date between ? and ?
        group by part
        """, [*legacy, week.start, week.end, previous.start, previous.end, team,
              previous.start, week.end]).df().set_index("part")
    rows = [{"part": part, "item": label,
             "cost": float(kube["cost"].get(part, 0.0)),
             "previous_cost": float(kube["previous_cost"].get(part, 0.0))}
            for part, label in (("kubernetes", "Kubernetes"), ("legacy", "Helios (legacy)"))]
    if table_exists(con, "mart_cloud_cost_daily"):
        services = con.execute(
            """
            select service_name,
                   coalesce(sum(effective_cost) filter (where cost_date between ? and ?), 0)
                       as cost,
                   coalesce(sum(effective_cost) filter (where cost_date between ? and ?), 0)
                       as previous_cost
            from mart_cloud_cost_daily where team = ? and cost_date between ? and ?
            group by service_name order by cost desc, service_name
            """, [week.start, week.end, previous.start, previous.end, team,
                  previous.start, week.end]).df()
        rows += [{"part": "cloud", "item": r.service_name, "cost": float(r.cost),
                  "previous_cost": float(r.previous_cost)} for r in services.itertuples()]
    return pd.DataFrame(rows, columns=["part", "item", "cost", "previous_cost"])
