"""The Parquet lake: tables as immutable Parquet files published by a per-table commit log.

Layout under a root (a local folder, or an fsspec URL such as `s3://bucket/prefix`):

    raw/<table>/source_kind=<k>/cluster=<c>/day=<YYYY-MM-DD>/<load_id>-<n>.parquet
    ref/<table>/<run_id>.parquet
    models/<model>/[<date_column>=<YYYY-MM-DD>/]<run_id>-<n>.parquet
    meta/<loads|state>/<load_id>.parquet
    _log/<kind>/<table>/<version:020d>.json

A writer writes its files first, then publishes them by creating the table's NEXT version file
(create-exclusive: a writer that loses the race re-reads the new latest version and retries).
Each version lists the COMPLETE set of the table's files, so a reader reads one small JSON and
exactly the files it names; a file no version names (a killed writer's) is garbage for `vacuum`.

A load that writes several tables must appear all at once, but each table has its own log. So a
file entry may name the `load` that wrote it (and `removed_by`, the load that replaces it): it is
visible only once that load is committed, which happens in ONE place, the load's entry in the
`meta/loads` log (`commit_load`). A load killed between its table commits is never visible, and
the files it meant to replace stay visible. Files written without a load (exports, transforms)
are visible as soon as their version is.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fleetscope.errors import WarehouseError

KINDS = ("raw", "ref", "models", "meta")
LOG = "_log"
# Two writers of one table meet rarely (one CronJob per cluster, a commit takes milliseconds);
# past this many lost races something is wrong (a clock-skewed store, a stuck writer).
MAX_COMMIT_ATTEMPTS = 50
_STEM = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Entry:
    """One file of a table version: its path under the root and the load gating it."""

    path: str
    load: str | None = None
    removed_by: str | None = None

    def as_json(self) -> dict[str, str]:
        out = {"path": self.path}
        if self.load:
            out["load"] = self.load
        if self.removed_by:
            out["removed_by"] = self.removed_by
        return out


@dataclass(frozen=True)
class Version:
    """One committed version of a table: every file it holds, and its columns."""

    number: int
    entries: tuple[Entry, ...]
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type), kept so an empty table has columns


def partition_path(partition: dict[str, str]) -> str:
    """`k=v/...` Hive folders; a value with `/` or `=` is percent-encoded so paths stay unique."""
    return "/".join(f"{k}={quote(str(v), safe=' -_.@:+')}" for k, v in partition.items())


class Lake:
    """A lake root: commit and list the live files of its tables (see the module docstring)."""

    def __init__(self, root: str) -> None:
        self.root = str(root).rstrip("/")
        self.local = "://" not in self.root or self.root.startswith("file://")
        if self.root.startswith("file://"):
            self.root = self.root[len("file://"):]
        self._fs: Any = None
        if not self.local:  # object stores through fsspec (s3fs, gcsfs, adlfs installed apart)
            import fsspec

            self._fs = fsspec.filesystem(self.root.split("://", 1)[0])

    # -- paths and storage ----------------------------------------------------------------------

    def url(self, relative: str) -> str:
        """The full path or URL of a file given relative to the root."""
        return f"{self.root}/{relative}"

    def relative(self, path: str) -> str:
        path = str(path)
        if path.startswith(self.root + "/"):
            return path[len(self.root) + 1:]
        if path.startswith("/") or "://" in path:
            raise WarehouseError(f"{path} is not under the lake {self.root}")
        return path

    def new_file_path(self, kind: str, table: str, partition: dict[str, str], stem: str) -> str:
        """Where a writer puts a new file (its folder exists locally); commit it afterwards."""
        _check(kind, table)
        parts = [kind, table] + ([partition_path(partition)] if partition else [])
        path = self.url("/".join([*parts, _STEM.sub("_", stem) + ".parquet"]))
        if self.local:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return path

    def put(self, local_file: str, target: str) -> None:
        """Move a finished local file to its lake path (an upload on object storage)."""
        if self.local:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            os.replace(local_file, target)
        else:
            self._fs.put(local_file, target)

    def _listdir(self, relative: str) -> list[str]:
        if self.local:
            try:
                return sorted(os.listdir(self.url(relative)))
            except FileNotFoundError:
                return []
        try:
            return sorted(p.rstrip("/").rsplit("/", 1)[-1]
                          for p in self._fs.ls(self.url(relative), detail=False))
        except FileNotFoundError:
            return []

    def _read(self, relative: str) -> str:
        if self.local:
            return Path(self.url(relative)).read_text(encoding="utf-8")
        with self._fs.open(self.url(relative), "r") as handle:
            return str(handle.read())

    def _create_exclusive(self, relative: str, text: str) -> bool:
        """Write a whole file at a path nobody has written; False if another writer has."""
        target = self.url(relative)
        if not self.local:  # a conditional put (S3 If-None-Match, GCS ifGenerationMatch=0)
            try:
                with self._fs.open(target, "xb") as handle:
                    handle.write(text.encode())
                return True
            except FileExistsError:
                return False
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        # link() of a finished temp file: the version appears complete or not at all, where
        # open("x") then write could leave a half-written version behind a crash
        temp = f"{target}.{uuid.uuid4().hex}.tmp"
        Path(temp).write_text(text, encoding="utf-8")
        try:
            os.link(temp, target)
            return True
        except FileExistsError:
            return False
        finally:
            os.unlink(temp)

    # -- reading the log ------------------------------------------------------------------------

    def latest(self, kind: str, table: str) -> Version | None:
        """The table's highest committed version, or None if it was never committed."""
        _check(kind, table)
        folder = f"{LOG}/{kind}/{table}"
        names = [n for n in self._listdir(folder) if re.fullmatch(r"\d{20}\.json", n)]
        if not names:
            return None
        doc = json.loads(self._read(f"{folder}/{names[-1]}"))
        return Version(number=int(doc["version"]),
                       entries=tuple(Entry(**e) for e in doc["files"]),
                       columns=tuple((c[0], c[1]) for c in doc.get("columns", [])))

    def committed_loads(self) -> set[str]:
        """Ids of the loads whose commit (their `meta/loads` entry) is published."""
        version = self.latest("meta", "loads")
        return {e.load for e in version.entries if e.load} if version else set()

    def files(self, kind: str, table: str, *, loads: set[str] | None = None) -> list[str]:
        """The live files of the table's latest version (`loads`: committed ids, if known)."""
        version = self.latest(kind, table)
        if version is None:
            return []
        if loads is None and any(e.load or e.removed_by for e in version.entries):
            loads = self.committed_loads()
        return [self.url(e.path) for e in version.entries if _visible(e, loads or set())]

    def columns(self, kind: str, table: str) -> list[tuple[str, str]]:
        """(name, DuckDB type) of the table's columns as last committed; [] if never."""
        version = self.latest(kind, table)
        return list(version.columns) if version else []

    def tables(self, kind: str) -> list[str]:
        """Tables of a kind that have at least one committed version."""
        _check(kind, "x")
        return [t for t in self._listdir(f"{LOG}/{kind}") if self.latest(kind, t)]

    # -- committing -----------------------------------------------------------------------------

    def commit(self, kind: str, table: str, *, add: list[str],
               remove_partitions: list[dict[str, str]] | None = None, remove_all: bool = False,
               remove_files: Iterable[str] = (), load: str | None = None,
               columns: list[tuple[str, str]] | None = None) -> int:
        """Publish `add` and drop the files of `remove_partitions` (or all) as the next version.

        `load`: the files (and the removals) take effect only once `commit_load(load)` is
        published. `columns`: the table's columns (else kept from the previous version, or read
        from the first added file). Returns the new version number.
        """
        prefixes = [f"{kind}/{table}/{partition_path(p)}/" for p in remove_partitions or []]
        return self._commit(kind, table, [Entry(self.relative(p), load=load) for p in add],
                            _Removal(remove_all, tuple(prefixes),
                                     frozenset(self.relative(p) for p in remove_files), load),
                            columns)

    def _commit(self, kind: str, table: str, added: list[Entry], removal: _Removal,
                columns: list[tuple[str, str]] | None) -> int:
        for _ in range(MAX_COMMIT_ATTEMPTS):
            previous = self.latest(kind, table)
            number = previous.number + 1 if previous else 0
            entries = self._kept(previous, removal) + added
            cols = columns or (list(previous.columns) if previous and previous.columns else None)
            if cols is None and added:
                cols = parquet_columns(self.url(added[0].path))
            doc = {"version": number, "table": table, "committed_at": time.time(),
                   "load": removal.load, "columns": [list(c) for c in cols or []],
                   "files": [e.as_json() for e in entries]}
            if self._create_exclusive(f"{LOG}/{kind}/{table}/{number:020d}.json",
                                      json.dumps(doc, separators=(",", ":"))):
                return number
        raise WarehouseError(f"could not commit {kind}/{table}: {MAX_COMMIT_ATTEMPTS} writers "
                             "committed before this one; is a writer stuck in a loop?")

    def _kept(self, previous: Version | None, removal: _Removal) -> list[Entry]:
        if previous is None:
            return []
        committed = self.committed_loads() if any(e.removed_by for e in previous.entries) else set()
        kept = []
        for entry in previous.entries:
            if entry.removed_by and entry.removed_by in committed:
                continue  # its replacement is published: the entry is history now
            if removal.matches(entry.path):
                if removal.load is None:
                    continue
                entry = Entry(entry.path, entry.load, removed_by=removal.load)
            kept.append(entry)
        return kept

    def commit_load(self, load: str, loads_file: str) -> int:
        """Publish a load: its `meta/loads` row file makes every file it committed visible."""
        return self.commit_loads([(load, loads_file)])

    def commit_loads(self, loads: list[tuple[str, str]]) -> int:
        """Publish several loads at once (a source whose files load all or nothing)."""
        return self._commit("meta", "loads", [Entry(self.relative(f), load=i) for i, f in loads],
                            _Removal(), None)

    def vacuum(self, *, older_than_seconds: float = 3600.0) -> list[str]:
        """Delete Parquet files no latest version names, older than the grace period (local)."""
        if not self.local:
            raise WarehouseError("vacuum runs on a local lake; on object storage use a "
                                 "lifecycle rule on files no version names")
        live = {p for kind in KINDS for t in self.tables(kind)
                for p in (e.path for e in (self.latest(kind, t) or _EMPTY).entries)}
        cutoff, removed = time.time() - older_than_seconds, []
        for path in Path(self.root).rglob("*.parquet"):
            rel = path.relative_to(self.root).as_posix()
            if rel not in live and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(rel)
        return removed


_EMPTY = Version(-1, (), ())


@dataclass(frozen=True)
class _Removal:
    """Which files of the previous version a commit drops, and the load that drops them."""

    everything: bool = False
    prefixes: tuple[str, ...] = ()
    files: frozenset[str] = frozenset()
    load: str | None = None

    def matches(self, path: str) -> bool:
        return self.everything or path in self.files or path.startswith(self.prefixes)


def _visible(entry: Entry, committed: set[str]) -> bool:
    if entry.load is not None and entry.load not in committed:
        return False  # its load never committed (still running, or killed)
    return entry.removed_by is None or entry.removed_by not in committed


def _check(kind: str, table: str) -> None:
    if kind not in KINDS:
        raise WarehouseError(f"unknown lake table kind {kind!r} (one of {', '.join(KINDS)})")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        raise WarehouseError(f"invalid lake table name {table!r}")


def attach(con: Any, lake: Lake | str, **options: Any) -> list[str]:
    """DuckDB views named like the lake's tables over their live files (lake_duckdb.attach)."""
    from fleetscope.warehouse.lake_duckdb import attach as attach_views

    return attach_views(con, lake, **options)


def parquet_columns(path: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a Parquet file's columns, read from its footer by DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        rows = con.execute("describe select * from read_parquet(?, hive_partitioning = false)",
                           [path]).fetchall()
    finally:
        con.close()
    return [(r[0], r[1]) for r in rows]


__all__ = ["KINDS", "Entry", "Lake", "Version", "attach", "parquet_columns", "partition_path"]
