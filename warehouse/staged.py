"""Rows too many for a DataFrame (a month of hourly bill lines is millions), staged by a
collector in Parquet files and inserted by DuckDB straight from them, under a memory cap."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

# The warehouse's DuckDB cap while staged rows load, commit and checkpoint: past it DuckDB writes
# a large insert's row groups to the file as it goes instead of holding them.
STAGED_MEMORY_LIMIT = "512MB"


@dataclass(frozen=True)
class StagedRows:
    """Parquet files inserted in the load's transaction without passing through Python;
    `where` keeps the rows whose columns equal these values (one billing period of a file
    holding several)."""

    paths: tuple[Path, ...]
    columns: tuple[str, ...]
    rows: int
    where: tuple[tuple[str, Any], ...] = ()

    @property
    def empty(self) -> bool:
        return self.rows == 0

    def __len__(self) -> int:  # counted like a DataFrame's rows
        return self.rows



@contextmanager
def bounded(con: duckdb.DuckDBPyConnection, tables: Iterable[object]) -> Iterator[None]:
    """Around a load holding staged rows: the cap through the commit and a checkpoint (which
    would otherwise run uncapped at close), and no progress bar (the warehouse never prints)."""
    if not any(isinstance(t, StagedRows) for t in tables):
        yield
        return
    con.execute(f"set memory_limit = '{STAGED_MEMORY_LIMIT}'")
    con.execute("set enable_progress_bar = false")
    try:
        yield
        con.execute("checkpoint")
    finally:
        con.execute("reset memory_limit")
        con.execute("reset enable_progress_bar")


def insert_staged(con: duckdb.DuckDBPyConnection, table: str, staged: StagedRows,
                  stamp: tuple[str, datetime, str, str]) -> int:
    """Insert staged rows with the load's (load_id, collected_at, name column, name); the
    caller has checked every identifier (`Warehouse._replace_rows`)."""
    load_id, collected_at, name_column, name = stamp
    where = " and ".join(f"{c} = ?" for c, _ in staged.where) or "true"
    row = con.execute(
        f"insert into {table} by name select *, ? as load_id, ? as collected_at, "
        f"? as {name_column} from read_parquet(?) where {where}",
        [load_id, collected_at, name, [str(p) for p in staged.paths],
         *(v for _, v in staged.where)]).fetchone()
    return int(row[0]) if row else 0


__all__ = ["STAGED_MEMORY_LIMIT", "StagedRows", "bounded", "insert_staged"]
