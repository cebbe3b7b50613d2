"""Hand-chosen rows of the GA source marts, and `mart_ga_readiness` built over them.

Two days: W46's Sunday 2026-11-15 (everything passes on prod-eu) and W47's Sunday 2026-11-22,
worked in tests/test_ga_readiness.py. Clusters: prod-eu (Velero, two smoke tests, two node
pools), lab (no Velero, no smoke test) and old (Velero status unknown).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

from fleetscope.config import Config
from fleetscope.pipelines.ga import ga_tables
from fleetscope.pipelines.runner import discover_models, run_models
from fleetscope.warehouse import Warehouse

W46 = date(2026, 11, 15)
W47 = date(2026, 11, 22)
XSS_CLUSTER = "<img src=x onerror=alert(1)>"


def schedule_row(day: date, cluster: str, name: str, status: str = "installed", *,
              age: float | None = None, failed: int = 0, partial: int = 0) -> dict:
    return {"day": day, "cluster": cluster, "schedule_name": name, "velero_status": status,
            "paused": False, "failed_backups": failed, "partially_failed_backups": partial,
            "last_completed_age_hours": age}


def smoke_row(day: date, test: str, successes: int, failures: int, hours: float) -> dict:
    return {"day": day, "cluster": "prod-eu", "namespace": "smoke", "smoke_test": test,
            "successes": successes, "failures": failures, "hours_since_last_success": hours}


def pool_row(day: date, pool: str, cpu: tuple[float, float], mem: tuple[float, float],
          days: int | None) -> dict:
    """`cpu`, `mem`: (requested, allocatable)."""
    return {"usage_date": day, "cluster": "prod-eu", "node_pool": pool,
            "cpu_requested_cores": cpu[0], "cpu_allocatable_cores": cpu[1],
            "memory_requested_gib": mem[0], "memory_allocatable_gib": mem[1],
            "days_to_threshold": days}


def source_frames() -> dict[str, pd.DataFrame]:
    """The seven source marts (only the columns mart_ga_readiness reads)."""
    backups = [
        schedule_row(W47, "prod-eu", "daily", age=30.0, failed=1),
        schedule_row(W47, "prod-eu", "hourly", age=2.0),
        schedule_row(W47, "lab", "__no_velero__", "not_installed"),
        schedule_row(W47, "old", "__no_velero__", "unknown"),
        schedule_row(W47, XSS_CLUSTER, "hourly", age=1.0),
        schedule_row(W46, "prod-eu", "daily", age=20.0),
        schedule_row(W46, "prod-eu", "hourly", age=1.0),
    ]
    coverage = [{"day": W47, "cluster": c, "namespace": n}
                for c, n in (("prod-eu", "team-b"), ("prod-eu", "team-a"), ("lab", "default"),
                             ("lab", "kube-system"), ("lab", "web"))]
    smoke = [smoke_row(W47, "api", 9, 1, 3.0), smoke_row(W47, "dns", 10, 0, 8.0),
             smoke_row(W47, "x", 1, 0, 1.0) | {"cluster": XSS_CLUSTER},
             smoke_row(W46, "api", 10, 0, 1.0), smoke_row(W46, "dns", 10, 0, 2.0)]
    capacity = [pool_row(W47, "a", (30, 40), (60, 100), 20),
                pool_row(W47, "b", (10, 40), (20, 100), None),
                pool_row(W46, "a", (20, 40), (50, 100), None)]
    scheduling = [{"usage_date": d, "cluster": "prod-eu", "schedule_seconds_p95": p95,
                   "count_pods_unschedulable": unsched, "count_pods_scheduled": 40,
                   "pending_pod_hours": 5.25}
                  for d, p95, unsched in ((W47, 75.0, 12), (W46, 20.0, 0))]
    signals = [{"usage_date": d, "cluster": "prod-eu", "component": "apiserver",
                "signal": "error_ratio", "value": v, "unit": "ratio", "warn_above": 0.001,
                "fail_above": 0.01, "status": s, "count_hours": 24, "count_hours_failing": f}
               for d, v, s, f in ((W47, 0.02, "fail", 3), (W46, 0.0005, "pass", 0))]
    # prod-eu passed a zone outage on 2026-10-01 (52 days before W47's Sunday), lab failed a
    # backup restore on 2026-05-01 (205 days); old and the hostile cluster never exercised.
    dirt = [{"cluster": c, "exercise_date": d, "scenario": sc, "outcome": o,
             "open_follow_ups_count": f, "cluster_exercise_number": 1}
            for c, d, sc, o, f in (("prod-eu", date(2026, 10, 1), "zone-outage", "pass", 0),
                                   ("lab", date(2026, 5, 1), "backup-restore", "fail", 2))]
    return {"mart_backups_daily": pd.DataFrame(backups),
            "mart_dirt_exercises": pd.DataFrame(dirt),
            "mart_backup_coverage_daily": pd.DataFrame(coverage),
            "mart_smoke_tests_daily": pd.DataFrame(smoke),
            "mart_cluster_capacity_daily": pd.DataFrame(capacity),
            "mart_scheduling_daily": pd.DataFrame(scheduling),
            "mart_integration_signals_daily": pd.DataFrame(signals)}


def build_ga_readiness(wh: Warehouse, config: Config | None = None,
                       replace: dict[str, pd.DataFrame] | None = None) -> None:
    """Write the source marts (`replace`: some of them swapped) and the thresholds, then build
    mart_ga_readiness alone."""
    frames = {**source_frames(), **(replace or {}), **ga_tables(config or Config())}
    for name, frame in frames.items():
        if "days_to_threshold" in frame:
            frame = frame.astype({"days_to_threshold": "Int64"})
        if "last_completed_age_hours" in frame:
            frame = frame.astype({"last_completed_age_hours": "float64"})
        wh.replace_reference_table(name, frame)
    model = [m for m in discover_models() if m.name == "mart_ga_readiness"]
    run_models(wh, models=model, full_refresh=True)


def ga_warehouse(path: Path) -> Path:
    """A warehouse holding only the GA marts."""
    wh = Warehouse(path)
    try:
        build_ga_readiness(wh)
    finally:
        wh.close()
    return path


def ga_readiness_frame() -> pd.DataFrame:
    """mart_ga_readiness as built over these rows, for a fixture warehouse to hold as is."""
    with tempfile.TemporaryDirectory() as tmp:
        wh = Warehouse(Path(tmp) / "ga.duckdb")
        try:
            build_ga_readiness(wh)
            return wh.con.execute("select * from mart_ga_readiness").df()
        finally:
            wh.close()
