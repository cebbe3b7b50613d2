"""The DuckDB warehouse: schema migrations, transactional loads, state, model writes."""

from fleetscope.warehouse.db import (
    LoadBatch,
    LoadResult,
    Warehouse,
    Window,
    connect_read_only,
    to_naive_utc,
    utc_now,
)
from fleetscope.warehouse.staged import StagedRows

__all__ = ["LoadBatch", "LoadResult", "StagedRows", "Warehouse", "Window", "connect_read_only",
           "to_naive_utc", "utc_now"]
