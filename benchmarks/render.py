"""Benchmark: reports for 200 teams, fleetscope (`render_all`) against a papermill baseline.

    .venv/bin/python benchmarks/render.py [--teams 200] [--baseline-teams 8] [--workers 2]

fleetscope renders the leadership report, every team's page and CSV, and the index, executing
the notebooks with papermill's parameterization on reused kernels (`reports.execute`). The
baseline is the plain loop people write first: `papermill.execute_notebook` for each team (a new
kernel per notebook), then the same in-process HTML export. The baseline runs on a subset of the
teams and is extrapolated per team (it scales linearly: each notebook pays the same kernel
start). Targets (issue 6): at most 0.3 s per team, at least 6x faster than the baseline.
The synthetic warehouse (12 weeks of marts for N teams) is cached under benchmarks/.cache/.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fleetscope.config import Config  # noqa: E402
from fleetscope.reports.weeks import IsoWeek  # noqa: E402

WEEK = IsoWeek(2026, 47)
CLUSTERS = ["prod-eu", "prod-us", "staging"]
APPS_PER_TEAM = 6


def build_warehouse(path: Path, teams: int, seed: int = 7) -> None:
    """12 weeks of every mart the reports read, for `teams` teams (through Warehouse)."""
    from fleetscope.warehouse import LoadBatch, Warehouse

    rng = np.random.default_rng(seed)
    days = [WEEK.end - timedelta(days=i) for i in range(83, -1, -1)]
    names = [f"team-{i:03d}" for i in range(teams)]
    rows = []
    for t, team in enumerate(names):
        base = rng.uniform(50, 2000)
        for cluster in [*CLUSTERS[: 1 + t % 3], "helios"]:
            for d, day in enumerate(days):
                total = base * (1 + 0.002 * d) * rng.uniform(0.9, 1.1)
                if cluster == "helios":
                    total *= max(0.0, 1 - d / 100)
                rows.append((day, team, cluster, total * 0.7, total * 0.25, 0.0, total * 0.05,
                             total, total * 0.1, total / 0.0316, total / 0.0042))
    for cluster in CLUSTERS:
        for day in days:
            total = rng.uniform(500, 900)
            rows.append((day, "__idle__", cluster, total * .7, total * .3, 0.0, 0.0, total, 0.0,
                         0.0, 0.0))
    team_cost = pd.DataFrame(rows, columns=[
        "cost_date", "team", "cluster", "cpu_cost", "ram_cost", "gpu_cost", "storage_cost",
        "total_cost", "idle_share_cost", "cpu_core_hours", "ram_gib_hours"])
    app_rows, status_rows, sizing_rows = [], [], []
    for team in names:
        for a in range(APPS_PER_TEAM):
            app = f"{team}-app{a}"
            moved_on = days[0] + timedelta(days=int(rng.integers(0, 120)))
            for day in days:
                on_k8s = day >= moved_on - timedelta(days=7)
                on_helios = day < moved_on
                if on_k8s:
                    app_rows.append((day, app, team, CLUSTERS[a % 3], "kubernetes",
                                     rng.uniform(5, 200)))
                if on_helios:
                    app_rows.append((day, app, team, "helios", "helios", rng.uniform(5, 200)))
                status = ("migrating" if on_k8s and on_helios else
                          "migrated" if on_k8s else "legacy")
                status_rows.append((day, app, team, status))
            sizing_rows.append((team, CLUSTERS[a % 3], f"ns-{team}", app, 2.0, 0.5, 4 * 2**30,
                                2**30, rng.uniform(0, 300)))
    app_cost = pd.DataFrame(app_rows, columns=["cost_date", "app_id", "team", "cluster",
                                               "platform", "total_cost"])
    status = pd.DataFrame(status_rows, columns=["status_date", "app_id", "team", "status"])
    counts = (status.assign(n=1).pivot_table(index=["status_date", "team"], columns="status",
                                             values="n", aggfunc="sum", fill_value=0)
              .reset_index())
    for col in ("legacy", "migrating", "migrated"):
        if col not in counts:
            counts[col] = 0
    everyone = counts.groupby("status_date")[["legacy", "migrating", "migrated"]].sum()
    everyone = everyone.reset_index().assign(team="__all__")
    migration = pd.concat([counts, everyone], ignore_index=True)
    scope = migration["legacy"] + migration["migrating"] + migration["migrated"]
    migration = pd.DataFrame({
        "status_date": migration["status_date"], "team": migration["team"],
        "count_apps_in_scope": scope, "count_apps_legacy": migration["legacy"],
        "count_apps_migrating": migration["migrating"],
        "count_apps_migrated": migration["migrated"], "count_apps_native": 0,
        "migrated_pct": 100.0 * migration["migrated"] / scope.where(scope > 0, 1),
        "migrated_capacity_pct": 100.0 * migration["migrated"] / scope.where(scope > 0, 1)})
    forecast = pd.DataFrame({"as_of_date": WEEK.end, "team": [*names, "__all__"],
                             "forecast_status": "on_track",
                             "forecast_completion_date": WEEK.end + timedelta(days=60)})
    util = pd.DataFrame([(day, c, 1000.0, 600.0, 300.0, 4000.0, 2000.0, 1500.0, 700.0)
                         for c in CLUSTERS for day in days], columns=[
        "usage_date", "cluster", "cpu_capacity_core_hours", "cpu_requested_core_hours",
        "cpu_used_core_hours", "ram_capacity_gib_hours", "ram_requested_gib_hours",
        "ram_used_gib_hours", "idle_cost"])
    sizing = pd.DataFrame(sizing_rows, columns=[
        "team", "cluster", "namespace", "workload", "cpu_request_cores",
        "recommended_cpu_request_cores", "memory_request_bytes",
        "recommended_memory_request_bytes", "monthly_savings"])
    wh = Warehouse(path)
    try:
        for name, frame in (("mart_team_cost_daily", team_cost), ("mart_app_cost_daily", app_cost),
                            ("mart_app_migration_status", status),
                            ("mart_migration_daily", migration),
                            ("mart_migration_forecast", forecast),
                            ("mart_cluster_utilization_daily", util),
                            ("mart_rightsizing", sizing)):
            wh.replace_reference_table(name, frame)
        for cluster in CLUSTERS:
            wh.load(LoadBatch("kubernetes", cluster, pd.Timestamp(WEEK.end).to_pydatetime(),
                              tables={}))
    finally:
        wh.close()


def baseline(warehouse: Path, teams: list[str], out: Path) -> float:
    """Seconds for the plain loop: papermill.execute_notebook per team, new kernel each."""
    import papermill

    from fleetscope.notebooks import TEAM_NOTEBOOK
    from fleetscope.reports.export import export_html, make_exporter

    config = Config()
    exporter = make_exporter()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for team in teams:
        nb = papermill.execute_notebook(
            str(TEAM_NOTEBOOK), str(out / f"{team}.ipynb"), progress_bar=False,
            parameters={"warehouse": str(warehouse), "team": team, "week": WEEK.label,
                        "currency": config.pricing.currency,
                        "csv_path": str(out / f"{team}.csv"), "csv_href": f"{team}.csv"})
        (out / f"{team}.html").write_text(export_html(
            exporter, nb, title=team, plotly_js_href="../plotly.min.js",
            index_href="../index.html", generated=""), encoding="utf-8")
    return time.perf_counter() - started


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the kernels, once shut down)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--baseline-teams", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from fleetscope.reports import render_all

    cache = REPO / "benchmarks" / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    warehouse = cache / f"render-{args.teams}-teams.duckdb"
    if not warehouse.exists():
        started = time.perf_counter()
        build_warehouse(warehouse, args.teams)
        print(f"built {warehouse.name} in {time.perf_counter() - started:.1f}s")
    teams = [f"team-{i:03d}" for i in range(args.teams)]
    work = Path(tempfile.mkdtemp(prefix="fleetscope-bench-"))
    try:
        # Warm the OS page cache and Python imports once, for both sides alike.
        render_all(warehouse, work / "warm", week=WEEK, teams=teams[:2], workers=1)
        cpu_before = _cpu_seconds()
        result = render_all(warehouse, work / "site", week=WEEK, config=Config(),
                            workers=args.workers)
        ours, ours_cpu = result.seconds, _cpu_seconds() - cpu_before
        assert len(result.team_pages) == args.teams
        subset = teams[: args.baseline_teams]
        cpu_before = _cpu_seconds()
        base = baseline(warehouse, subset, work / "baseline")
        base_cpu = _cpu_seconds() - cpu_before
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ours_per_team = ours / args.teams
    base_per_team = base / len(subset)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f} (shared machine: other work slows both sides)")
    print(f"fleetscope render_all, {args.workers} reused kernels: {args.teams} team reports "
          f"+ leadership + index in {ours:.1f}s = {ours_per_team:.3f} s per team "
          f"(target <= 0.3)")
    print(f"baseline papermill.execute_notebook, new kernel each: {len(subset)} team reports "
          f"in {base:.1f}s = {base_per_team:.3f} s per team (measured on {len(subset)} of "
          f"{args.teams} teams, extrapolated: {base_per_team * args.teams:.0f}s for all)")
    print(f"speed-up: {base_per_team / ours_per_team:.1f}x (target >= 6x)")
    # CPU seconds (this process + its kernels) do not depend on what else the machine runs.
    ours_cpu_team, base_cpu_team = ours_cpu / args.teams, base_cpu / len(subset)
    print(f"CPU per team: fleetscope {ours_cpu_team:.3f} s, baseline {base_cpu_team:.3f} s "
          f"({base_cpu_team / ours_cpu_team:.1f}x)")


if __name__ == "__main__":
    main()
