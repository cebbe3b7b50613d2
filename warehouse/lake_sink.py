"""The loader's lake sink: writes a `LoadBatch` to the lake as `Warehouse.load` writes it to DuckDB.

The batch is first loaded into an in-memory DuckDB warehouse (the same migrations, the same
typing and stamping code as the file warehouse), then each table's rows are copied out as one
Parquet file per (source_kind, cluster, day) partition. Replacing what an earlier load of the
same snapshot, window or keys wrote is copy-on-write: the live files of the partitions it can
touch that hold a replaced row are removed, and their other rows (if any) written again. Each
table commits its own version gated by the load id, then ONE `meta/loads` commit publishes the
load: a writer killed anywhere before it leaves nothing visible.

Collectors of different clusters write different partitions and never wait for each other; two
commits of one table serialise through the table's create-exclusive version files.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fleetscope.warehouse.db import LoadBatch, LoadResult, Warehouse, to_naive_utc
from fleetscope.warehouse.lake import Lake, partition_path
from fleetscope.warehouse.lake_duckdb import DAY_COLUMNS, attach


def _days(start: datetime, end: datetime) -> list[date]:
    """Days the window [start, end) touches."""
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class LakeWriter:
    """The loader's handle when `[warehouse] lake` is set: state reads, loads, failures."""

    def __init__(self, root: str) -> None:
        self.lake = Lake(root)
        self.mem = Warehouse(":memory:")
        self._pending: list[tuple[str, str]] | None = None
        self._attached = False

    def close(self) -> None:
        self.mem.close()

    def __enter__(self) -> LakeWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def con(self) -> Any:
        """A DuckDB connection seeing the lake's raw tables (for sources that read them)."""
        if not self._attached:
            attach(self.mem.con, self.lake, kinds=("raw", "meta"), temporary=True)
            self._attached = True
        return self.mem.con

    def query_df(self, sql: str, params: Any = None) -> Any:
        return self.con.execute(sql, params or []).df()

    def get_state(self, key: str) -> str | None:
        """The latest committed value of a state key (a watermark) in the lake."""
        files = self.lake.files("meta", "state")
        if not files:
            return None
        row = self.mem.con.execute(
            "select state_value from read_parquet(?) where state_key = ? "
            "order by updated_at desc limit 1", [files, key]).fetchone()
        return str(row[0]) if row else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Loads inside publish together at the end, or not at all."""
        if self._pending is not None:
            yield
            return
        self._pending = []
        try:
            yield
            if self._pending:
                self.lake.commit_loads(self._pending)
        finally:
            self._pending = None

    def load(self, batch: LoadBatch, *, started_at: datetime | None = None) -> LoadResult:
        """Write one batch's files, commit each table gated by its load, then the load."""
        result = self.mem.load(batch, started_at=started_at)
        try:
            for table in batch.tables:
                self._publish(table, batch, result.load_id)
            if batch.state:
                self._meta("state", result.load_id, "select * from state")
            self._publish_load(result.load_id, self._meta_file("loads", result.load_id))
        finally:
            for table in [*batch.tables, "loads", "state"]:
                self.mem.con.execute(f"delete from {table}")
        return result

    def record_failure(self, source_kind: str, source_name: str, error: str, *,
                       started_at: datetime, collected_at: datetime | None = None) -> str:
        """A `failed` loads row, committed as a load of its own."""
        load_id = self.mem.record_failure(source_kind, source_name, error,
                                          started_at=started_at, collected_at=collected_at)
        try:
            self._publish_load(load_id, self._meta_file("loads", load_id))
        finally:
            self.mem.con.execute("delete from loads")
        return load_id

    # -- writing ---------------------------------------------------------------------------

    def _publish_load(self, load_id: str, loads_file: str) -> None:
        if self._pending is not None:
            self._pending.append((load_id, loads_file))
        else:
            self.lake.commit_load(load_id, loads_file)

    def _meta_file(self, table: str, load_id: str) -> str:
        path = self.lake.new_file_path("meta", table, {}, load_id)
        self._copy(f"select * from {table}", [], path)
        return path

    def _meta(self, table: str, load_id: str, select: str) -> None:
        path = self.lake.new_file_path("meta", table, {}, load_id)
        self._copy(select, [], path)
        self.lake.commit("meta", table, add=[path], load=load_id)

    def _copy(self, select: str, params: list[Any], target: str) -> None:
        """COPY a query to a Parquet file at `target` (through a local file for object stores)."""
        if self.lake.local:
            self.mem.con.execute(f"copy ({select}) to '{target}' (format parquet, "
                                 "compression zstd)", params)
            return
        with tempfile.TemporaryDirectory() as temp:
            local = str(Path(temp) / "part.parquet")
            self.mem.con.execute(f"copy ({select}) to '{local}' (format parquet, "
                                 "compression zstd)", params)
            self.lake.put(local, target)

    def _publish(self, table: str, batch: LoadBatch, load_id: str) -> None:
        columns = self.mem.table_columns(table)
        name = "cluster" if "cluster" in columns else "source"
        day = next(c for c in DAY_COLUMNS if c in columns)
        added, removed = self._replace(table, batch, load_id, name)
        extra = "" if name == "cluster" else f", {name} as cluster"
        select = (f"select *, ? as source_kind{extra}, cast({day} as date) as day from {table} "
                  f"where cast({day} as date) = ?")
        days = self.mem.con.execute(f"select distinct cast({day} as date) from {table} "
                                    "order by 1").fetchall()
        for n, (value,) in enumerate(days):
            path = self.lake.new_file_path("raw", table, self._partition(batch, value),
                                           f"{load_id}-{n}")
            self._copy(select, [batch.source_kind, value], path)
            added.append(path)
        if added or removed:
            self.lake.commit("raw", table, add=added, remove_files=removed, load=load_id,
                             columns=[(c, t) for c, t, *_ in
                                      self.mem.con.execute(f"describe {table}").fetchall()])

    @staticmethod
    def _partition(batch: LoadBatch, day: date) -> dict[str, str]:
        return {"source_kind": batch.source_kind, "cluster": batch.source_name,
                "day": day.isoformat()}

    def _replace(self, table: str, batch: LoadBatch, load_id: str,
                 name: str) -> tuple[list[str], list[str]]:
        """The rewritten files and the removed ones: what this load replaces of earlier ones."""
        collected_at = to_naive_utc(batch.collected_at)
        if table in batch.keys:  # keys can sit in any partition (a commit seen by two repos)
            prefixes = [f"raw/{table}/"]
            keys = ", ".join(batch.keys[table])
            where, params = f"({keys}) in (select ({keys}) from {table})", []
        elif batch.window is not None:
            column, start, end = (batch.window.column, to_naive_utc(batch.window.start),
                                  to_naive_utc(batch.window.end))
            prefixes = [self._prefix(table, batch, d) for d in _days(start, end)]
            where, params = f"{name} = ? and {column} >= ? and {column} < ?", [
                batch.source_name, start, end]
        else:
            prefixes = [self._prefix(table, batch, collected_at.date())]
            where, params = f"{name} = ? and collected_at = ?", [batch.source_name, collected_at]
        base = self.lake.url("")
        candidates = [f for f in self.lake.files("raw", table)
                      if f[len(base):].startswith(tuple(prefixes))]
        if not candidates:
            return [], []
        hits = self.mem.con.execute(
            f"select filename, count(*) filter (where not ({where})) from read_parquet(?, "
            "filename = true, hive_partitioning = false, union_by_name = true) "
            f"group by filename having count(*) filter (where {where}) > 0",
            [*params, candidates, *params]).fetchall()
        added = []
        for filename, others in hits:
            if others:  # the rows this load does not replace live on in a new file
                target = f"{filename.rsplit('/', 1)[0]}/{load_id}-r{uuid.uuid4().hex[:6]}"
                self._copy(f"select * from read_parquet(?, hive_partitioning = false) "
                           f"where not ({where})", [filename, *params], target + ".parquet")
                added.append(target + ".parquet")
        return added, [f for f, _ in hits]

    def _prefix(self, table: str, batch: LoadBatch, day: date) -> str:
        return f"raw/{table}/{partition_path(self._partition(batch, day))}/"


__all__ = ["LakeWriter"]
