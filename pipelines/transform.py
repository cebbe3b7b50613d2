"""Entry point of a transform: reference tables from the config, then every model."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fleetscope.config import Config
from fleetscope.pipelines.reference import load_reference_tables
from fleetscope.pipelines.runner import RunResult, discover_models, run_models, select_upstream
from fleetscope.warehouse import Warehouse


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
