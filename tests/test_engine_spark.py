"""The models on real Apache Spark (pyspark, local[2], loopback only) over the Parquet lake.

One 7-day demo (seed 7, ending 2026-12-01) is built once for the module, exported to a lake
with LAKE's `export`, and transformed by Spark; DuckDB's marts of the same demo are the
reference. One Spark session serves the whole module (it takes ~10 s to start).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fleetscope.config import Config, SparkConfig, parse_config
from fleetscope.demo.run import DEMO_BUDGETS, run_demo
from fleetscope.pipelines.runner import RunResult, discover_models, select_upstream
from fleetscope.pipelines.transform import transform_on_spark
from fleetscope.warehouse.lake import Lake
from fleetscope.warehouse.lake_duckdb import export
from tests.lake_compare import differences, lake_frame

pytest.importorskip("pyspark")
pytestmark = pytest.mark.slow

LOOPBACK = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
}
# A 7-day demo is a few MB: Spark's per-query overheads are the cost, so trim them. One shuffle
# partition (200 tasks per shuffle by default), no adaptive re-planning of tiny stages, and no
# distributed file listing job for a table of more than 32 files. (A C1-only JIT,
# -XX:TieredStopAtLevel=1, filled its 48 MB code cache after 3 minutes and ran interpreted.)
FAST = {
    **LOOPBACK,
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.sources.parallelPartitionDiscovery.threshold": "100000",
}
MARTS = [m.name for m in discover_models() if m.layer == "marts"]
INCREMENTAL_MARTS = [
    m.name for m in discover_models() if m.layer == "marts" and m.materialized == "incremental"
]


@dataclass
class Demo:
    warehouse: Path
    lake: Path
    config: Config


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    from fleetscope.pipelines.engine_spark import spark_session

    session = spark_session(SparkConfig(master="local[2]", conf=FAST))
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("spark")
    run_demo(root / "demo", seed=7, days=7, end=date(2026, 12, 1), reports=False)
    warehouse = root / "demo" / "warehouse.duckdb"
    lake = root / "lake"
    _export(warehouse, lake)
    config = parse_config(
        {
            "warehouse": {"lake": str(lake)},
            "engine": {"kind": "spark", "spark": {"master": "local[2]", "conf": FAST}},
            # the budgets the demo set for its own transform (it sets them when none are given)
            "budgets": [{"team": b.team, "monthly": b.monthly} for b in DEMO_BUDGETS],
        }
    )
    return Demo(warehouse, lake, config)


def _export(warehouse: Path, lake: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        export(con, str(lake))
    finally:
        con.close()


def _duckdb_mart(warehouse: Path, name: str) -> Any:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select * from {name}").df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def full(demo: Demo, spark: Any) -> RunResult:
    """The module's one full Spark transform of the demo's lake, shared by every test."""
    result = transform_on_spark(demo.config, spark=spark)
    # where the time goes (shown with `pytest -s`): the slowest models of the run
    slowest = sorted(result.seconds.items(), key=lambda item: -item[1])[:8]
    print("spark full transform, slowest models:", ", ".join(f"{n} {s:.1f}s" for n, s in slowest))
    return result


def test_every_mart_spark_computes_equals_duckdbs(demo: Demo, full: RunResult) -> None:
    result = full
    assert not [m for m in result.skipped if m in MARTS]  # Spark builds every mart
    assert result.full_refresh and len(result.days) == 7  # 2026-11-24 .. 2026-11-30
    lake = Lake(str(demo.lake))
    compared = {}
    for name in MARTS:
        expected = _duckdb_mart(demo.warehouse, name)
        compared[name] = len(expected)
        assert differences(expected, lake_frame(lake, name)) == [], name
    # the money marts have rows (a comparison of two empty tables proves nothing)
    assert compared["mart_team_cost_daily"] > 0 and compared["mart_namespace_cost_daily"] > 0
    assert len(compared) == len(MARTS)


def _hold_back_last_day(warehouse: Path, copy: Path, *, later: bool) -> None:
    """A copy of the demo without its last day's loads (`later`: with them, arriving later)."""
    shutil.copyfile(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        held = (
            "select load_id from loads where source_kind <> 'billing' and "
            "coalesce(window_start, collected_at) >= timestamp '2026-11-30'"
        )
        if later:  # collected after the first run finished
            con.execute(
                f"update loads set finished_at = finished_at + interval 1 day "
                f"where load_id in ({held})"
            )
            return
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.columns where column_name = 'load_id' "
                "and table_name like 'raw\\_%' escape '\\'"
            ).fetchall()
        ]
        for table in tables:
            con.execute(f"delete from {table} where load_id in ({held})")
        con.execute(f"delete from loads where load_id in ({held})")
    finally:
        con.close()


def test_an_incremental_spark_run_after_one_more_day_equals_a_full_rebuild(
    demo: Demo, spark: Any, full: RunResult, tmp_path: Path
) -> None:
    # The incremental marts and what they read: every incremental model (none feeds only table
    # marts), 31 of the 54 materialized. The 23 table models left out are rebuilt whole on every
    # run, so an incremental run of them is a full rebuild from inputs compared here.
    chosen = select_upstream(discover_models(), INCREMENTAL_MARTS)
    assert {m.name for m in discover_models() if m.materialized == "incremental"} <= {
        m.name for m in chosen
    }
    lake = tmp_path / "lake"
    config = replace(demo.config, warehouse=replace(demo.config.warehouse, lake=str(lake)))
    _hold_back_last_day(demo.warehouse, tmp_path / "six.duckdb", later=False)
    _export(tmp_path / "six.duckdb", lake)
    first = transform_on_spark(config, spark=spark, select=INCREMENTAL_MARTS)
    assert first.full_refresh and first.days[-1] == date(2026, 11, 29)
    _hold_back_last_day(demo.warehouse, tmp_path / "seven.duckdb", later=True)
    _export(tmp_path / "seven.duckdb", lake)
    second = transform_on_spark(config, spark=spark, select=INCREMENTAL_MARTS)
    # the new day, and the day before it (its pods are looked up in the new day's snapshot)
    assert not second.full_refresh and second.days == [date(2026, 11, 29), date(2026, 11, 30)]
    # the demo's lake holds the full Spark rebuild of the same seven days (fixture `full`):
    # every model written, intermediates too, equals it
    rebuilt = Lake(str(demo.lake))
    assert full.full_refresh
    written = [m.name for m in chosen if m.materialized != "view"]
    assert len(written) == 31
    for name in written:
        assert differences(lake_frame(rebuilt, name), lake_frame(Lake(str(lake)), name)) == [], name


def _wait_for_commit(
    lake: Lake, model: str, after: int, process: subprocess.Popen[bytes], timeout: float = 300.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        version = lake.latest("models", model)
        if version is not None and version.number > after:
            return
        time.sleep(0.2)
    raise AssertionError(f"the spark run did not commit {model} (exit {process.poll()})")


def test_a_killed_spark_run_leaves_the_previous_marts_readable(
    demo: Demo, spark: Any, full: RunResult, tmp_path: Path
) -> None:
    lake = Lake(str(demo.lake))
    assert full.built  # the previous marts: the module's full transform
    before = {name: lake_frame(lake, name) for name in MARTS}
    config = tmp_path / "fleetscope.toml"
    config.write_text(
        f'[warehouse]\nlake = "{demo.lake}"\n[engine]\nkind = "spark"\n'
        '[engine.spark]\nmaster = "local[2]"\nconf = {'
        + ", ".join(f'"{k}" = "{v}"' for k, v in FAST.items())
        + "}\n"
        + "".join(f'[[budgets]]\nteam = "{b.team}"\nmonthly = {b.monthly}\n' for b in DEMO_BUDGETS)
    )
    first_table = next(m.name for m in discover_models() if m.materialized != "view")
    version = lake.latest("models", first_table)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fleetscope",
            "-q",
            "--config",
            str(config),
            "transform",
            "--full-refresh",
        ],
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_commit(lake, first_table, version.number if version else -1, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the JVM too: it is in the same group
        process.wait()
    # every mart reads whole: its latest committed files, equal to what they were
    for name, frame in before.items():
        assert differences(frame, lake_frame(lake, name)) == [], name
    # the next run succeeds: the killed one never wrote the state, so nothing new to compute
    after = transform_on_spark(demo.config, spark=spark)
    assert after.days == [] and not after.full_refresh
    assert (
        differences(before["mart_team_cost_daily"], lake_frame(lake, "mart_team_cost_daily")) == []
    )


def test_the_spark_engine_without_a_lake_is_a_config_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fleetscope.cli import cli

    config = tmp_path / "fleetscope.toml"
    config.write_text('[engine]\nkind = "duckdb"\n')
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "transform",
            "--engine",
            "spark",
        ],
    )
    assert result.exit_code == 2, result.output  # ConfigError
    assert (
        "Error: engine spark reads and writes the Parquet lake: set [warehouse] lake"
        in result.output
    )
    assert not (tmp_path / "w.duckdb").exists()  # nothing opened, nothing written


def test_a_spark_failure_names_the_jvms_root_cause() -> None:
    from fleetscope.pipelines.engine_spark import spark_error

    # the shape of a Py4JJavaError's text: the call, the Java exception, its chain of causes
    py4j = (
        "An error occurred while calling o2599.parquet.\n"
        ": org.apache.spark.SparkException: Job aborted due to stage failure: Task 0 failed\n"
        "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(X.scala:1)\n"
        "Caused by: org.apache.spark.SparkException: Exception thrown in awaitResult\n"
        "\tat org.apache.spark.util.SparkThreadUtils$.awaitResult(X.scala:2)\n"
        "Caused by: java.lang.OutOfMemoryError: Java heap space\n"
        "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3)\n"
    )
    assert spark_error(RuntimeError(py4j)) == (
        "An error occurred while calling o2599.parquet. "
        "(java.lang.OutOfMemoryError: Java heap space)"
    )
    no_cause = "An error occurred while calling o1.sql.\n: java.lang.IllegalStateException: stopped"
    assert spark_error(RuntimeError(no_cause)) == (
        "An error occurred while calling o1.sql. (java.lang.IllegalStateException: stopped)"
    )
    analysis = "[UNRESOLVED_COLUMN] A column `x` cannot be resolved. SQLSTATE: 42703"
    assert spark_error(RuntimeError(analysis)) == analysis
    assert spark_error(RuntimeError("")) == "RuntimeError('')"
    stopped = (
        "An error occurred while calling o2599.parquet.\n"
        ": org.apache.spark.SparkException: Job 7 cancelled because SparkContext was shut down\n"
    )
    assert spark_error(RuntimeError(stopped)).endswith(
        'raise [engine.spark] conf "spark.driver.memory" (local mode) or the executors\' memory'
    )
