"""Collectors writing to the lake through the one loader: atomic loads, reloads, parallel clusters.

Real processes: the SIGKILL and race tests run the loader in subprocesses on one lake folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from fleetscope.ops.ingest import Loader, Source
from fleetscope.warehouse import LoadBatch, Window
from fleetscope.warehouse.lake import Lake

T0 = datetime(2026, 11, 2, 8, 0)

# Loads `count` snapshots of `cluster` (3 nodes each, one hour apart) into raw_k8s_nodes of the
# lake; with PAUSE set, the last load stops just before its `meta/loads` commit (its table
# files are written and their version committed, gated by the load) so the test can kill it.
WRITER = """
import os, sys, time
from datetime import datetime, timedelta
import pandas as pd
from fleetscope.ops.ingest import Loader, Source
from fleetscope.warehouse import LoadBatch
from fleetscope.warehouse.lake import Lake

lake, cluster, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = datetime(2026, 11, 2, 8, 0)
publish, calls = Lake.commit_loads, []
def pausing(self, loads):
    calls.append(loads)
    if os.environ.get("PAUSE") and len(calls) == count:
        print("paused", flush=True)
        time.sleep(120)
    return publish(self, loads)
Lake.commit_loads = pausing
def batches(state, progress):
    for n in range(count):
        frame = pd.DataFrame({"node_name": [f"{cluster}-{n}-{k}" for k in range(3)],
                              "is_spot": False})
        yield LoadBatch("kubernetes", cluster, t0 + timedelta(hours=n), {"raw_k8s_nodes": frame})
with Loader(None, progress=lambda _: None, lake=lake) as loader:
    outcome = loader.load(Source("kubernetes", cluster, cluster, batches))
print("done", outcome.rows, outcome.error, flush=True)
"""


def _writer(lake: Path, cluster: str, count: int, *, pause: bool = False) -> subprocess.Popen:
    env = {**os.environ, "PAUSE": "1" if pause else ""}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(lake), cluster, str(count)],
                            stdout=subprocess.PIPE, text=True, env=env)


def _nodes(lake: Path) -> list[tuple[str, str]]:
    files = Lake(str(lake)).files("raw", "raw_k8s_nodes")
    if not files:
        return []
    return duckdb.connect().execute(
        "select cluster, node_name from read_parquet(?) order by all", [files]).fetchall()


def test_a_load_killed_before_its_commit_leaves_nothing_visible(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    proc = _writer(lake, "prod", 3, pause=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "paused"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # loads 0 and 1 committed (one file each, 3 nodes each); load 2's file is written and named
    # by the table's latest version, but its load never committed: 2 files, 6 rows
    log = Lake(str(lake)).latest("raw", "raw_k8s_nodes")
    assert log is not None and len(log.entries) == 3
    assert len(Lake(str(lake)).files("raw", "raw_k8s_nodes")) == 2
    assert len(_nodes(lake)) == 6
    assert len(Lake(str(lake)).files("meta", "loads")) == 2
    # the next run succeeds and reloads all three snapshots: each replaces its own, 3 x 3 rows
    rerun = _writer(lake, "prod", 3)
    out, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0 and out.strip().endswith("done 9 None")
    assert len(Lake(str(lake)).files("raw", "raw_k8s_nodes")) == 3
    assert [n for _, n in _nodes(lake)] == sorted(f"prod-{n}-{k}" for n in range(3)
                                                  for k in range(3))


def test_two_clusters_commit_the_same_table_at_once_and_both_land(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    procs = [_writer(lake, cluster, 15) for cluster in ("east", "west")]
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0 and out.strip() == "done 45 None"  # 15 loads x 3 nodes
    rows = _nodes(lake)
    assert len(rows) == 90  # 2 clusters x 15 loads x 3 nodes: no load lost
    assert {c for c, _ in rows} == {"east", "west"}
    assert len(Lake(str(lake)).files("meta", "loads")) == 30


def _load(lake: Path, batches: list[LoadBatch]) -> None:
    with Loader(lake, progress=lambda _: None, lake=str(lake)) as loader:
        outcome = loader.load(Source("k", "a", "a", lambda state, progress: batches))
        assert outcome.error is None, outcome.error


def test_a_snapshot_reload_replaces_exactly_its_own_files(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    def nodes(*names: str) -> pd.DataFrame:
        return pd.DataFrame({"node_name": list(names), "is_spot": False})

    s1, s2 = T0, T0 + timedelta(hours=1)  # two snapshots of one cluster on one day
    _load(lake, [LoadBatch("kubernetes", "a", s1, {"raw_k8s_nodes": nodes("n1", "n2", "n3")}),
                 LoadBatch("kubernetes", "a", s2, {"raw_k8s_nodes": nodes("n1", "n2")}),
                 LoadBatch("kubernetes", "b", s1, {"raw_k8s_nodes": nodes("m1")})])
    before = set(Lake(str(lake)).files("raw", "raw_k8s_nodes"))
    _load(lake, [LoadBatch("kubernetes", "a", s1,
                           {"raw_k8s_nodes": nodes("n1", "n2", "n3", "n4")})])
    after = set(Lake(str(lake)).files("raw", "raw_k8s_nodes"))
    # exactly one file went (a's first snapshot) and one came: s1 4 rows + s2 2 rows + b 1 row
    assert len(before - after) == 1 and len(after - before) == 1 and len(after) == 3
    rows = duckdb.connect().execute(
        "select cluster, collected_at, count(*) from read_parquet(?) group by all order by all",
        [sorted(after)]).fetchall()
    assert rows == [("a", s1, 4), ("a", s2, 2), ("b", s1, 1)]


def test_a_window_reload_keeps_the_rest_of_its_days(tmp_path: Path) -> None:
    lake = tmp_path / "lake"

    def hours(start: datetime, n: int) -> LoadBatch:
        frame = pd.DataFrame({"node_name": ["n"] * n, "present_hours": 1.0,
                              "hour_start": [start + timedelta(hours=h) for h in range(n)]})
        return LoadBatch("prometheus", "a", start + timedelta(hours=n),
                         {"raw_prom_node_hours": frame},
                         window=Window(start, start + timedelta(hours=n)))

    day = datetime(2026, 11, 2)
    _load(lake, [hours(day, 12)])                      # 00:00-12:00: 12 rows
    _load(lake, [hours(day + timedelta(hours=6), 24)])  # 06:00-06:00 next day: 24 rows
    files = Lake(str(lake)).files("raw", "raw_prom_node_hours")
    per_day = duckdb.connect().execute(
        "select cast(hour_start as date), count(*) from read_parquet(?) group by 1 order by 1",
        [files]).fetchall()
    # day 1: 00-06 kept from the first load (6) + 06-24 from the second (18) = 24; day 2: 6
    assert [n for _, n in per_day] == [24, 6]
