"""`transform --engine spark`: the same SQL models on Apache Spark, over the Parquet lake.

The run follows the DuckDB runner step by step (pipelines/runner.py `plan_run` and `step_for`):
the days recomputed come from the lake's `meta/loads` and this engine's own state
(`meta/transform_state`), read into a scratch DuckDB file so pipelines/run_days.py plans them
unchanged; the `ref_*` tables are built there too (so their types are DuckDB's) and published to
`ref/<table>/`. Each model's SQL is translated by pipelines/spark_sql.py, then

* a view is a Spark temp view;
* a table or a full rebuild writes the model's files and commits them replacing every file;
* an incremental step writes the recomputed days' partitions (`<date_column>=<day>/`) and
  commits them removing exactly those days' old files (dynamic partition overwrite).

Spark writes into a staging folder (`models/<model>/_spark/<run_id>/`); the Parquet files are
moved to their lake paths and published by ONE lake commit per model. A run killed mid-way
leaves each model at its last committed version, and the state is written last, so the next run
recomputes the same days. pyspark is imported only here (and inside functions), so the CLI
starts without it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fleetscope.config import Config, SparkConfig
from fleetscope.errors import TransformError
from fleetscope.pipelines.reference import load_reference_tables
from fleetscope.pipelines.runner import (
    STATE_FINGERPRINT,
    Model,
    Plan,
    RunResult,
    Step,
    fingerprint,
    plan_run,
    record_run_state,
    step_for,
)
from fleetscope.pipelines.spark_sql import spark_sql
from fleetscope.warehouse import Warehouse
from fleetscope.warehouse.lake import Lake

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

STATE_TABLE = "transform_state"  # meta/transform_state: this engine's run state
# DuckDB's semantics where Spark's defaults differ; timestamps in the lake are naive UTC
FIXED_CONF = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "false"}
# the run reports per model through `progress`; Spark's stage bars would only garble it
DEFAULT_CONF = {
    "spark.ui.showConsoleProgress": "false",
    # int_git_commits_shipped_with walks a side branch one commit per level (Spark's default
    # stops at 100 levels: a 100-commit branch)
    "spark.sql.cteRecursionLevelLimit": "10000",
    # local mode runs driver and executors in one JVM, whose heap spark-submit caps at 1g: the
    # 90-day demo ran out of it (docs/scale.md "Memory")
    "spark.driver.memory": "4g",
}


def spark_session(settings: SparkConfig) -> SparkSession:
    """A session from `[engine.spark]`: Spark Connect when `remote` is set, else `master`."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("fleetscope transform")
    builder = (
        builder.remote(settings.remote) if settings.remote else builder.master(settings.master)
    )
    for key, value in {**DEFAULT_CONF, **settings.conf, **FIXED_CONF}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def transform_lake(
    lake: Lake,
    config: Config,
    models: list[Model],
    *,
    spark: SparkSession | None = None,
    full_refresh: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Build `models` (in dependency order) on Spark from the lake's raw tables into the lake."""
    session = spark or spark_session(config.engine.spark)
    say = progress or (lambda _message: None)
    with (
        tempfile.TemporaryDirectory(prefix="fleetscope-spark-") as scratch,
        Warehouse(Path(scratch) / "plan.duckdb") as wh,
    ):
        _read_meta(lake, wh)
        load_reference_tables(wh, config)
        current = fingerprint(wh, models)
        plan = plan_run(wh, full_refresh or wh.get_state(STATE_FINGERPRINT) != current)
        run = _Run(session, lake, f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}")
        run.register_sources(wh, Path(scratch))
        result = RunResult(full_refresh=plan.full, days=plan.days)
        say(
            f"spark: full rebuild of {len(plan.all_days)} day(s)"
            if plan.full
            else f"spark: {len(plan.days)} day(s) changed since the last run"
        )
        for model in models:
            started = time.perf_counter()
            if not run.build(model, plan):
                result.skipped.append(model.name)
                continue
            result.built.append(model.name)
            result.seconds[model.name] = time.perf_counter() - started
            say(
                f"built {model.layer}/{model.name} ({model.materialized}) on spark in "
                f"{result.seconds[model.name]:.2f}s"
            )
        _write_state(lake, wh, plan, current, run.run_id)
    return result


def _read_meta(lake: Lake, wh: Warehouse) -> None:
    """The lake's committed loads and this engine's state, into the planning warehouse."""
    for table, target in (("loads", "loads"), (STATE_TABLE, "state")):
        files = lake.files("meta", table)
        if files:
            wh.con.execute(
                f"insert into {target} by name select * from read_parquet(?, "
                "union_by_name = true, hive_partitioning = false)",
                [files],
            )


def _write_state(lake: Lake, wh: Warehouse, plan: Plan, current: str, run_id: str) -> None:
    record_run_state(wh, plan, current)
    path = lake.new_file_path("meta", STATE_TABLE, {}, run_id)
    wh.con.execute(f"copy state to '{_quoted(path)}' (format parquet)")
    lake.commit("meta", STATE_TABLE, add=[path], remove_all=True)


def _quoted(path: str) -> str:
    return path.replace("'", "''")


def spark_error(exc: BaseException) -> str:
    """One line for a Spark failure: pyspark's first line and the JVM's root cause. (A Py4J
    error's first line, "An error occurred while calling o2599.parquet.", names no cause; the
    cause is the last "Caused by:" of the Java stack trace that follows it.)"""
    text = str(exc)  # a Py4J error renders its whole Java trace each time
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return repr(exc)
    causes = [line.removeprefix("Caused by: ") for line in lines if line.startswith("Caused by:")]
    thrown = [line.removeprefix(": ") for line in lines[1:] if line.startswith(": ")]
    cause = causes[-1] if causes else (thrown[0] if thrown else "")
    said = f"{lines[0]} ({cause})" if cause and cause not in lines[0] else lines[0]
    if "SparkContext was shut down" in text or "stopped SparkContext" in text:
        # another thread's error stopped the context: in local mode, mostly the heap (the
        # 90-day demo's OutOfMemoryError came from Spark's cleaner thread)
        said += (
            "; the Spark context stopped: see Spark's log above for an OutOfMemoryError, and "
            'raise [engine.spark] conf "spark.driver.memory" (local mode) or the executors\' memory'
        )
    return said


class _Run:
    """One Spark run: its session, lake and id, and the schema of every relation built."""

    def __init__(self, spark: SparkSession, lake: Lake, run_id: str) -> None:
        self.spark, self.lake, self.run_id = spark, lake, run_id

    def register_sources(self, wh: Warehouse, scratch: Path) -> None:
        """Temp views of every raw table (lake files), `ref_*` (published now) and `loads`."""
        tables = [
            r[0]
            for r in wh.con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' and "
                "(table_name like 'raw\\_%' escape '\\' or table_name like 'ref\\_%' escape '\\' "
                "or table_name = 'loads') order by table_name"
            ).fetchall()
        ]
        for table in tables:
            if table.startswith("ref_"):
                path = self.lake.new_file_path("ref", table, {}, self.run_id)
                wh.con.execute(f"copy {table} to '{_quoted(path)}' (format parquet)")
                self.lake.commit("ref", table, add=[path], remove_all=True)
            files = (
                self.lake.files("meta", table)
                if table == "loads"
                else self.lake.files("ref" if table.startswith("ref_") else "raw", table)
            )
            empty = scratch / f"{table}.parquet"  # DuckDB's columns, as Spark types
            wh.con.execute(f"copy (select * from {table} limit 0) to '{empty}' (format parquet)")
            schema = self.spark.read.parquet(str(empty)).schema
            frame = (
                self.spark.read.option("mergeSchema", "true").parquet(*files)
                if files
                else self.spark.createDataFrame([], schema)
            )
            present = set(frame.columns)
            frame.select(*[c for c in schema.fieldNames() if c in present]).createOrReplaceTempView(
                table
            )

    def build(self, model: Model, plan: Plan) -> bool:
        """Build one model as `step_for` says; False when there was nothing to do."""
        exists = self.lake.latest("models", model.name) is not None
        step = step_for(model, plan, exists=exists or model.materialized == "view")
        try:
            if step is None:
                self._register(model, self._query(model, plan.changed).schema)
                return False
            if step.action == "view":
                self._query(model, {}).createOrReplaceTempView(model.name)
                return True
            self._write(model, step)
        except Exception as exc:  # pyspark's errors have no common base outside the JVM's
            raise TransformError(
                f"model {model.path.name} failed on spark: {spark_error(exc)}"
            ) from None
        return True

    def _query(self, model: Model, values: dict[str, Any]) -> DataFrame:
        return self.spark.sql(spark_sql(model.sql, values))

    def _write(self, model: Model, step: Step) -> None:
        self._dates(step.days)
        frame = self._query(model, step.values)
        column = model.date_column
        staging = self.lake.url(f"models/{model.name}/_spark/{self.run_id}")
        writer = (frame.repartition(column) if column else frame).write.mode("overwrite")
        (writer.partitionBy(column) if column else writer).parquet(staging)
        added = self._move(model, staging)
        if step.action == "table":
            self.lake.commit("models", model.name, add=added, remove_all=True)
        else:
            assert column is not None
            self.lake.commit(
                "models",
                model.name,
                add=added,
                remove_partitions=[{column: d.isoformat()} for d in step.days],
            )
        self._register(model, frame.schema)

    def _dates(self, days: list[date]) -> None:
        self.spark.createDataFrame([(d,) for d in days], "day date").createOrReplaceTempView(
            "_fleetscope_dates"
        )

    def _move(self, model: Model, staging: str) -> list[str]:
        """Spark's part files, moved to unique lake paths (`<date_column>=<day>/` kept)."""
        if not self.lake.local:
            raise TransformError(
                "the spark engine writes models to a local lake path only "
                "(object stores: see docs/scale.md)"
            )
        added = []
        for n, part in enumerate(sorted(Path(staging).rglob("*.parquet"))):
            folder = part.parent.relative_to(staging).as_posix()
            partition = dict(p.split("=", 1) for p in folder.split("/")) if folder != "." else {}
            target = self.lake.new_file_path("models", model.name, partition, f"{self.run_id}-{n}")
            os.replace(part, target)
            added.append(target)
        shutil.rmtree(staging, ignore_errors=True)
        return added

    def _register(self, model: Model, schema: Any) -> None:
        """The model's temp view: its committed lake files, read with the schema it has."""
        files = self.lake.files("models", model.name)
        if not files:
            frame = self.spark.createDataFrame([], schema)
        else:
            base = self.lake.url(f"models/{model.name}")
            frame = self.spark.read.schema(schema).option("basePath", base).parquet(*files)
        frame.select(*schema.fieldNames()).createOrReplaceTempView(model.name)
