"""Entry point of a transform: reference tables from the config, then every model."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fleetscope.config import Config
from fleetscope.errors import ConfigError
from fleetscope.pipelines.reference import load_reference_tables
from fleetscope.pipelines.runner import RunResult, discover_models, run_models, select_upstream
from fleetscope.warehouse import Warehouse
from fleetscope.warehouse.lake import Lake


def transform_warehouse(wh: Warehouse, config: Config, *, full_refresh: bool = False,
                        progress: Callable[[str], None] | None = None,
                        select: Iterable[str] | None = None) -> RunResult:
    """Write the `ref_*` tables and build the models, all in one transaction; with `select`,
    only the models named and those they read (as `dbt run --select +name`)."""
    models = None if select is None else select_upstream(discover_models(), select)
    if config.warehouse.lake:  # raw tables and loads are the lake's, as of now
        from fleetscope.warehouse.lake_duckdb import attach

        attach(wh.con, config.warehouse.lake, kinds=("raw", "meta"))
    limit = config.warehouse.transform_memory_limit
    if limit:  # this connection's setting, for the transform only
        wh.con.execute("set memory_limit = ?", [limit])
    try:
        with wh.transaction():
            load_reference_tables(wh, config)
            return run_models(wh, full_refresh=full_refresh, models=models, progress=progress)
    finally:
        if limit:
            wh.con.execute("reset memory_limit")


def transform_on_spark(config: Config, *, full_refresh: bool = False,
                       progress: Callable[[str], None] | None = None,
                       select: Iterable[str] | None = None,
                       spark: Any = None) -> RunResult:
    """The same models on Apache Spark, from the lake `[warehouse] lake` back into it
    (pipelines/engine_spark.py); `spark`: a session to reuse, else one from `[engine.spark]`."""
    if not config.warehouse.lake:
        raise ConfigError("engine spark reads and writes the Parquet lake: set [warehouse] lake "
                          "(a folder or s3://bucket/prefix; `fleetscope export lake --to PATH` "
                          "fills it from a warehouse)")
    try:
        from fleetscope.pipelines.engine_spark import transform_lake
    except ImportError as exc:
        raise ConfigError(f"engine spark needs pyspark and Java 17+: pip install "
                          f"'fleetscope[spark]' ({exc})") from None
    models = discover_models()
    if select is not None:
        models = select_upstream(models, select)
    return transform_lake(Lake(config.warehouse.lake), config, models, spark=spark,
                          full_refresh=full_refresh, progress=progress)
