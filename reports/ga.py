"""The numbers of the GA readiness page: each cluster's scorecard at the end of a week, the
checks that fail first, and every check's trend over the last weeks, from `mart_ga_readiness`.

A warehouse without the mart gives empty frames, so the page says "no GA readiness data"
rather than show every check as passing.
"""

from __future__ import annotations

import pandas as pd

from fleetscope.reports.metrics import Connection, table_exists
from fleetscope.reports.weeks import IsoWeek

MART = "mart_ga_readiness"
# Worst first: the order of the failing list and of the scorecard's status counts.
STATUSES = ("fail", "warn", "unknown", "pass")
SCORECARD_COLUMNS = ["cluster", "check_name", "check_group", "day", "value", "unit",
                     "direction", "warn_threshold", "fail_threshold", "status", "detail"]


def scorecard(con: Connection, week: IsoWeek) -> pd.DataFrame:
    """Every cluster x check as judged on its last day within the week, worst status first,
    then by cluster and check."""
    if not table_exists(con, MART):
        return pd.DataFrame(columns=SCORECARD_COLUMNS)
    frame = con.execute(
        f"""
        select {", ".join(SCORECARD_COLUMNS)} from {MART}
        where day between ? and ?
        qualify row_number() over (partition by cluster, check_name order by day desc) = 1
        order by case status when 'fail' then 0 when 'warn' then 1 when 'unknown' then 2
                 else 3 end, cluster, check_name
        """, [week.start, week.end]).df()
    return frame[SCORECARD_COLUMNS]


def failing(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard rows that do not pass (fail, then warn, then unknown)."""
    return card[card["status"] != "pass"].reset_index(drop=True)


def count_failing(con: Connection, week: IsoWeek) -> tuple[int, int]:
    """(checks failing, checks judged) over every cluster at the end of the week."""
    card = scorecard(con, week)
    return int((card["status"] == "fail").sum()), len(card)


def status_matrix(card: pd.DataFrame) -> pd.DataFrame:
    """Checks as rows, clusters as columns (a fleet has more checks than clusters to show),
    the status in each cell (blank: not judged)."""
    if card.empty:
        return pd.DataFrame()
    wide = card.pivot(index="check_name", columns="cluster", values="status")
    return wide.reindex(sorted(wide.columns), axis=1).fillna("").reset_index()


def status_counts(card: pd.DataFrame) -> pd.DataFrame:
    """Per cluster: how many checks fail, warn, are unknown and pass; worst cluster first."""
    columns = ["cluster", *STATUSES]
    if card.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.crosstab(card["cluster"], card["status"]).reindex(
        columns=list(STATUSES), fill_value=0).reset_index()
    return counts.sort_values(["fail", "warn", "unknown", "cluster"],
                              ascending=[False, False, False, True])[columns]


def trend(con: Connection, week: IsoWeek, weeks: int = 13) -> pd.DataFrame:
    """Per check, cluster and week of the `weeks` ending with `week`: the value and status of
    the week's last judged day (`week_start`, `check_name`, `cluster`, `value`, `status`,
    `warn_threshold`, `fail_threshold`, `unit`)."""
    columns = ["week_start", "check_name", "cluster", "value", "status", "warn_threshold",
               "fail_threshold", "unit"]
    if not table_exists(con, MART):
        return pd.DataFrame(columns=columns)
    first = week.shift(-(weeks - 1)).start
    return con.execute(
        f"""
        select date_trunc('week', day)::date as week_start, {", ".join(columns[1:])}
        from {MART}
        where day between ? and ?
        qualify row_number() over (partition by date_trunc('week', day), check_name, cluster
                                   order by day desc) = 1
        order by check_name, cluster, week_start
        """, [first, week.end]).df()[columns]
