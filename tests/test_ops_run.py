"""`fleetscope run` over offline sources: SIGKILLed at several points and run concurrently, the
warehouse is never corrupted or half-loaded, and the marts end up equal to an uninterrupted run's.

One small organisation (the demo's generator: 3 days of one cluster, Helios and the catalog) is
written once per module; every run is a real `fleetscope` process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from fleetscope.warehouse import Warehouse

pytestmark = pytest.mark.slow

FLEETSCOPE = str(Path(sys.executable).with_name("fleetscope"))

CONFIG = """
[[kubernetes.files]]
path = "sources/kubernetes/prod-eu/2026-11-1[678].json"
cluster = "prod-eu"

[prometheus]
files = ["sources/prometheus/prod-eu/2026-11-1[678].json"]

[[helios.files]]
path = "sources/helios/2026-11-1[678].json"

[catalog]
path = "sources/catalog"
collected_at = "2026-11-16T00:00:00Z"

[reports]
out_dir = "site"
"""


@dataclass
class Run:
    code: int | None
    stderr: str
    killed: bool


def start(folder: Path, warehouse: Path, *extra: str) -> subprocess.Popen:
    report = ["--no-report"] if "--out" not in extra else []
    return subprocess.Popen([FLEETSCOPE, "--config", str(folder / "fleetscope.toml"),
                             "--warehouse", str(warehouse), "run", *report, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=folder)


def run(folder: Path, warehouse: Path, *, kill_on: str | None = None, delay: float = 0.0,
        extra: tuple[str, ...] = ()) -> Run:
    """Run to the end, or SIGKILL it `delay` seconds after a stderr line containing `kill_on`."""
    proc = start(folder, warehouse, *extra)
    assert proc.stderr is not None
    lines = []
    killed = False
    for line in proc.stderr:
        lines.append(line)
        if kill_on is not None and kill_on in line:
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
    proc.wait(timeout=300)
    lines.append(proc.stderr.read())
    return Run(proc.returncode, "".join(lines), killed)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from fleetscope.demo.generate import generate

    folder = tmp_path_factory.mktemp("org")
    generate(folder, seed=7, days=7, end=date(2026, 11, 23))
    (folder / "fleetscope.toml").write_text(CONFIG)
    return folder


def marts(path: Path) -> dict[str, pd.DataFrame]:
    with Warehouse(path) as wh:
        names = wh.query_df("select table_name from information_schema.tables "
                            "where table_name like 'mart_%' order by 1")["table_name"]
        return {name: wh.query_df(f"select * from {name} order by all") for name in names}


def assert_same_marts(actual: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    assert sorted(actual) == sorted(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(actual[name], frame, check_exact=False, rtol=1e-9,
                                      obj=name)


def assert_consistent(path: Path) -> None:
    """Opens (replaying the WAL as the next run would); every loaded batch is whole."""
    with Warehouse(path) as wh:
        raw = wh.query_df("select table_name from information_schema.tables "
                          "where table_name like 'raw_%'")["table_name"].tolist()
        counts = wh.query_df(" union all ".join(
            f"select load_id, count(*) as n from {t} group by load_id" for t in raw))
        per_load = counts.groupby("load_id")["n"].sum()
        loads = wh.query_df("select load_id, row_count from loads where status = 'succeeded'"
                            ).set_index("load_id")["row_count"]
        # No row without its load, and no load with part of its rows.
        assert set(per_load.index) <= set(loads.index)
        assert (per_load == loads[per_load.index]).all()
        checks = wh.query_df("select run_id, count(*) as n from validation_results "
                             "group by run_id")
        assert checks["n"].nunique() <= 1  # every stored validation run is complete
        for name in wh.query_df("select table_name from information_schema.tables "
                                "where table_name like 'mart_%'")["table_name"]:
            wh.query_df(f"select count(*) from {name}")


@pytest.fixture(scope="module")
def reference_warehouse(org: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reference")
    warehouse = folder / "wh.duckdb"
    # The one run in this module that publishes: reports, index and the quality page.
    result = run(org, warehouse, extra=("--out", str(folder / "site")))
    assert result.code == 0, result.stderr[-3000:]
    assert "run: report: done" in result.stderr
    assert {"index.html", "quality.html"} <= {p.name for p in (folder / "site").iterdir()}
    return warehouse


@pytest.fixture(scope="module")
def reference(reference_warehouse: Path) -> dict[str, pd.DataFrame]:
    return marts(reference_warehouse)


def test_sigkill_at_several_points_then_rerun_equals_uninterrupted(
        org: Path, reference: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    kill_points = [
        ("collect kubernetes prod-eu 2026-11-17.json ...", 0.2),  # inside a load
        ("built intermediate/", 0.0),                              # inside the transform
        ("run: validate ...", 1.5),                                # inside validation
    ]
    for kill_on, delay in kill_points:
        result = run(org, warehouse, kill_on=kill_on, delay=delay)
        assert result.killed and result.code == -signal.SIGKILL, (kill_on, result.stderr[-2000:])
        assert_consistent(warehouse)
    final = run(org, warehouse)
    assert final.code == 0, final.stderr[-3000:]
    assert_consistent(warehouse)
    assert_same_marts(marts(warehouse), reference)


def test_concurrent_runs_wait_or_fail_clearly(org: Path, reference: dict[str, pd.DataFrame],
                                              tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    first = start(org, warehouse)
    assert first.stderr is not None
    for line in first.stderr:
        if "run: lock held" in line:
            break
    # A second run with a short timeout gives up with exit code 7, naming the holder.
    impatient = run(org, warehouse, extra=("--lock-timeout", "0.5"))
    assert impatient.code == 7
    assert f"Error: another fleetscope run holds the lock {warehouse}.lock (pid {first.pid}" \
        in impatient.stderr
    # A patient one waits for the first to finish, then runs (an idempotent rerun).
    patient = run(org, warehouse, extra=("--lock-timeout", "300"))
    first_rest = first.stderr.read()
    assert first.wait(timeout=300) == 0, first_rest[-3000:]
    assert patient.code == 0, patient.stderr[-3000:]
    assert f"waiting up to 300s for the lock {warehouse}.lock held by pid {first.pid}" \
        in patient.stderr
    assert_consistent(warehouse)
    assert_same_marts(marts(warehouse), reference)


def test_a_broken_source_is_recorded_and_the_rest_published(
        org: Path, reference_warehouse: Path, tmp_path: Path) -> None:
    import shutil

    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(reference_warehouse, warehouse)
    (tmp_path / "broken-helios-2026-11-18.json").write_text('{"jobs": {}, "hosts": [1, 2')
    # The catalog again (an idempotent reload) and a Helios dump cut short.
    (tmp_path / "fleetscope.toml").write_text(
        f'[catalog]\npath = "{org}/sources/catalog"\ncollected_at = "2026-11-16T00:00:00Z"\n'
        '[[helios.files]]\npath = "broken-helios-*.json"\n')
    result = run(tmp_path, warehouse)
    assert result.code == 9, result.stderr[-3000:]  # PartialRun
    assert ("Error: 1 of 2 source(s) failed: helios broken-helios-2026-11-18.json; the rest was "
            "transformed, validated") in result.stderr
    with Warehouse(warehouse) as wh:
        failed = wh.query_df("select source_kind, source_name, error from loads "
                             "where status = 'failed'")
    assert failed[["source_kind", "source_name"]].values.tolist() == [["helios", "helios"]]
    assert "broken-helios-2026-11-18.json: line 1 column" in failed["error"][0]


def test_every_source_failing_exits_4_and_transforms_nothing(tmp_path: Path) -> None:
    (tmp_path / "snap-2026-11-20.json").write_text('{"kind": "List", "items": [{"kind": 3}]}')
    (tmp_path / "fleetscope.toml").write_text(
        '[[kubernetes.files]]\npath = "snap-*.json"\ncluster = "prod"\n')
    warehouse = tmp_path / "wh.duckdb"
    result = run(tmp_path, warehouse)
    assert result.code == 4
    assert "Error: every source failed (kubernetes prod snap-2026-11-20.json)" in result.stderr
    with Warehouse(warehouse) as wh:
        assert wh.query_df("select status, count(*) as n from loads group by 1"
                           ).values.tolist() == [["failed", 1]]
        assert wh.query_df("select count(*) as n from information_schema.tables "
                           "where table_name like 'mart_%'")["n"][0] == 0


def test_nothing_configured_exits_2(tmp_path: Path) -> None:
    (tmp_path / "fleetscope.toml").write_text("[reports]\nworkers = 1\n")
    result = run(tmp_path, tmp_path / "wh.duckdb")
    assert result.code == 2
    assert "Error: nothing to collect: configure kubernetes.contexts" in result.stderr
    assert not (tmp_path / "wh.duckdb").exists()


def test_failed_gate_keeps_the_published_reports(org: Path, reference_warehouse: Path,
                                                 tmp_path: Path) -> None:
    import shutil

    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(reference_warehouse, warehouse)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("last week's reports")
    # Only the catalog (a quick, idempotent reload) and a gate no real data passes.
    (tmp_path / "fleetscope.toml").write_text(
        f'[catalog]\npath = "{org}/sources/catalog"\ncollected_at = "2026-11-16T00:00:00Z"\n'
        "[validate]\nmax_unallocated_share_pct = -1.0\n")
    proc = subprocess.run([FLEETSCOPE, "--config", str(tmp_path / "fleetscope.toml"),
                           "--warehouse", str(warehouse), "run", "--out", str(site)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 6, proc.stderr[-3000:]
    assert (f"Error: a critical data-quality check failed (1 in all); reports were not published "
            f"(the previous ones stay). See {site / 'quality.html'}") in proc.stderr
    assert "run: CRITICAL mart_team_cost_daily.unallocated_share: 1 of 1 row(s) fail" \
        in proc.stderr
    assert (site / "index.html").read_text() == "last week's reports"
    page = (site / "quality.html").read_text()
    assert "Status: failed" in page and "mart_team_cost_daily.unallocated_share" in page
    with Warehouse(warehouse) as wh:
        status = wh.query_df("select status, count_failed_critical from validation_status")
    assert status["status"].tolist() == ["failed"]
