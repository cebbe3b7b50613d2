"""`mart_migration_impact` and its summary on hand-made inputs, worked by hand.

The model SQL runs on a real DuckDB file over hand-written upstream tables (its own inputs:
mart_app_migration_status, mart_app_cost_daily, the deploy models and ref_delivery), N = 2 weeks.

App `shop` (team checkout), days Oct 26 (Mon, 2026-W44) .. Dec 6 (Sun, W49):
legacy Oct 26 - Nov 10, migrating Nov 11 - 17, migrated from Nov 18 (the cut-over).
Before = the 2 weeks before W46 (where migrating starts): W44, W45; after = the 2 weeks after
the cut-over's W47: W48, W49. W46 and W47 (migrating) are left out.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

MODELS = Path(__file__).resolve().parent.parent / "pipelines" / "models" / "marts"
FIRST = date(2026, 10, 26)
DAYS = [FIRST + timedelta(days=i) for i in range(42)]  # Oct 26 .. Dec 6


def _status(day: date) -> str:
    if day <= date(2026, 11, 10):
        return "legacy"
    return "migrating" if day <= date(2026, 11, 17) else "migrated"


# deploy id, app, day, failed, lead times (h)
DEPLOYS = [
    ("d1", "shop", date(2026, 10, 27), False, [30.0, 50.0]),
    ("d2", "shop", date(2026, 11, 4), True, [70.0]),
    ("d3", "shop", date(2026, 11, 12), True, [1000.0]),  # migrating week: left out
    ("d4", "shop", date(2026, 11, 24), False, [2.0]),
    ("d5", "shop", date(2026, 11, 25), False, [4.0]),
    ("d6", "shop", date(2026, 12, 1), True, [6.0, 10.0]),
    ("d7", "shop", date(2026, 12, 2), False, []),
]


def _costs() -> list[tuple]:
    rows = []
    for day in DAYS:
        if day <= date(2026, 11, 17):
            rows += [(day, "shop", "helios", 10.0), (day, "cart", "helios", 20.0)]
        if day <= date(2026, 11, 10):
            rows.append((day, "shop", "kubernetes", 1.0))  # a staging copy: not the after cost
        if day >= date(2026, 11, 11):
            rows += [(day, "shop", "kubernetes", 4.0), (day, "cart", "kubernetes", 10.0)]
    return rows


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("impact") / "wh.duckdb"))
    con.execute(
        "create table ref_delivery as select 2 as impact_weeks, 1000 as "
        "bootstrap_resamples, 14 as bootstrap_seed, 0.05 as interval_low_quantile, "
        "0.95 as interval_high_quantile"
    )
    con.execute(
        "create table mart_app_migration_status "
        "(status_date date, app_id varchar, team varchar, status varchar)"
    )
    for day in DAYS:
        con.execute(
            "insert into mart_app_migration_status values "
            "(?, 'shop', 'checkout', ?), (?, 'cart', 'payments', ?), "
            "(?, 'lgcy', 'payments', 'legacy')",
            [day, _status(day), day, _status(day), day],
        )
    con.execute(
        "create table mart_app_cost_daily "
        "(cost_date date, app_id varchar, platform varchar, total_cost double)"
    )
    con.executemany("insert into mart_app_cost_daily values (?, ?, ?, ?)", _costs())
    con.execute(
        "create table int_deploy_shas (deploy_id varchar, app_id varchar, deploy_date date)"
    )
    con.execute("create table int_deploy_failures (deploy_id varchar, is_failed boolean)")
    con.execute("create table int_deploy_lead_times (deploy_id varchar, lead_time_hours double)")
    for deploy_id, app, day, failed, leads in DEPLOYS:
        con.execute("insert into int_deploy_shas values (?, ?, ?)", [deploy_id, app, day])
        con.execute("insert into int_deploy_failures values (?, ?)", [deploy_id, failed])
        for lead in leads:
            con.execute("insert into int_deploy_lead_times values (?, ?)", [deploy_id, lead])
    for name in ("mart_migration_impact", "mart_migration_impact_summary"):
        con.execute(f"create table {name} as {(MODELS / f'{name}.sql').read_text()}")
    yield con
    con.close()


def test_one_row_per_migrated_app_by_hand(con) -> None:
    rows = con.execute(
        "select app_id, team, migration_start_date, cutover_date, weeks_before, weeks_after, "
        "deploys_per_week_before, deploys_per_week_after, lead_time_median_hours_before, "
        "lead_time_median_hours_after, change_failure_rate_before, change_failure_rate_after, "
        "cost_per_week_before, cost_per_week_after, cost_per_week_change "
        "from mart_migration_impact order by app_id"
    ).fetchall()
    assert rows == [
        # cart: no deploys (0 a week, no lead time or failure rate); helios 20 x 14 days / 2
        # weeks = 140 before, kubernetes 10 x 14 / 2 = 70 after
        (
            "cart",
            "payments",
            date(2026, 11, 11),
            date(2026, 11, 18),
            2,
            2,
            0.0,
            0.0,
            None,
            None,
            None,
            None,
            140.0,
            70.0,
            -70.0,
        ),
        # shop: before d1, d2 = 2 deploys / 2 weeks = 1, leads [30, 50, 70] -> 50, 1 failed of 2;
        # after d4..d7 = 4 / 2 = 2, leads [2, 4, 6, 10] -> 5, 1 failed of 4; cost: helios
        # 10 x 14 / 2 = 70 (the 1/day staging pods are not legacy cost), kubernetes 4 x 14 / 2 = 28
        (
            "shop",
            "checkout",
            date(2026, 11, 11),
            date(2026, 11, 18),
            2,
            2,
            1.0,
            2.0,
            50.0,
            5.0,
            0.5,
            0.25,
            70.0,
            28.0,
            -42.0,
        ),
    ]


def test_summary_medians_intervals_and_counts(con) -> None:
    rows = con.execute(
        "select team, metric, count_apps, median_change, change_interval_low, "
        "change_interval_high from mart_migration_impact_summary "
        "order by team, metric"
    ).fetchall()
    assert rows == [
        # cost changes [-70, -42]: median -56; resample medians are -70, -56 or -42, each
        # extreme with probability 1/4, so the 5 % and 95 % points are the extremes
        ("__all__", "change_failure_rate", 1, -0.25, -0.25, -0.25),
        ("__all__", "cost_per_week", 2, -56.0, -70.0, -42.0),
        ("__all__", "deploys_per_week", 2, 0.5, 0.0, 1.0),
        ("__all__", "lead_time_median_hours", 1, -45.0, -45.0, -45.0),
        # one app: its own change, the interval collapses onto it
        ("checkout", "change_failure_rate", 1, -0.25, -0.25, -0.25),
        ("checkout", "cost_per_week", 1, -42.0, -42.0, -42.0),
        ("checkout", "deploys_per_week", 1, 1.0, 1.0, 1.0),
        ("checkout", "lead_time_median_hours", 1, -45.0, -45.0, -45.0),
        ("payments", "cost_per_week", 1, -70.0, -70.0, -70.0),
        ("payments", "deploys_per_week", 1, 0.0, 0.0, 0.0),
    ]


def test_the_bootstrap_is_deterministic(con) -> None:
    sql = (MODELS / "mart_migration_impact_summary.sql").read_text()
    first = con.execute(f"select * from ({sql}) order by team, metric").fetchall()
    assert first == con.execute(f"select * from ({sql}) order by team, metric").fetchall()
