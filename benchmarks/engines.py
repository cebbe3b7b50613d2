"""The same models on DuckDB and on Spark: the 90-day demo transformed by both, side by side.

Builds the demo (seed 7, `--days`, ending 2026-12-01, no reports), exports its warehouse to a
Parquet lake, then times a full transform on DuckDB (the warehouse file, `--full-refresh`) and a
full transform on Spark `local[2]` (the lake, loopback only), plus the session start apart. It
prints each engine's seconds, rows of raw input, and Spark's time over DuckDB's: on a 2-core
machine Spark is slower, and this says by how much, nothing more.

    .venv/bin/python benchmarks/engines.py [--days 90] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with tempfile.TemporaryDirectory() as temp:
        root = args.keep or Path(temp)
        warehouse, lake = root / "demo" / "warehouse.duckdb", root / "lake"
        if not warehouse.exists():  # --keep: a second run reuses the demo and its lake
            started = time.perf_counter()
            run_demo(root / "demo", seed=7, days=args.days, end=date(2026, 12, 1), reports=False)
            print(f"demo built in {time.perf_counter() - started:.1f}s")
            con = duckdb.connect(str(warehouse), read_only=True)
            started = time.perf_counter()
            export(con, str(lake))
            con.close()
            print(f"export to the lake: {time.perf_counter() - started:.1f}s")
        print(f"demo: {args.days} days, {_raw_rows(warehouse):,} raw rows")
        config = parse_config({"warehouse": {"lake": str(lake)}})
        started = time.perf_counter()
        with Warehouse(warehouse) as wh:
            duck = transform_warehouse(wh, parse_config({}), full_refresh=True)
        duck_s = time.perf_counter() - started
        from fleetscope.pipelines.engine_spark import spark_session

        started = time.perf_counter()
        spark = spark_session(SparkConfig(master="local[2]", conf=LOOPBACK))
        spark.sparkContext.setLogLevel("ERROR")
        start_s = time.perf_counter() - started
        started = time.perf_counter()
        sparked = transform_on_spark(config, spark=spark, full_refresh=True)
        spark_s = time.perf_counter() - started
        spark.stop()
    print(f"{'engine':<16}{'models':>8}{'days':>6}{'seconds':>10}")
    print(f"{'duckdb':<16}{len(duck.built):>8}{len(duck.days):>6}{duck_s:>10.1f}")
    print(
        f"{'spark local[2]':<16}{len(sparked.built):>8}{len(sparked.days):>6}{spark_s:>10.1f}"
        f"   (+ {start_s:.1f}s session start)"
    )
    print(f"spark / duckdb: {spark_s / duck_s:.1f}x")


if __name__ == "__main__":
    main()
