"""DuckDB and the lake: read its tables as views (`attach`), write a warehouse to it (`export`).

Every lake file holds all of its table's columns (a raw file also the partition columns
`source_kind`, `day` and, for tables named by `source`, `cluster`), so DuckDB reads the files with
`hive_partitioning = false` and the view keeps exactly the table's columns: the folder names are
for pruning by other engines and for people, never the only copy of a value.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import duckdb

from fleetscope.errors import WarehouseError
from fleetscope.warehouse.lake import Lake

# The day a raw row describes: its hour for usage rows, its billing period for bill lines, else
# the snapshot it belongs to (first column the table has wins).
DAY_COLUMNS = ("hour_start", "billing_period_start", "collected_at")
RAW_PARTITION = ("source_kind", "cluster", "day")
META_TABLES = ("loads", "state")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def view_sql(files: list[str], columns: list[tuple[str, str]]) -> str:
    """A select of exactly `columns` over `files`; no rows (but the columns) when no files."""
    if not files:
        nulls = ", ".join(f"cast(null as {t}) as {_quote(c)}" for c, t in columns)
        return f"select {nulls} where false"
    listed = ", ".join(_literal(f) for f in files)
    names = ", ".join(f"cast({_quote(c)} as {t}) as {_quote(c)}" for c, t in columns)
    return (f"select {names} from read_parquet([{listed}], hive_partitioning = false, "
            "union_by_name = true)")


def _relation_type(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = con.execute("select table_type from information_schema.tables where table_name = ? "
                      "and table_schema = 'main' and table_catalog = current_database()",
                      [name]).fetchone()
    return str(row[0]) if row else None


def attach(con: duckdb.DuckDBPyConnection, lake: Lake | str, *,
           kinds: Iterable[str] = ("raw", "ref", "models", "meta"),
           temporary: bool = False) -> list[str]:
    """Create a view per lake table of `kinds`, named like the table, over its live files.

    Persistent views (the default) replace the warehouse's EMPTY table of the same name, so
    `query`, `validate` and reports read the lake through the warehouse file unchanged; a table
    holding rows is refused (it would be hidden). `temporary`: views of this connection only
    (for a read-only connection), which shadow tables of the same name. Of `meta`, only `loads`
    is attached: `state` stays the warehouse's (the transform writes its own state there).
    Returns the names attached. Re-run it after the lake changes: the views name files.
    """
    lake = Lake(lake) if isinstance(lake, str) else lake
    loads = lake.committed_loads()
    attached = []
    for kind in kinds:
        for table in lake.tables(kind):
            if kind == "meta" and table != "loads":
                continue
            sql = view_sql(lake.files(kind, table, loads=loads), lake.columns(kind, table))
            _replace_with_view(con, table, sql, temporary=temporary)
            attached.append(table)
    return attached


def _replace_with_view(con: duckdb.DuckDBPyConnection, name: str, sql: str, *,
                       temporary: bool) -> None:
    if temporary:
        con.execute(f"create or replace temp view {_quote(name)} as {sql}")
        return
    if _relation_type(con, name) == "BASE TABLE":
        row = con.execute(f"select count(*) from {_quote(name)}").fetchone()
        if row and row[0]:
            raise WarehouseError(f"table {name} holds {row[0]} rows; a lake view would hide "
                                 "them: export it to the lake first (`fleetscope export lake`)")
        con.execute(f"drop table {_quote(name)}")
    con.execute(f"create or replace view {_quote(name)} as {sql}")


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {_quote(name)}").fetchall()]


def _tables(con: duckdb.DuckDBPyConnection, prefix: str) -> list[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = "
                       "'main' and table_catalog = current_database() and table_name like ? "
                       "order by 1", [prefix + "%"]).fetchall()
    return [r[0] for r in rows]


class _Exporter:
    """Writes tables of one DuckDB connection to a lake through a local staging folder."""

    def __init__(self, con: duckdb.DuckDBPyConnection, lake: Lake, staging: Path) -> None:
        self.con, self.lake, self.staging = con, lake, staging
        self.run = time.strftime("export-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]

    def copy(self, kind: str, table: str, select: str,
             partition_by: tuple[str, ...] = ()) -> int:
        """COPY `select` to Parquet (by partition), move the files in, commit replacing all."""
        out = self.staging / kind / table
        options = "format parquet, compression zstd"
        if partition_by:
            options += (f", partition_by ({', '.join(partition_by)}), "
                        "write_partition_columns true")
            out.mkdir(parents=True)
        else:
            out.mkdir(parents=True)
            out = out / "data.parquet"
        self.con.execute(f"copy ({select}) to {_literal(str(out))} ({options})")
        added = []
        base = self.staging / kind / table
        for n, path in enumerate(sorted(base.rglob("*.parquet"))):
            folder = path.parent.relative_to(base).as_posix()
            stem = f"{self.run}-{n}"
            target = self.lake.url(f"{kind}/{table}/{folder + '/' if folder != '.' else ''}"
                                   f"{stem}.parquet")
            self.lake.put(str(path), target)
            added.append(target)
        columns = _columns(self.con, table)
        return self.lake.commit(kind, table, add=added, remove_all=True, columns=columns)

    def raw(self, table: str) -> None:
        cols = [c for c, _ in _columns(self.con, table)]
        name = "cluster" if "cluster" in cols else "source"
        day = next(c for c in DAY_COLUMNS if c in cols)
        extra = "" if name == "cluster" else f", t.{name} as cluster"
        select = (f"select t.*, coalesce(l.source_kind, 'unknown') as source_kind{extra}, "
                  f"cast(t.{day} as date) as day from {_quote(table)} t "
                  "left join loads l using (load_id)")
        self.copy("raw", table, select, RAW_PARTITION)


def export(con: duckdb.DuckDBPyConnection, lake: Lake | str, *,
           models: Mapping[str, str | None] | None = None,
           progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Write a warehouse's raw, ref_*, loads and state tables (and `models`: name -> its date
    column or None) to the lake, each replacing the lake's table in one commit. Returns the
    rows written per table."""
    lake = Lake(lake) if isinstance(lake, str) else lake
    rows: dict[str, int] = {}
    con.execute("set enable_progress_bar = false")  # the warehouse layer never prints
    if lake.local:  # staging beside the lake: moving a file in is a rename, not a copy
        Path(lake.root).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fleetscope-export-",
                                     dir=lake.root if lake.local else None) as temp:
        exporter = _Exporter(con, lake, Path(temp))
        plan: list[tuple[str, str, tuple[str, ...]]] = [("raw", t, ()) for t in
                                                         _tables(con, "raw_")]
        plan += [("ref", t, ()) for t in _tables(con, "ref_")]
        plan += [("meta", t, ()) for t in META_TABLES]
        plan += [("models", m, (d,) if d else ()) for m, d in (models or {}).items()]
        for kind, table, partition_by in plan:
            if kind == "raw":
                exporter.raw(table)
            else:
                exporter.copy(kind, table, f"select * from {_quote(table)}", partition_by)
            row = con.execute(f"select count(*) from {_quote(table)}").fetchone()
            rows[table] = int(row[0]) if row else 0
            if progress:
                progress(f"export: {kind}/{table} {rows[table]} rows")
    return rows


__all__ = ["DAY_COLUMNS", "RAW_PARTITION", "attach", "export", "view_sql"]
