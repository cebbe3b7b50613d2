"""Developer productivity (the DORA four keys) and what migrating changed, for the reports.

Reads `mart_delivery_weekly`, `mart_delivery_buckets`, `mart_migration_impact` and
`mart_migration_impact_summary`; a warehouse without them gives empty frames, so the pages
still render. Teams are bound as SQL parameters. Values are formatted here (not in the
notebooks) so the tests can check the text a page shows.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from fleetscope.reports.html import money
from fleetscope.reports.metrics import ALL, Connection, table_exists
from fleetscope.reports.weeks import IsoWeek

# Below this many apps a before/after change is reported as too few to conclude, whatever its
# interval: with 3 apps a percentile bootstrap can only resample 3 values, so its interval
# understates the uncertainty.
MIN_APPS = 5
TREND_WEEKS = 13
# The metrics of "What migrating changed", in page order, with their headings.
IMPACT_METRICS = {
    "cost_per_week": "Cost per week",
    "deploys_per_week": "Deploys per week",
    "lead_time_median_hours": "Lead time (median)",
}
KEY_COLUMNS = [
    "team",
    "count_deploys",
    "deployment_frequency",
    "deployment_frequency_bucket",
    "lead_time_median_hours",
    "lead_time_bucket",
    "change_failure_rate",
    "change_failure_bucket",
    "recovery_median_hours",
    "recovery_bucket",
]
WEEK_COLUMNS = ["deploys_week", "unknown_lead_time_week", "failed_week"]
# The pages' tables (column, heading, kind as in reports.html.table).
KEY_TABLE = [
    ("team", "Team", "text"),
    ("deploys_week", "Deploys this week", "int"),
    ("failed_week", "Failed", "int"),
    ("unknown_lead_time_week", "Unknown lead time", "int"),
    ("frequency_text", "Deployment frequency", "text"),
    ("lead_time_text", "Lead time (median)", "text"),
    ("failure_rate_text", "Change failure rate", "text"),
    ("recovery_text", "Time to restore (median)", "text"),
]
IMPACT_TABLE = [
    ("label", "Metric", "text"),
    ("count_apps", "Apps (n)", "int"),
    ("before", "Before (median)", "text"),
    ("after", "After (median)", "text"),
    ("change", "Change (median)", "text"),
    ("interval", "Interval", "text"),
    ("reading", "Reading", "text"),
]


def _is_missing(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or bool(not isinstance(value, str) and pd.isna(value))
    )


def hours(value: Any) -> str:
    """`37.5 h`; a dash where there is no value."""
    return "–" if _is_missing(value) else f"{float(value):,.1f} h"


def with_bucket(text: str, bucket: object) -> str:
    """`2.0 h (elite)`; the value alone where no bucket applies."""
    return text if _is_missing(bucket) else f"{text} ({bucket})"


def week_counts(con: Connection, week: IsoWeek) -> pd.DataFrame:
    """Per team and `__all__`: the week's deploys, deploys with unknown lead time and failed
    deploys (sums of `mart_delivery_weekly`, exact where medians over apps would not be)."""
    if not table_exists(con, "mart_delivery_weekly"):
        return pd.DataFrame(columns=["team", *WEEK_COLUMNS])
    frame = con.execute(
        """
        select team, sum(count_deploys) as deploys_week,
               sum(count_deploys_unknown_lead_time) as unknown_lead_time_week,
               sum(count_failed_deploys) as failed_week
        from mart_delivery_weekly where week_start_date = ? group by team order by team
        """,
        [week.start],
    ).df()
    total = pd.DataFrame([{"team": ALL, **{c: frame[c].sum() for c in WEEK_COLUMNS}}])
    return pd.concat([total, frame], ignore_index=True).astype({c: int for c in WEEK_COLUMNS})


def four_keys(con: Connection, week: IsoWeek, team: str | None = None) -> pd.DataFrame:
    """Per team (`__all__` first), or one team: the four keys over the 13 weeks ending with the
    week and their Four Keys buckets (`mart_delivery_buckets`), this week's counts, and text
    columns (`*_text`) as the pages show them."""
    if table_exists(con, "mart_delivery_buckets"):
        keys = con.execute(
            f"select {', '.join(KEY_COLUMNS)} from mart_delivery_buckets "
            "where week_start_date = $1 and ($2 is null or team = $2)",
            [week.start, team],
        ).df()
    else:
        keys = pd.DataFrame(columns=KEY_COLUMNS)
    counts = week_counts(con, week)
    if team is not None:
        counts = counts[counts["team"] == team]
    frame = keys.merge(counts, on="team", how="outer")
    frame[WEEK_COLUMNS] = frame[WEEK_COLUMNS].fillna(0).astype(int)
    frame["count_deploys"] = frame["count_deploys"].fillna(0).astype(int)
    frame["order"] = frame["team"] != ALL
    frame = frame.sort_values(["order", "team"]).drop(columns="order").reset_index(drop=True)
    return _with_texts(frame)


def _with_texts(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame.to_dict("records")
    frame["frequency_text"] = [
        with_bucket(
            "–" if _is_missing(r["deployment_frequency"]) else str(r["deployment_frequency"]),
            r["deployment_frequency_bucket"],
        )
        for r in rows
    ]
    frame["lead_time_text"] = [
        with_bucket(hours(r["lead_time_median_hours"]), r["lead_time_bucket"]) for r in rows
    ]
    frame["failure_rate_text"] = [
        with_bucket(
            "–"
            if _is_missing(r["change_failure_rate"])
            else f"{100 * float(r['change_failure_rate']):.1f}%",
            r["change_failure_bucket"],
        )
        for r in rows
    ]
    frame["recovery_text"] = [
        with_bucket(hours(r["recovery_median_hours"]), r["recovery_bucket"]) for r in rows
    ]
    return frame


def keys_sentence(row: pd.Series, week: IsoWeek, who: str) -> str:
    """One sentence of the four keys of a `four_keys` row (plain text; escape it to show)."""
    return (
        f"Over the {TREND_WEEKS} weeks to {week.label}, {who} deploys "
        f"{row['frequency_text']}; median lead time {row['lead_time_text']}; change "
        f"failure rate {row['failure_rate_text']}; time to restore {row['recovery_text']}. "
        f"This week: {int(row['deploys_week'])} deploys, {int(row['failed_week'])} failed, "
        f"{int(row['unknown_lead_time_week'])} with unknown lead time."
    )


def trend(
    con: Connection, week: IsoWeek, team: str = ALL, weeks: int = TREND_WEEKS
) -> pd.DataFrame:
    """One row per week of the `weeks` ending with `week`: the team's (or organisation's)
    deploys that week, and the trailing-13-week lead time, failure rate (percent) and time to
    restore as of that week; deploys 0 and keys missing in weeks without data."""
    starts = [week.shift(-k).start for k in range(weeks - 1, -1, -1)]
    frame = pd.DataFrame({"week_start_date": pd.to_datetime(starts)})
    if table_exists(con, "mart_delivery_weekly"):
        deploys = con.execute(
            "select week_start_date, sum(count_deploys) as deploys from mart_delivery_weekly "
            "where week_start_date between $1 and $2 and ($3 = $4 or team = $3) group by all",
            [starts[0], week.start, team, ALL],
        ).df()
        deploys["week_start_date"] = pd.to_datetime(deploys["week_start_date"])
        frame = frame.merge(deploys, on="week_start_date", how="left")
    frame["deploys"] = frame.get("deploys", pd.Series(0, index=frame.index)).fillna(0)
    keys = ["lead_time_median_hours", "change_failure_rate", "recovery_median_hours"]
    if table_exists(con, "mart_delivery_buckets"):
        found = con.execute(
            f"select week_start_date, {', '.join(keys)} from mart_delivery_buckets "
            "where team = $1 and week_start_date between $2 and $3",
            [team, starts[0], week.start],
        ).df()
        found["week_start_date"] = pd.to_datetime(found["week_start_date"])
        frame = frame.merge(found, on="week_start_date", how="left")
    for key in keys:
        frame[key] = frame.get(key, pd.Series(float("nan"), index=frame.index)).astype(float)
    frame["change_failure_pct"] = 100.0 * frame["change_failure_rate"]
    return frame


# -- what migrating changed ---------------------------------------------------------------------


def impact_reading(count_apps: Any, low: Any, high: Any, *, min_apps: int = MIN_APPS) -> str:
    """What a before/after change lets one say: nothing below `min_apps` apps, `no clear
    change` where the interval spans 0, else the direction the whole interval shows."""
    n = 0 if _is_missing(count_apps) else int(count_apps)
    if n == 0:
        return "no migrated app with a before and an after"
    if n < min_apps:
        return f"too few apps to conclude: n = {n}"
    if _is_missing(low) or _is_missing(high):
        return "no interval"
    if float(low) <= 0 <= float(high):
        return "no clear change"
    return "lower after migrating" if float(high) < 0 else "higher after migrating"


def metric_value(metric: str, value: Any, currency: str, *, signed: bool = False) -> str:
    """A value of an impact metric in its unit: money, deploys a week, hours."""
    if _is_missing(value):
        return "–"
    number = float(value)
    sign = "+" if signed and number > 0 else ""
    if metric == "cost_per_week":
        return sign + money(number, currency)
    if metric == "lead_time_median_hours":
        return sign + hours(number)
    return f"{number:{'+' if signed else ''}.2f}"


def impact_summary(con: Connection, currency: str, team: str | None = None) -> pd.DataFrame:
    """Per team (`__all__` first) and metric of IMPACT_METRICS, or for one team: apps (n),
    median before, after and change, its interval, and the reading (`impact_reading`), each
    as text in the metric's unit; empty without `mart_migration_impact_summary`."""
    out = [
        "team",
        "metric",
        "label",
        "count_apps",
        "before",
        "after",
        "change",
        "interval",
        "reading",
    ]
    if not table_exists(con, "mart_migration_impact_summary"):
        return pd.DataFrame(columns=out)
    frame = con.execute(
        "select * from mart_migration_impact_summary where ($1 is null or team = $1) "
        "and metric in (select unnest($2::varchar[]))",
        [team, list(IMPACT_METRICS)],
    ).df()
    rows = []
    for r in frame.to_dict("records"):
        m = r["metric"]
        low, high = r["change_interval_low"], r["change_interval_high"]
        rows.append(
            {
                "team": r["team"],
                "metric": m,
                "label": IMPACT_METRICS[m],
                "count_apps": int(r["count_apps"]),
                "before": metric_value(m, r["median_before"], currency),
                "after": metric_value(m, r["median_after"], currency),
                "change": metric_value(m, r["median_change"], currency, signed=True),
                "interval": "–"
                if _is_missing(low)
                else (
                    f"{metric_value(m, low, currency, signed=True)} to "
                    f"{metric_value(m, high, currency, signed=True)}"
                ),
                "reading": impact_reading(r["count_apps"], low, high),
            }
        )
    result = pd.DataFrame(rows, columns=out)
    order = {m: i for i, m in enumerate(IMPACT_METRICS)}
    result["o1"] = result["team"] != ALL
    result["o2"] = result["metric"].map(order)
    return (
        result.sort_values(["o1", "team", "o2"]).drop(columns=["o1", "o2"]).reset_index(drop=True)
    )


def impact_apps(con: Connection, team: str) -> pd.DataFrame:
    """The team's migrated apps (`mart_migration_impact`): cut-over day and before/after of
    cost, deploys and lead time, by app."""
    wanted = [
        "app_id",
        "cutover_date",
        "cost_per_week_before",
        "cost_per_week_after",
        "deploys_per_week_before",
        "deploys_per_week_after",
        "lead_time_median_hours_before",
        "lead_time_median_hours_after",
    ]
    if not table_exists(con, "mart_migration_impact"):
        return pd.DataFrame(columns=wanted)
    return con.execute(
        f"select {', '.join(wanted)} from mart_migration_impact where team = ? order by app_id",
        [team],
    ).df()
