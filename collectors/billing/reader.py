"""Read FOCUS 1.0-1.3 bill exports (CSV, CSV.gz, Parquet; a file or a folder of them) into one
`LoadBatch` per billing period.

A month of hourly lines is millions of rows, so nothing goes through pandas or Python rows: an
in-memory DuckDB connection (never the warehouse) streams each file into a Parquet file in a
temporary folder, in file order (`preserve_insertion_order`), so that `file_row_number` gives
each row's line; a second pass converts and checks the text in SQL and writes the staged rows
the warehouse inserts (`StagedRows`). Every file is read and checked before the first batch is
yielded, so a bad file anywhere leaves the warehouse unchanged.

`line_number` is the CSV record's line counting the header as line 1 (record n is line n + 1;
it is the physical line unless a quoted value spans lines). A Parquet row gets the same number
as if the file had a header: its 1-based position + 1.
"""

from __future__ import annotations

import csv
import gzip
import re
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from fleetscope.collectors.billing.columns import (
    OUTPUT_COLUMNS,
    Header,
    literal,
    problem_sql,
    select_sql,
)
from fleetscope.collectors.progress import Progress, quiet
from fleetscope.errors import InputError
from fleetscope.warehouse import LoadBatch, StagedRows, Window

SUFFIXES = (".csv", ".csv.gz", ".parquet")
_PROBLEMS = {"no value": "no value (the column is required)",
             "date": "is not a date (FOCUS: ISO 8601, e.g. 2024-09-01T00:00:00Z)",
             "number": "is not a number",
             "tags": "is not a JSON object (Tags must be an object or NULL)"}


@dataclass(frozen=True)
class Staged:
    """One export, converted and checked: its staged Parquet and rows per billing period."""

    path: Path
    periods: dict[tuple[datetime, datetime], int]
    modified_at: datetime


def export_files(path: Path) -> list[tuple[Path, str]]:
    """(file, name for messages) of every export under `path`, in a stable order."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_file():
        if not path.name.lower().endswith(SUFFIXES):
            raise InputError(f"{path}: not a FOCUS export (expected .csv, .csv.gz or .parquet)")
        return [(path, path.name)]
    found = sorted(p for p in path.rglob("*") if p.is_file()
                   and p.name.lower().endswith(SUFFIXES))
    if not found:
        raise InputError(f"{path}: no FOCUS export (.csv, .csv.gz or .parquet) in this folder")
    return [(p, str(p.relative_to(path))) for p in found]


def read_focus_path(path: Path, *, source: str, currency: str,
                    progress: Progress = quiet) -> Iterator[LoadBatch]:
    """One LoadBatch per billing period of the exports under `path` (see the module doc)."""
    files = export_files(path)
    with tempfile.TemporaryDirectory(prefix="fleetscope-focus-") as folder:
        con = duckdb.connect()
        try:
            con.execute("set TimeZone = 'UTC'")
            # Bounded whatever the file's size: DuckDB spills to the temporary folder past 256 MB
            # instead of taking its default of 80% of the machine's memory.
            con.execute(f"set temp_directory = {literal(folder)}")
            con.execute("set memory_limit = '256MB'")
            con.execute("set enable_progress_bar = false")  # collectors never print
            staged = [_stage(con, file, name, Path(folder) / f"{i}", currency, progress)
                      for i, (file, name) in enumerate(files)]
        finally:
            con.close()
        yield from _batches(staged, source)


def _batches(staged: list[Staged], source: str) -> Iterator[LoadBatch]:
    periods = sorted({period for s in staged for period in s.periods})
    for start, end in periods:
        parts = [s for s in staged if (start, end) in s.periods]
        rows = sum(s.periods[(start, end)] for s in parts)
        table = StagedRows(tuple(s.path for s in parts), OUTPUT_COLUMNS, rows,
                           (("billing_period_start", start), ("billing_period_end", end)))
        yield LoadBatch("billing", source, max(s.modified_at for s in parts),
                        {"raw_billing_lines": table},
                        window=Window(start, end, column="billing_period_start"))


def _stage(con: duckdb.DuckDBPyConnection, file: Path, name: str, stem: Path, currency: str,
           progress: Progress) -> Staged:
    raw = _read_raw(con, file, name, stem.with_suffix(".raw.parquet"))
    scan = f"read_parquet({literal(str(raw))}, file_row_number = true)"
    try:
        header = Header.of([(r[0], r[1]) for r in con.execute(f"describe select * from {scan}")
                            .fetchall() if r[0] != "file_row_number"])
    except duckdb.Error as exc:
        raise InputError(f"{name}: not a readable Parquet file ({_first_line(exc)})") from None
    missing = header.missing()
    if missing:
        raise InputError(f"{name}:1:{missing[0]}: required FOCUS column is missing (needed: "
                         f"{', '.join(missing)})")
    _check_rows(con, header, scan, name, currency)
    out = stem.with_suffix(".parquet")
    con.execute(f"copy ({select_sql(header, name)} from {scan}) "
                f"to {literal(str(out))} (format parquet)")
    if raw != file:
        raw.unlink()
    periods = {(r[0], r[1]): r[2] for r in con.execute(
        "select billing_period_start, billing_period_end, count(*) from read_parquet(?) "
        "group by all", [str(out)]).fetchall()}
    progress(f"billing {name}: read {sum(periods.values()):,} rows")
    modified = datetime.fromtimestamp(file.stat().st_mtime, UTC).replace(tzinfo=None,
                                                                         microsecond=0)
    return Staged(out, periods, modified)


def _read_raw(con: duckdb.DuckDBPyConnection, file: Path, name: str, raw: Path) -> Path:
    """The export as Parquet with its rows in file order: Parquet as is, CSV copied as text."""
    if file.name.lower().endswith(".parquet"):
        with file.open("rb") as handle:
            if handle.read(4) != b"PAR1":
                raise InputError(f"{name}: not a Parquet file (no PAR1 magic number)")
        return file
    columns = _csv_header(file, name)
    spec = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in columns) + "}"
    # No sniffing: every column is text and the dialect is RFC 4180's, so that a broken file
    # fails on its line instead of being guessed into another shape. `NULL` (unquoted or not)
    # and the empty value are both missing.
    reader = (f"read_csv({literal(str(file))}, header = true, auto_detect = false, "
              f"columns = {spec}, delim = ',', quote = '\"', escape = '\"', "
              "nullstr = ['NULL', ''], strict_mode = true)")
    try:
        con.execute(f"copy (select * from {reader}) to {literal(str(raw))} (format parquet)")
    except duckdb.Error as exc:
        raise _csv_error(name, exc) from None
    return raw


def _csv_header(file: Path, name: str) -> list[str]:
    """The header's column names; refuses binary content and a damaged .gz before DuckDB."""
    opener = gzip.open if file.name.lower().endswith(".gz") else open
    try:
        with opener(file, "rb") as handle:
            head = handle.read(65536)
            if b"\0" in head:
                raise InputError(f"{name}:1: not a CSV file (binary content); FOCUS exports "
                                 "are CSV, CSV.gz or Parquet")
            if opener is gzip.open:
                while handle.read(1 << 20):  # the whole stream, for its length and CRC
                    pass
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(f"{name}: truncated or corrupt gzip file ({exc})") from None
    text = head.decode("utf-8-sig", errors="replace")
    row = next(csv.reader(text.splitlines()[:1]), None)
    if not row:
        raise InputError(f"{name}:1: empty file, no header line")
    return row


def _csv_error(name: str, exc: duckdb.Error) -> InputError:
    message = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", message)
    reason = message.split("\n\nPossible fixes")[0].strip().splitlines()[-1]
    where = f"{name}:{line.group(1)}" if line else name
    return InputError(f"{where}: broken CSV: {reason}")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_rows(con: duckdb.DuckDBPyConnection, header: Header, scan: str, name: str,
                currency: str) -> None:
    """The first row that cannot be loaded, named by line and column."""
    found = con.execute(
        f"select file_row_number, problem from (select file_row_number, {problem_sql(header)} "
        f"as problem from {scan}) where problem is not null order by file_row_number limit 1",
        [currency]).fetchone()
    if found is None:
        return
    row, problem = found
    focus, kind = problem.split("\t")
    value = con.execute(f"select {header.text(focus)} from {scan} where file_row_number = ?",
                        [row]).fetchone()
    where = f"{name}:{row + 2}:{focus}"
    if kind == "currency":
        raise InputError(f"{where}: currency {value[0] if value else None!r} is not "
                         f"pricing.currency {currency!r} (fleetscope does not convert)")
    shown = f"{value[0]!r} " if value and value[0] is not None and kind != "no value" else ""
    raise InputError(f"{where}: {shown}{_PROBLEMS[kind]}")


__all__ = ["SUFFIXES", "Staged", "export_files", "read_focus_path"]
