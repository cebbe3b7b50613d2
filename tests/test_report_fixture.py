"""A small warehouse with hand-chosen mart rows, shared by the report tests.

Week under test: 2026-W47 (Mon 16 Nov to Sun 22 Nov 2026), against 2026-W46. One cost day per
week keeps the arithmetic checkable by hand (see the expected numbers in each test).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
from alert_rows import load_alerts
from ga_readiness_rows import ga_readiness_frame

from fleetscope.warehouse import LoadBatch, Warehouse, utc_now

W46_DAY = date(2026, 11, 10)
W47_DAY = date(2026, 11, 17)
XSS_TEAM = "<script>alert(1)</script>"
DOTS_TEAM = "../../etc"
NOW = datetime(2026, 11, 22, 22, 0)
USAGE_COLUMNS = ("cpu_requested_core_hours", "cpu_used_core_hours", "ram_requested_gib_hours",
                 "ram_used_gib_hours")


def _team_cost(day: date, team: str, cluster: str, total: float, cpu: float = 0.0,
               ram: float = 0.0, storage: float = 0.0, idle_share: float = 0.0,
               shared: float = 0.0,
               usage: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
               reconciled: float | None = None) -> dict:
    """`usage`: CPU requested and used core-hours, RAM requested and used GiB-hours;
    `reconciled`: the cost after the bill (default: no bill, the list-price total)."""
    return {"cost_date": day, "team": team, "cluster": cluster, "cpu_cost": cpu,
            "ram_cost": ram, "gpu_cost": 0.0, "storage_cost": storage, "total_cost": total,
            "reconciled_cost": total if reconciled is None else reconciled,
            "idle_share_cost": idle_share, "shared_cost": shared, "cpu_core_hours": 0.0,
            "ram_gib_hours": 0.0,
            **dict(zip(USAGE_COLUMNS, usage, strict=True))}


def team_cost_rows(*, bill: bool = False) -> pd.DataFrame:
    """Without `bill`, no bill is loaded: reconciled_cost = total_cost on every row."""
    frame = pd.DataFrame([
        _team_cost(W46_DAY, "payments", "prod-eu", 3000, cpu=2000, ram=1000),
        _team_cost(W46_DAY, "payments", "helios", 1000, cpu=600, ram=400),
        _team_cost(W46_DAY, "search", "prod-eu", 5000, cpu=4000, ram=1000),
        _team_cost(W46_DAY, XSS_TEAM, "prod-eu", 100, cpu=100),
        _team_cost(W46_DAY, "__unallocated__", "prod-eu", 200, cpu=200),
        _team_cost(W46_DAY, "__idle__", "prod-eu", 500, cpu=500),
        # Efficiency in W47: payments CPU 40/100 = 40%, RAM 300/400 = 75%, total weighted by
        # the Kubernetes CPU and RAM cost only (the Helios row measured nothing):
        # (0.4 x 4000 + 0.75 x 1500) / 5500 = 49.545...%; search 75% and 50%:
        # (0.75 x 4000 + 0.5 x 1100) / 5100 = 69.607...%.
        # W47's idle 700 is shared: payments 350, search 280, XSS 15, dots 5, unallocated 50.
        # With `bill`, a bill covers W47 only (BILL_RECONCILIATION below): every node-day of
        # prod-eu matched but one (1000 of search's 5100 ran there), billed at 0.8 x list;
        # payments' 500 of storage is on volumes billed at 2 x list. Reconciled: payments
        # 5500 x 0.8 + 500 x 2 = 5400, search 4100 x 0.8 + 1000 = 4280, XSS 120, dots 40,
        # unallocated 160, idle 560: 10560 = billed 8560 + unmatched 1000 + volumes 1000.
        # Helios keeps its 500.
        # A shared namespace's 180 (an unlabelled kube-system, under __unallocated__) is spread
        # by [sharing]: payments +120, search +60, __unallocated__ -180 (shared_cost nets to 0).
        _team_cost(W47_DAY, "payments", "prod-eu", 6000, cpu=4000, ram=1500, storage=500,
                   usage=(100, 40, 400, 300), idle_share=350, shared=120,
                   reconciled=5400),
        _team_cost(W47_DAY, "payments", "helios", 500, cpu=300, ram=200),
        _team_cost(W47_DAY, "search", "prod-eu", 5100, cpu=4000, ram=1100,
                   usage=(200, 150, 100, 50), idle_share=280, shared=60,
                   reconciled=4280),
        _team_cost(W47_DAY, XSS_TEAM, "prod-eu", 150, cpu=150, idle_share=15,
                   reconciled=120),
        _team_cost(W47_DAY, DOTS_TEAM, "prod-eu", 50, cpu=50, idle_share=5, reconciled=40),
        _team_cost(W47_DAY, "__unallocated__", "prod-eu", 200, cpu=200, idle_share=50,
                   shared=-180, reconciled=160),
        _team_cost(W47_DAY, "__idle__", "prod-eu", 700, cpu=700, reconciled=560),
    ])
    if not bill:
        frame["reconciled_cost"] = frame["total_cost"]
    # The idle shares take the bill's factor on W47's prod-eu idle, 560 / 700 = 0.8: payments
    # 350 -> 280, search 280 -> 224, XSS 12, dots 4, unallocated 40 (together 560).
    billed_idle = bill & (frame["cost_date"] == W47_DAY) & (frame["cluster"] == "prod-eu")
    frame["reconciled_idle_share_cost"] = frame["idle_share_cost"].where(
        ~billed_idle, frame["idle_share_cost"] * 560 / 700)
    return frame


def namespace_cost_rows() -> pd.DataFrame:
    """Kubernetes team rows split by namespace; per team, cluster and day they add up to
    team_cost_rows() (payments W47 prod-eu: 5200 + 800 = 6000, usage 80 + 20 = 100 and so on).
    payments W47: pay CPU 30/80 = 37.5%, RAM 250/300 = 83.3%; pay-batch 10/20 and 50/100 = 50%."""
    rows = []
    for day, team, namespace, total, usage in (
        (W46_DAY, "payments", "pay", 3000, (0, 0, 0, 0)),
        (W47_DAY, "payments", "pay", 5200, (80, 30, 300, 250)),
        (W47_DAY, "payments", "pay-batch", 800, (20, 10, 100, 50)),
        (W46_DAY, "search", "search", 5000, (0, 0, 0, 0)),
        (W47_DAY, "search", "search", 5100, (200, 150, 100, 50)),
    ):
        rows.append({"cost_date": day, "team": team, "cluster": "prod-eu",
                     "namespace": namespace, "total_cost": float(total),
                     **dict(zip(USAGE_COLUMNS, map(float, usage), strict=True))})
    return pd.DataFrame(rows)


# The W47 bill of prod-eu (one cost day): 10 node-days modelled at 11700 (12200 less 500 of
# storage), 9 matched (10700 of list price) billed 8560 = 0.8 x 10700, adjustment -2140;
# 4 volumes, all matched, modelled 500, billed 1000, adjustment +500.
BILL_RECONCILIATION = {
    "cost_date": W47_DAY, "cluster": "prod-eu", "modelled_node_cost": 11700.0,
    "billed_node_cost": 8560.0, "modelled_matched_node_cost": 10700.0, "count_nodes": 10,
    "count_nodes_matched": 9, "modelled_volume_cost": 500.0, "billed_volume_cost": 1000.0,
    "modelled_matched_volume_cost": 500.0, "count_volumes": 4, "count_volumes_matched": 4}
XSS_SERVICE = "<img src=x onerror=alert(2)>"


def cloud_cost_rows() -> pd.DataFrame:
    """W47's bill lines no node or volume took. Outside Kubernetes by service (effective):
    RDS 240, S3 50 + 70 = 120, the XSS service 10 (370 in all); never allocated: tax 120,
    credit -200 (the credit tagged for payments still goes to __billing__, as the mart does)."""
    rows = []
    for team, service, category, billed, effective in (
        ("payments", "Amazon RDS", "Usage", 300.0, 240.0),
        ("search", "Amazon S3", "Usage", 50.0, 50.0),
        ("__unallocated__", "Amazon S3", "Usage", 70.0, 70.0),
        (XSS_TEAM, XSS_SERVICE, "Usage", 10.0, 10.0),
        ("__billing__", "Tax", "Tax", 120.0, 120.0),
        ("__billing__", "AWS Promotional Credit", "Credit", -200.0, -200.0),
    ):
        rows.append({"cost_date": W47_DAY, "team": team, "provider": "AWS",
                     "service_name": service, "charge_category": category,
                     "billed_cost": billed, "effective_cost": effective})
    return pd.DataFrame(rows)


# -- delivery (DORA four keys) and migration impact -----------------------------------------
W46_START, W47_START = date(2026, 11, 9), date(2026, 11, 16)


def delivery_weekly_rows() -> pd.DataFrame:
    """mart_delivery_weekly. W47: payments 2 + 1 = 3 deploys (1 with unknown lead time: the
    Helios batch; 1 failed), search 4; the organisation 7, 1 unknown, 1 failed. W46: 1 + 4 = 5
    (the deploy counts of mart_deploys_weekly above)."""
    rows = []
    for start, app, team, deploys, unknown, failed in (
        (W47_START, "payments-api", "payments", 2, 0, 1),
        (W47_START, "payments-batch", "payments", 1, 1, 0),
        (W47_START, "search-api", "search", 4, 0, 0),
        (W46_START, "payments-api", "payments", 1, 0, 0),
        (W46_START, "search-api", "search", 4, 0, 0),
    ):
        rows.append({"week_start_date": start, "iso_week": f"2026-W{start.isocalendar()[1]}",
                     "app_id": app, "team": team, "count_deploys": deploys,
                     "count_deploys_unknown_lead_time": unknown, "count_commits": 2 * deploys,
                     "lead_time_median_hours": 2.0, "lead_time_p90_hours": 3.0,
                     "count_failed_deploys": failed, "change_failure_rate": failed / deploys,
                     "recovery_median_hours": 4.5 if failed else None})
    return pd.DataFrame(rows)


def delivery_bucket_rows() -> pd.DataFrame:
    """mart_delivery_buckets (trailing windows, 2 weeks of data). W47: the organisation 12
    deploys, weekly (high), lead 2 h (elite), 1 failed of 12 = 8.3% (elite), restore 4.5 h
    (elite); payments 4 deploys, lead 30 h (high), 1 of 4 = 25% (high); search lead 1.5 h, no
    failure (no restore time, no bucket). W46: the organisation's lead time was 3 h."""
    rows = []
    for start, team, deploys, lead, lead_b, cfr, cfr_b, rec, rec_b in (
        (W47_START, "__all__", 12, 2.0, "elite", 1 / 12, "elite", 4.5, "elite"),
        (W47_START, "payments", 4, 30.0, "high", 0.25, "high", 4.5, "elite"),
        (W47_START, "search", 8, 1.5, "elite", 0.0, "elite", None, None),
        (W47_START, XSS_TEAM, 1, None, None, 0.0, "elite", None, None),
        (W46_START, "__all__", 5, 3.0, "elite", 0.0, "elite", None, None),
        (W46_START, "payments", 1, 1.0, "elite", 0.0, "elite", None, None),
        (W46_START, "search", 4, 1.5, "elite", 0.0, "elite", None, None),
    ):
        rows.append({"week_start_date": start, "iso_week": f"2026-W{start.isocalendar()[1]}",
                     "team": team, "window_start_date": W46_START,
                     "count_weeks": 2 if start == W47_START else 1, "count_deploys": deploys,
                     "deployment_frequency": "weekly", "deployment_frequency_bucket": "high",
                     "lead_time_median_hours": lead, "lead_time_bucket": lead_b,
                     "change_failure_rate": cfr, "change_failure_bucket": cfr_b,
                     "recovery_median_hours": rec, "recovery_bucket": rec_b})
    return pd.DataFrame(rows)


# Migrated apps: (app, team, cost before, after, deploys a week before, after, lead h before,
# after). Changes: cost -42, -70, -20 | -14, -56, -30; deploys +1, -0.5, +0.5 | -1, +1, 0;
# lead -45, -30, -12 | -24, -40, +2.
IMPACT_APPS = (
    ("pay-a", "payments", 70.0, 28.0, 1.0, 2.0, 50.0, 5.0),
    ("pay-b", "payments", 100.0, 30.0, 2.0, 1.5, 40.0, 10.0),
    ("pay-c", "payments", 50.0, 30.0, 1.0, 1.5, 20.0, 8.0),
    ("search-a", "search", 40.0, 26.0, 3.0, 2.0, 30.0, 6.0),
    ("search-b", "search", 120.0, 64.0, 1.0, 2.0, 60.0, 20.0),
    ("search-c", "search", 80.0, 50.0, 2.0, 2.0, 10.0, 12.0),
)
# mart_migration_impact_summary by hand (team, metric, n, median before, after, change, the
# interval as chosen: the mart's bootstrap is tested in tests/test_migration_impact.py).
# All 6 apps: cost before 40 50 [70 80] 100 120 -> 75, after 26 28 [30 30] 50 64 -> 30, change
# -70 -56 [-42 -30] -20 -14 -> -36, interval -56 to -20 (below 0: lower); deploys before
# 1 1 [1 2] 2 3 -> 1.5, after 1.5 1.5 [2 2] 2 2 -> 2, change -1 -0.5 [0 0.5] 1 1 -> 0.25,
# interval -0.5 to +1 (spans 0: no clear change); lead before 10 20 [30 40] 50 60 -> 35, after
# 5 6 [8 10] 12 20 -> 9, change -45 -40 [-30 -24] -12 2 -> -27, interval -40 to -12.
# payments (3 apps, too few): cost 70 / 30 / -42 (-70 to -20); deploys 1 / 1.5 / +0.5
# (-0.5 to +1); lead 40 / 8 / -30 (-45 to -12). search (3): cost 40 [80] 120 -> 80, 26 [50] 64
# -> 50, -56 [-30] -14 -> -30 (-56 to -14); deploys 2 / 2 / 0 (-1 to +1); lead 10 [30] 60 -> 30,
# 6 [12] 20 -> 12, -40 [-24] 2 -> -24 (-40 to +2).
IMPACT_SUMMARY = (
    ("__all__", "cost_per_week", 6, 75.0, 30.0, -36.0, -56.0, -20.0),
    ("__all__", "deploys_per_week", 6, 1.5, 2.0, 0.25, -0.5, 1.0),
    ("__all__", "lead_time_median_hours", 6, 35.0, 9.0, -27.0, -40.0, -12.0),
    ("payments", "cost_per_week", 3, 70.0, 30.0, -42.0, -70.0, -20.0),
    ("payments", "deploys_per_week", 3, 1.0, 1.5, 0.5, -0.5, 1.0),
    ("payments", "lead_time_median_hours", 3, 40.0, 8.0, -30.0, -45.0, -12.0),
    ("payments", "change_failure_rate", 3, 0.5, 0.25, -0.25, -0.5, 0.0),
    ("search", "cost_per_week", 3, 80.0, 50.0, -30.0, -56.0, -14.0),
    ("search", "deploys_per_week", 3, 2.0, 2.0, 0.0, -1.0, 1.0),
    ("search", "lead_time_median_hours", 3, 30.0, 12.0, -24.0, -40.0, 2.0),
)


def impact_rows() -> pd.DataFrame:
    rows = []
    for app, team, c0, c1, d0, d1, l0, l1 in IMPACT_APPS:
        rows.append({"app_id": app, "team": team, "migration_start_date": date(2026, 9, 7),
                     "cutover_date": date(2026, 9, 21), "weeks_before": 8, "weeks_after": 8,
                     "deploys_per_week_before": d0, "deploys_per_week_after": d1,
                     "deploys_per_week_change": d1 - d0, "lead_time_median_hours_before": l0,
                     "lead_time_median_hours_after": l1, "lead_time_median_hours_change": l1 - l0,
                     "change_failure_rate_before": 0.0, "change_failure_rate_after": 0.0,
                     "change_failure_rate_change": 0.0, "cost_per_week_before": c0,
                     "cost_per_week_after": c1, "cost_per_week_change": c1 - c0})
    return pd.DataFrame(rows)


def impact_summary_rows() -> pd.DataFrame:
    names = ("team", "metric", "count_apps", "median_before", "median_after", "median_change",
             "change_interval_low", "change_interval_high")
    return pd.DataFrame([dict(zip(names, row, strict=True)) for row in IMPACT_SUMMARY])


def load_delivery(wh: Warehouse) -> None:
    """The four delivery marts (mart_delivery_weekly, _buckets, mart_migration_impact, _summary)."""
    wh.replace_reference_table("mart_delivery_weekly", delivery_weekly_rows())
    wh.replace_reference_table("mart_delivery_buckets", delivery_bucket_rows())
    wh.replace_reference_table("mart_migration_impact", impact_rows())
    wh.replace_reference_table("mart_migration_impact_summary", impact_summary_rows())


def build_warehouse(path: Path, *, bill: bool = False) -> Path:
    """Create the fixture warehouse at `path` (through the warehouse API) and return it; with
    `bill`, W47's bill is loaded: reconciled team cost and the two bill marts."""
    wh = Warehouse(path)
    try:
        wh.replace_reference_table("mart_team_cost_daily", team_cost_rows(bill=bill))
        wh.replace_reference_table("mart_namespace_cost_daily", namespace_cost_rows())
        # The GA checks of tests/test_ga_readiness.py (W47: 16 of 33 failing).
        wh.replace_reference_table("mart_ga_readiness", ga_readiness_frame())
        if bill:
            wh.replace_reference_table("mart_billing_reconciliation_daily",
                                       pd.DataFrame([BILL_RECONCILIATION]))
            wh.replace_reference_table("mart_cloud_cost_daily", cloud_cost_rows())
        wh.replace_reference_table("mart_app_cost_daily", pd.DataFrame([
            {"cost_date": W46_DAY, "app_id": "payments-api", "team": "payments",
             "cluster": "prod-eu", "platform": "kubernetes", "total_cost": 3000.0},
            {"cost_date": W46_DAY, "app_id": "payments-batch", "team": "payments",
             "cluster": "helios", "platform": "helios", "total_cost": 1000.0},
            {"cost_date": W47_DAY, "app_id": "payments-api", "team": "payments",
             "cluster": "prod-eu", "platform": "kubernetes", "total_cost": 6000.0},
            {"cost_date": W47_DAY, "app_id": "payments-batch", "team": "payments",
             "cluster": "helios", "platform": "helios", "total_cost": 500.0},
        ]))
        util = []
        for cluster, day, cap, req, used, ram_cap, ram_req, ram_used, idle in (
            ("prod-eu", W47_DAY, 1000, 600, 300, 4000, 2000, 1500, 700.0),
            ("prod-us", date(2026, 11, 18), 200, 50, 20, 800, 400, 100, 0.0),
            ("prod-eu", W46_DAY, 1000, 900, 800, 4000, 4000, 4000, 500.0),
        ):
            util.append({"usage_date": day, "cluster": cluster, "cpu_capacity_core_hours": cap,
                         "cpu_requested_core_hours": req, "cpu_used_core_hours": used,
                         "ram_capacity_gib_hours": ram_cap, "ram_requested_gib_hours": ram_req,
                         "ram_used_gib_hours": ram_used, "idle_cost": idle})
        wh.replace_reference_table("mart_cluster_utilization_daily", pd.DataFrame(util))
        migration = []
        for day, team, scope, migrated in ((date(2026, 11, 15), "__all__", 10, 2),
                                           (date(2026, 11, 22), "__all__", 10, 4),
                                           (date(2026, 11, 15), "payments", 4, 1),
                                           (date(2026, 11, 22), "payments", 4, 2)):
            migration.append({"status_date": day, "team": team, "count_apps_in_scope": scope,
                              "count_apps_legacy": scope - migrated - 1,
                              "count_apps_migrating": 1, "count_apps_migrated": migrated,
                              "count_apps_native": 0,
                              "migrated_pct": 100.0 * migrated / scope,
                              "migrated_capacity_pct": 100.0 * migrated / scope})
        wh.replace_reference_table("mart_migration_daily", pd.DataFrame(migration))
        wh.replace_reference_table("mart_migration_forecast", pd.DataFrame([
            {"as_of_date": date(2026, 11, 15), "team": "__all__", "forecast_status": "on_track",
             "forecast_completion_date": date(2027, 3, 1)},
            {"as_of_date": date(2026, 11, 22), "team": "__all__", "forecast_status": "on_track",
             "forecast_completion_date": date(2027, 1, 31)},
            {"as_of_date": date(2026, 11, 22), "team": "payments",
             "forecast_status": "no_progress", "forecast_completion_date": None},
        ]))
        wh.replace_reference_table("mart_app_migration_status", pd.DataFrame([
            {"status_date": date(2026, 11, 15), "app_id": "payments-old", "team": "payments",
             "status": "legacy"},
            {"status_date": date(2026, 11, 22), "app_id": "payments-batch", "team": "payments",
             "status": "legacy"},
            {"status_date": date(2026, 11, 22), "app_id": "payments-cron", "team": "payments",
             "status": "migrating"},
            {"status_date": date(2026, 11, 22), "app_id": "payments-api", "team": "payments",
             "status": "migrated"},
        ]))
        wh.replace_reference_table("mart_deploys_weekly", pd.DataFrame([
            {"week_start_date": date(2026, 11, 16), "app_id": "payments-api", "team": "payments",
             "platform": "kubernetes", "count_deploys": 2, "count_rollbacks": 1},
            {"week_start_date": date(2026, 11, 16), "app_id": "payments-batch",
             "team": "payments", "platform": "helios", "count_deploys": 1, "count_rollbacks": 0},
            {"week_start_date": date(2026, 11, 9), "app_id": "payments-api", "team": "payments",
             "platform": "kubernetes", "count_deploys": 1, "count_rollbacks": 0},
            {"week_start_date": date(2026, 11, 9), "app_id": "search-api", "team": "search",
             "platform": "kubernetes", "count_deploys": 4, "count_rollbacks": 0},
        ]))
        wh.replace_reference_table("mart_deploy_frequency", pd.DataFrame([
            {"week_start_date": date(2026, 11, 16), "team": team, "app_id": "__all__",
             "deployment_frequency": bucket}
            for team, bucket in (("payments", "weekly"), ("search", "monthly"),
                                 ("__all__", "weekly"))]))
        load_delivery(wh)
        load_alerts(wh)
        wh.replace_reference_table("mart_rightsizing", pd.DataFrame([
            {"team": "payments", "cluster": "prod-eu", "namespace": "pay",
             "workload": "payments-api", "cpu_request_cores": 2.0,
             "recommended_cpu_request_cores": 0.5, "memory_request_bytes": 4 * 2**30,
             "recommended_memory_request_bytes": 2**30, "monthly_savings": 120.5},
            {"team": "payments", "cluster": "prod-eu", "namespace": "pay",
             "workload": "payments-worker", "cpu_request_cores": 1.0,
             "recommended_cpu_request_cores": 0.25, "memory_request_bytes": 2**30,
             "recommended_memory_request_bytes": 2**29, "monthly_savings": 30.25},
        ]))
        for kind, name, collected in (("kubernetes", "prod-eu", datetime(2026, 11, 22, 12)),
                                      ("helios", "helios", datetime(2026, 11, 22, 10)),
                                      ("prometheus", "prod-eu", datetime(2026, 11, 20, 0))):
            wh.load(LoadBatch(kind, name, collected, tables={}))
        wh.record_failure("kubernetes", "prod-eu", "503 Service Unavailable",
                          started_at=utc_now())
    finally:
        wh.close()
    return path


def test_fixture_builds(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "wh.duckdb")
    assert path.exists()
