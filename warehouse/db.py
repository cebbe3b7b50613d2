"""The only module that writes to the DuckDB warehouse.

Collectors hand over a `LoadBatch` (DataFrames for raw tables plus how to make a rerun
idempotent); `Warehouse.load` writes it in one transaction together with its row in `loads` and
any state (watermarks). Transforms write their models through `replace_table`,
`replace_partitions` and `create_view` inside `transaction()`. Readers (query, notebooks) use
`connect_read_only`, which opens the latest published read copy (warehouse/readcopy.py), so an
analyst's open connection never stops the writer.

The warehouse is opened only for the write itself, never during network I/O: DuckDB lets one
process write or many read, so holding it open while waiting on an API would block analysts.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from fleetscope.errors import WarehouseError
from fleetscope.warehouse.readcopy import read_path
from fleetscope.warehouse.staged import StagedRows, bounded, insert_staged

if TYPE_CHECKING:  # pandas costs ~0.8 s to import; `fleetscope query` must start instantly
    import pandas as pd

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def utc_now() -> datetime:
    """Current time as a naive UTC datetime (the warehouse stores naive UTC timestamps)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def to_naive_utc(value: datetime) -> datetime:
    """Naive UTC for any datetime (aware ones are converted, naive ones taken as UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


@dataclass(frozen=True)
class Window:
    """A time-series load replaces the source's rows whose `column` lies in [start, end)."""

    start: datetime
    end: datetime
    column: str = "hour_start"


@dataclass
class LoadBatch:
    """Everything one collection run of one source (one cluster) writes, as one transaction.

    `tables` must name every raw table the source writes, with an empty frame where it found
    nothing: a snapshot load replaces that source's rows with the same `collected_at` in each of
    them, so reloading the same snapshot (or the same window) changes nothing.
    """

    source_kind: str
    source_name: str
    collected_at: datetime
    tables: dict[str, pd.DataFrame | StagedRows]
    window: Window | None = None
    state: dict[str, str] = field(default_factory=dict)
    # table -> key columns: a keyed table replaces only the rows whose key the frame holds
    # (commits by repo and sha), so an incremental load adds to what earlier loads wrote.
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadResult:
    load_id: str
    row_counts: dict[str, int]

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("fleetscope.warehouse") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = re.match(r"^(\d{4})_(\w+)\.sql$", entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _check_identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise WarehouseError(f"invalid table or column name {name!r}")
    return name


# DuckDB's own file lock: one writing process or many reading ones. fleetscope's run lock
# already keeps two writers apart, so a holder met here is a short-lived reader (a `query`, a
# report kernel, the previous run's process closing its connections as it exits): wait for it a
# little, doubling the pause, before saying the warehouse is in use.
FILE_LOCK_WAIT_SECONDS = 10.0


def _open(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + FILE_LOCK_WAIT_SECONDS
    pause = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" not in message.lower():
                raise WarehouseError(f"cannot open warehouse {path}: {message}") from None
            if time.monotonic() + pause > deadline:
                raise WarehouseError(
                    f"warehouse {path} is in use by another process; wait for it to finish "
                    f"({message.splitlines()[0]})") from None
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open warehouse {path}: {exc}") from None
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def connect_read_only(path: str | Path, *, writer: bool = False) -> duckdb.DuckDBPyConnection:
    """Read-only: the latest published read copy (the writer's file while none was published),
    or with `writer=True` the writer's file itself (validation, `query --writer`)."""
    path = Path(path)
    for _ in range(3):  # a publish may prune the copy between reading `current` and opening it
        target = path if writer else read_path(path)
        if target == path and not path.exists():
            raise WarehouseError(f"warehouse {path} does not exist; run `fleetscope demo` or a "
                                 "`fleetscope collect ...` first")
        try:
            return _open(target, read_only=True)
        except WarehouseError:
            if target == path or target.exists():
                raise
    raise WarehouseError(f"cannot open the read copy of {path}: it kept being replaced")


class Warehouse:
    """A read-write handle on the warehouse file; applies pending migrations on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = _open(self.path, read_only=False)
        self._in_transaction = False
        # Raw and ledger tables change only through migrations (applied just below), so their
        # columns can be looked up once per handle instead of once per load.
        self._raw_columns: dict[str, list[str]] = {}
        self._migrate()

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self.con.execute("create table if not exists schema_migrations "
                         "(version integer primary key, name varchar, applied_at timestamp)")
        applied = {row[0] for row in self.con.execute("select version from schema_migrations")
                   .fetchall()}
        for version, name, sql in _migrations():
            if version in applied:
                continue
            with self.transaction():
                self.con.execute(sql)
                self.con.execute("insert into schema_migrations values (?, ?, ?)",
                                 [version, name, utc_now()])

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All writes inside commit together or not at all (nested use joins the outer one)."""
        if self._in_transaction:
            yield self.con
            return
        self.con.begin()
        self._in_transaction = True
        try:
            yield self.con
        except BaseException:
            self.con.rollback()
            raise
        else:
            self.con.commit()
        finally:
            self._in_transaction = False

    # -- reading -----------------------------------------------------------------------------

    def query_df(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
                 ) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def table_columns(self, table: str) -> list[str]:
        rows = self.con.execute(
            "select column_name from information_schema.columns where table_name = ? "
            "order by ordinal_position", [table]).fetchall()
        return [r[0] for r in rows]

    def get_state(self, key: str) -> str | None:
        row = self.con.execute("select state_value from state where state_key = ?",
                               [key]).fetchone()
        return row[0] if row else None

    # -- writing -----------------------------------------------------------------------------

    def set_state(self, key: str, value: str) -> None:
        with self.transaction():
            self.con.execute(
                "insert into state values (?, ?, ?) on conflict (state_key) do update set "
                "state_value = excluded.state_value, updated_at = excluded.updated_at",
                [key, value, utc_now()])

    def load(self, batch: LoadBatch, *, started_at: datetime | None = None) -> LoadResult:
        """Write one collection run atomically; a rerun of the same snapshot or window replaces."""
        started_at = started_at or utc_now()
        collected_at = to_naive_utc(batch.collected_at)
        load_id = (f"{batch.source_kind}:{batch.source_name}:{collected_at:%Y%m%dT%H%M%S}:"
                   f"{uuid.uuid4().hex[:8]}")
        counts: dict[str, int] = {}
        try:
            with bounded(self.con, batch.tables.values()), self.transaction():
                for table, frame in batch.tables.items():
                    counts[table] = self._replace_rows(table, frame, batch, collected_at, load_id)
                window = batch.window
                self.con.execute(
                    "insert into loads values (?, ?, ?, ?, ?, ?, 'succeeded', ?, null, ?, ?)",
                    [load_id, batch.source_kind, batch.source_name, collected_at,
                     to_naive_utc(window.start) if window else None,
                     to_naive_utc(window.end) if window else None,
                     sum(counts.values()), started_at, utc_now()])
                for key, value in batch.state.items():
                    self.set_state(key, value)
        except duckdb.Error as exc:
            raise WarehouseError(f"loading {batch.source_kind} {batch.source_name} failed, "
                                 f"nothing was written: {exc}") from None
        return LoadResult(load_id, counts)

    def _replace_rows(self, table: str, frame: pd.DataFrame | StagedRows, batch: LoadBatch,
                      collected_at: datetime, load_id: str) -> int:
        table = _check_identifier(table)
        columns = self._cached_columns(table)
        if not columns:
            raise WarehouseError(f"unknown raw table {table}")
        name_column = "cluster" if "cluster" in columns else "source"
        unknown = [c for c in frame.columns if c not in columns]
        if unknown:
            raise WarehouseError(f"{table}: unknown columns {unknown}")
        if table in batch.keys:
            return self._upsert_rows(table, frame, batch, collected_at, load_id, name_column)
        if batch.window is not None:
            column = _check_identifier(batch.window.column)
            self.con.execute(
                f"delete from {table} where {name_column} = ? and {column} >= ? and {column} < ?",
                [batch.source_name, to_naive_utc(batch.window.start),
                 to_naive_utc(batch.window.end)])
        else:
            self.con.execute(f"delete from {table} where {name_column} = ? and collected_at = ?",
                             [batch.source_name, collected_at])
        if frame.empty:
            return 0
        if isinstance(frame, StagedRows):
            for column, _ in frame.where:
                _check_identifier(column)
            return insert_staged(self.con, table, frame,
                                 (load_id, collected_at, name_column, batch.source_name))
        frame = frame.assign(load_id=load_id, collected_at=collected_at,
                             **{name_column: batch.source_name})
        return self._insert_frame(table, frame)

    def _upsert_rows(self, table: str, frame: pd.DataFrame, batch: LoadBatch,
                     collected_at: datetime, load_id: str, name_column: str) -> int:
        """Replace the rows sharing a key with the frame's (keys may include the name column)."""
        if frame.empty:
            return 0
        frame = frame.assign(load_id=load_id, collected_at=collected_at,
                             **{name_column: batch.source_name})
        keys = ", ".join(_check_identifier(k) for k in batch.keys[table])
        self.con.register("_fleetscope_keys", frame[list(batch.keys[table])])
        try:
            self.con.execute(f"delete from {table} where ({keys}) in "
                             f"(select ({keys}) from _fleetscope_keys)")
        finally:
            self.con.unregister("_fleetscope_keys")
        return self._insert_frame(table, frame)

    def _insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Insert a DataFrame's rows into `table`, columns matched by name (missing: NULL)."""
        self.con.register("_fleetscope_frame", frame)
        try:
            self.con.execute(f"insert into {table} by name select * from _fleetscope_frame")
        finally:
            self.con.unregister("_fleetscope_frame")
        return len(frame)

    def record_failure(self, source_kind: str, source_name: str, error: str, *,
                       started_at: datetime, collected_at: datetime | None = None) -> str:
        """Remember that a collection failed (so reports can say the data is stale)."""
        load_id = f"{source_kind}:{source_name}:failed:{uuid.uuid4().hex[:8]}"
        with self.transaction():
            self.con.execute(
                "insert into loads values (?, ?, ?, ?, null, null, 'failed', 0, ?, ?, ?)",
                [load_id, source_kind, source_name, to_naive_utc(collected_at or utc_now()),
                 error[:2000], started_at, utc_now()])
        return load_id

    def _cached_columns(self, table: str) -> list[str]:
        if table not in self._raw_columns:
            self._raw_columns[table] = self.table_columns(table)
        return self._raw_columns[table]

    def append_rows(self, table: str, frame: pd.DataFrame) -> int:
        """Append rows to a ledger table (e.g. `validation_results`) in one transaction."""
        table = _check_identifier(table)
        columns = self._cached_columns(table)
        unknown = [c for c in frame.columns if c not in columns]
        if not columns or unknown:
            raise WarehouseError(f"{table}: unknown table or columns {unknown}")
        with self.transaction():
            return self._insert_frame(table, frame)

    # -- models (used by pipelines) ------------------------------------------------------------

    def replace_reference_table(self, name: str, frame: pd.DataFrame) -> None:
        """Replace a small table derived from configuration (prices, ownership overrides)."""
        name = _check_identifier(name)
        with self.transaction():
            self.con.register("_fleetscope_reference", frame)
            try:
                self.con.execute(
                    f"create or replace table {name} as select * from _fleetscope_reference")
            finally:
                self.con.unregister("_fleetscope_reference")

    def create_view(self, name: str, select_sql: str) -> None:
        with self.transaction():
            self.con.execute(f"create or replace view {_check_identifier(name)} as {select_sql}")

    def replace_table(self, name: str, select_sql: str,
                      params: Sequence[Any] | Mapping[str, Any] | None = None) -> None:
        with self.transaction():
            self.con.execute(
                f"create or replace table {_check_identifier(name)} as {select_sql}", params or [])

    def replace_table_for_dates(self, name: str, select_sql: str, dates: Sequence[date],
                                params: Mapping[str, Any] | None = None) -> None:
        """Rebuild a model table whole; `select_sql` sees `dates` as `_fleetscope_dates(day)`."""
        name = _check_identifier(name)
        with self.transaction():
            self._set_dates(dates)
            self.con.execute(f"create or replace table {name} as {select_sql}", params or {})

    def drop_relation(self, name: str) -> None:
        """Drop a model's table or view (when its materialization changes)."""
        name = _check_identifier(name)
        with self.transaction():
            self.con.execute(f"drop view if exists {name}")
            self.con.execute(f"drop table if exists {name}")

    def _set_dates(self, dates: Sequence[date]) -> None:
        self.con.execute("create or replace temp table _fleetscope_dates (day date)")
        if dates:
            self.con.executemany("insert into _fleetscope_dates values (?)", [[d] for d in dates])

    def replace_partitions(self, name: str, select_sql: str, date_column: str,
                           dates: Sequence[date],
                           params: Sequence[Any] | Mapping[str, Any] | None = None) -> None:
        """Delete the given days from a model table and insert them again from `select_sql`.

        `select_sql` must already be restricted to those days (it sees them as the table
        `_fleetscope_dates(day date)`).
        """
        name, date_column = _check_identifier(name), _check_identifier(date_column)
        with self.transaction():
            self.con.execute("create or replace temp table _fleetscope_dates (day date)")
            self.con.executemany("insert into _fleetscope_dates values (?)",
                                 [[d] for d in dates])
            self.con.execute(f"delete from {name} where {date_column} in "
                             "(select day from _fleetscope_dates)")
            self.con.execute(f"insert into {name} by name {select_sql}", params or [])
