"""The one loader: every `collect ...`, `run` and `demo` brings its sources into the warehouse here.

A collector is a pure function of its inputs (in the manner of dlt): it yields `LoadBatch`es and
reports progress through a callback; it never opens the warehouse, prints or records anything.
This module alone takes the run lock, reads the state a source asks for (a watermark), writes
each batch in a transaction with its `loads` row and new state, records a failed source, and
turns failures into the error whose exit code a scheduler sees (fleetscope.errors.EXIT_CODES).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fleetscope.collectors.progress import Progress
from fleetscope.errors import CollectError, FleetscopeError, PartialRun
from fleetscope.ops.lock import warehouse_lock

if TYPE_CHECKING:
    from fleetscope.warehouse import LoadBatch, LoadResult, Warehouse

# state values the source asked for (missing keys absent), progress -> the batches to load
Extract = Callable[[Mapping[str, str], Progress], Iterable["LoadBatch"]]


def loaded_line(label: str, batch: LoadBatch, result: LoadResult) -> str:
    """`<label>: loaded 12 rows (raw_x 10, raw_y 2)`: what a batch wrote."""
    counts = ", ".join(f"{table} {n}" for table, n in result.row_counts.items())
    return f"{label}: loaded {result.total_rows} rows ({counts})"


@dataclass(frozen=True)
class Source:
    """One source to collect; `kind` and `name` are its `source_kind`/`source_name` in `loads`.

    `atomic`: all its batches commit together (several dump files given at once); otherwise
    each batch is its own transaction, so a long backfill keeps the weeks loaded before a
    failure. `offline`: files, not a live API (see `Loader`). `describe` words the line printed
    after each batch is written. `reads`: state the source derives from the warehouse itself
    (the repositories the catalog names, and their watermarks), read by the loader like
    `state_keys` because a collector never opens the warehouse.
    """

    kind: str
    name: str
    label: str
    extract: Extract
    state_keys: tuple[str, ...] = ()
    atomic: bool = False
    offline: bool = False
    describe: Callable[[str, LoadBatch, LoadResult], str] = loaded_line
    reads: Callable[[Warehouse], Mapping[str, str]] | None = None


@dataclass
class Outcome:
    """What loading one source did: rows written, or the error that stopped it."""

    source: Source
    rows: int
    seconds: float
    error: BaseException | None = None

    @property
    def message(self) -> str:
        if self.error is None or isinstance(self.error, FleetscopeError):
            return str(self.error or "")
        return f"{type(self.error).__name__}: {self.error}"


@dataclass
class Ingested:
    """Every source's outcome, in order."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is not None]

    @property
    def rows(self) -> int:
        return sum(o.rows for o in self.outcomes)


@contextmanager
def locked(warehouse_path: Path, *, timeout_seconds: float, progress: Progress
           ) -> Iterator[None]:
    """Hold the warehouse's run lock (LockTimeout, exit 7, before anything is written)."""
    with warehouse_lock(warehouse_path, timeout_seconds=timeout_seconds, on_wait=progress):
        yield


class Loader:
    """Loads sources one by one into a warehouse whose run lock the caller holds.

    The warehouse is opened only to read state and to write, never while a collector does
    network I/O (DuckDB has one writer; an open handle would block analysts), unless
    `hold_open` (offline files only: the demo saves an open and a checkpoint per file).

    A failed source gets a `failed` row in `loads` (reports show it as stale), except an
    offline file when `record_offline_failures` is off: a file given by hand that does not read
    is the user's mistake, shown at once, and leaves the warehouse untouched.
    """

    def __init__(self, warehouse_path: Path, *, progress: Progress, hold_open: bool = False,
                 record_offline_failures: bool = True, lake: str | None = None) -> None:
        self.path = warehouse_path
        self.lake = lake  # `[warehouse] lake`: batches go to the lake (warehouse/lake_sink.py)
        self.progress = progress
        self.hold_open = hold_open
        self.record_offline_failures = record_offline_failures
        self._held: Warehouse | None = None

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _warehouse(self) -> Iterator[Warehouse]:
        from fleetscope.warehouse import Warehouse

        if self.lake:  # one in-memory staging warehouse per loader, the lake's own commits
            from fleetscope.warehouse.lake_sink import LakeWriter

            if self._held is None:
                self._held = LakeWriter(self.lake)  # type: ignore[assignment]
            yield self._held  # type: ignore[misc]
            return
        if not self.hold_open:
            with Warehouse(self.path) as wh:
                yield wh
            return
        if self._held is None:
            self._held = Warehouse(self.path)
        yield self._held

    def load(self, source: Source) -> Outcome:
        """Extract and write one source; a failure is recorded in `loads`, not raised."""
        from fleetscope.warehouse import utc_now

        started_at, clock = utc_now(), time.perf_counter()
        try:
            rows = self._load(source, started_at)
        except Exception as exc:  # one broken source must not stop the others
            outcome = Outcome(source, 0, time.perf_counter() - clock, exc)
            if not isinstance(exc, FleetscopeError):  # a bug: keep its traceback
                self.progress(traceback.format_exc().rstrip())
            if self.record_offline_failures or not source.offline:
                with self._warehouse() as wh:
                    wh.record_failure(source.kind, source.name, outcome.message,
                                      started_at=started_at)
            return outcome
        return Outcome(source, rows, time.perf_counter() - clock)

    def _load(self, source: Source, started_at: datetime) -> int:
        state: dict[str, str] = {}
        if source.state_keys or source.reads:
            with self._warehouse() as wh:
                for key in source.state_keys:
                    value = wh.get_state(key)
                    if value is not None:
                        state[key] = value
                state.update(source.reads(wh) if source.reads else {})
        batches = source.extract(state, self.progress)
        if source.atomic:
            read = list(batches)  # read every file before the warehouse opens
            with self._warehouse() as wh, wh.transaction():
                return sum(self._write(wh, source, batch, started_at) for batch in read)
        rows = 0
        for batch in batches:
            with self._warehouse() as wh:
                rows += self._write(wh, source, batch, started_at)
        return rows

    def _write(self, wh: Warehouse, source: Source, batch: LoadBatch,
               started_at: datetime) -> int:
        result = wh.load(batch, started_at=started_at)
        self.progress(source.describe(source.label, batch, result))
        return result.total_rows


def collect(warehouse_path: Path, sources: list[Source], *, lock_timeout_seconds: float,
            progress: Progress, noun: str | None = None, lake: str | None = None) -> Ingested:
    """`fleetscope collect ...`: under the lock, load every source, then raise for failures.

    With a `lake`, no lock: each collector writes its own partitions and commits through the
    lake's log (one CronJob per cluster may run at once).

    One source that failed raises its own error (3 malformed file, 4 unreachable...). With
    `noun` (several clusters or servers), any failure raises CollectError (exit 4) naming each
    failed one, after the others were loaded.
    """
    lock = (nullcontext() if lake else
            locked(warehouse_path, timeout_seconds=lock_timeout_seconds, progress=progress))
    with lock, Loader(warehouse_path, progress=progress, record_offline_failures=False,
                      lake=lake) as loader:
        ingested = Ingested(outcomes=[loader.load(source) for source in sources])
    failed = ingested.failed
    if not failed:
        return ingested
    if noun is None and len(ingested.outcomes) == 1:
        raise failed[0].error  # type: ignore[misc]
    raise CollectError(f"{len(failed)} of {len(ingested.outcomes)} {noun or 'source(s)'} "
                       "failed: " + "; ".join(f"{o.source.name} ({o.message})" for o in failed))


def every_source_failed(ingested: Ingested) -> CollectError | None:
    """`run`: nothing collected at all is exit 4, and nothing is transformed or published."""
    if not ingested.outcomes or len(ingested.failed) < len(ingested.outcomes):
        return None
    return CollectError(
        f"every source failed ({', '.join(o.source.label for o in ingested.failed)}); nothing "
        "was transformed or published. The failures are recorded in the loads table")


def partial_run(ingested: Ingested, *, published: bool) -> PartialRun | None:
    """`run`: some sources failed and the rest went through: exit 9, once everything ran."""
    failed = ingested.failed
    if not failed:
        return None
    return PartialRun(f"{len(failed)} of {len(ingested.outcomes)} source(s) failed: "
                      f"{', '.join(o.source.label for o in failed)}; the rest was transformed, "
                      "validated" + (" and published" if published else ""))


__all__ = ["Ingested", "Loader", "Outcome", "Source", "collect", "every_source_failed",
           "loaded_line", "locked", "partial_run"]
