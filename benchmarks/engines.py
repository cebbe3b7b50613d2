"""The same models on DuckDB and on Spark: the 90-day demo transformed by both, side by side.

For each size in `--days` (default 7 and 90) it builds the demo (seed 7, ending 2026-12-01, no
reports), exports its warehouse to a Parquet lake, then times a full transform on DuckDB (the
warehouse file, `--full-refresh`) and a full transform on Spark `local[2]` (the lake, loopback
only); one Spark session serves every size and its start is timed apart. It prints each
engine's seconds and raw input rows per size, Spark's time over DuckDB's, and each engine's
marginal cost per raw row between the smallest and the largest size (the extra seconds over the
extra rows: what a fixed cost per model does not explain). On a 2-core machine Spark is slower;
this says by how much, nothing more.

    SPARK_LOCAL_IP=127.0.0.1 .venv/bin/python benchmarks/engines.py [--days 7 90] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from fleetscope.config import SparkConfig, parse_config
from fleetscope.demo.run import run_demo
from fleetscope.pipelines.transform import transform_on_spark, transform_warehouse
from fleetscope.warehouse import Warehouse
from fleetscope.warehouse.lake_duckdb import export

LOOPBACK = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
}


@dataclass
class Measured:
    days: int
    raw_rows: int
    models: int
    duckdb_s: float
    spark_s: float


def _raw_rows(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_name like 'raw\\_%' "
                "escape '\\' and table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        return sum(
            int(con.execute(f"select count(*) from {t}").fetchone()[0])  # type: ignore[index]
            for t in tables
        )
    finally:
        con.close()


def _demo(root: Path, days: int) -> tuple[Path, Path]:
    """The demo's warehouse and its lake under `root` (reused when `--keep` kept them)."""
    warehouse, lake = root / "demo" / "warehouse.duckdb", root / "lake"
    if not warehouse.exists():
        started = time.perf_counter()
        run_demo(root / "demo", seed=7, days=days, end=date(2026, 12, 1), reports=False)
        print(f"{days} days: demo built in {time.perf_counter() - started:.1f}s", flush=True)
        con = duckdb.connect(str(warehouse), read_only=True)
        started = time.perf_counter()
        export(con, str(lake))
        con.close()
        print(f"{days} days: exported to the lake in {time.perf_counter() - started:.1f}s")
    return warehouse, lake


def _measure(root: Path, days: int, spark: Any) -> Measured:
    warehouse, lake = _demo(root, days)
    rows = _raw_rows(warehouse)
    print(f"{days} days: {rows:,} raw rows; DuckDB full transform ...", flush=True)
    started = time.perf_counter()
    with Warehouse(warehouse) as wh:
        duck = transform_warehouse(wh, parse_config({}), full_refresh=True)
    duck_s = time.perf_counter() - started
    print(f"{days} days: DuckDB {duck_s:.1f}s; Spark full transform ...", flush=True)
    config = parse_config({"warehouse": {"lake": str(lake)}})
    started = time.perf_counter()
    sparked = transform_on_spark(config, spark=spark, full_refresh=True)
    spark_s = time.perf_counter() - started
    print(f"{days} days: Spark {spark_s:.1f}s", flush=True)
    assert len(sparked.built) == len(duck.built), (sparked.skipped, duck.skipped)
    return Measured(days, rows, len(duck.built), duck_s, spark_s)


def _report(measured: list[Measured], start_s: float) -> None:
    print(f"\n{'days':>5}{'raw rows':>12}{'models':>8}{'duckdb s':>10}{'spark s':>10}{'ratio':>8}")
    for m in measured:
        print(
            f"{m.days:>5}{m.raw_rows:>12,}{m.models:>8}{m.duckdb_s:>10.1f}{m.spark_s:>10.1f}"
            f"{m.spark_s / m.duckdb_s:>7.1f}x"
        )
    print(f"(spark local[2]; its session started in {start_s:.1f}s, not counted)")
    small, large = measured[0], measured[-1]
    extra = large.raw_rows - small.raw_rows
    if extra > 0:
        for engine, seconds in (
            ("duckdb", large.duckdb_s - small.duckdb_s),
            ("spark local[2]", large.spark_s - small.spark_s),
        ):
            print(
                f"{engine}: {seconds:.1f}s more for {extra:,} more raw rows "
                f"({small.days} -> {large.days} days): {seconds / extra * 1e6:.1f} us a raw row"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, nargs="+", default=[7, 90])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from fleetscope.pipelines.engine_spark import spark_session

    with tempfile.TemporaryDirectory() as temp:
        root = args.keep or Path(temp)
        started = time.perf_counter()
        spark = spark_session(SparkConfig(master="local[2]", conf=LOOPBACK))
        spark.sparkContext.setLogLevel("ERROR")
        start_s = time.perf_counter() - started
        try:
            measured = [_measure(root / f"d{d}", d, spark) for d in sorted(args.days)]
        finally:
            spark.stop()
    _report(measured, start_s)


if __name__ == "__main__":
    main()
