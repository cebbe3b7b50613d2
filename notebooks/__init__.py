"""Parameterized notebooks rendered into reports; they only read marts.

`connect()` is the one way a notebook (or an analyst) opens the warehouse: read-only, so a report
can never change it, and on the latest published read copy, so the writer never waits for it.
Close it at the end of the notebook.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

NOTEBOOKS_DIR = Path(__file__).resolve().parent
LEADERSHIP_NOTEBOOK = NOTEBOOKS_DIR / "leadership_weekly.ipynb"
TEAM_NOTEBOOK = NOTEBOOKS_DIR / "team_weekly.ipynb"
GA_NOTEBOOK = NOTEBOOKS_DIR / "ga_readiness.ipynb"


def warehouse_path(path: str | Path | None = None) -> Path:
    """The given path, else $FLEETSCOPE_WAREHOUSE, else `fleetscope-data/fleetscope.duckdb`."""
    if path:
        return Path(path)
    from fleetscope.config import DEFAULT_WAREHOUSE

    return Path(os.environ.get("FLEETSCOPE_WAREHOUSE") or DEFAULT_WAREHOUSE)


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection to the warehouse's latest published read copy (its own file
    until one is published; see `warehouse_path` for the default)."""
    from fleetscope.warehouse import connect_read_only

    return connect_read_only(warehouse_path(path))
