"""The published read copy on real DuckDB files: what readers open, when copies go, and that a
reader holding a copy (in another process) never stops the writer."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from fleetscope.errors import WarehouseError
from fleetscope.warehouse import Warehouse, connect_read_only
from fleetscope.warehouse.readcopy import (
    current_copy,
    in_use,
    prune_read_copies,
    publish_read_copy,
    read_copy_dir,
)

# Holds a read connection through the public notebooks connect(), prints the sum, and waits for
# "q" (query again on the same connection), "r" (reconnect) or "x" (exit) on stdin.
READER = """
import sys
from fleetscope.notebooks import connect
con = connect(sys.argv[1])
command = "q"
while command:
    if command == "x":
        break
    if command == "r":
        con.close()
        con = connect(sys.argv[1])
    print(con.execute("select sum(x) from t").fetchone()[0], flush=True)
    command = sys.stdin.readline().strip()
"""


def write(path: Path, *values: int) -> None:
    with Warehouse(path) as wh:
        wh.con.execute("create table if not exists t (x integer)")
        for value in values:
            wh.con.execute("insert into t values (?)", [value])


def total(path: Path, *, writer: bool = False) -> int:
    con = connect_read_only(path, writer=writer)
    try:
        return con.execute("select sum(x) from t").fetchone()[0]
    finally:
        con.close()


def test_readers_see_the_published_state_until_the_next_publish(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    write(warehouse, 1)
    assert current_copy(warehouse) is None
    assert total(warehouse) == 1  # nothing published yet: the writer's file, read-only
    first = publish_read_copy(warehouse)
    assert first.path.parent == tmp_path / "wh.duckdb.d" / "copies"
    assert first.size_bytes == first.path.stat().st_size
    assert oct(first.path.stat().st_mode & 0o777) == "0o444"
    write(warehouse, 2)
    assert total(warehouse) == 1  # the copy: the unpublished 2 is not there
    assert total(warehouse, writer=True) == 3  # 1 + 2 in the writer's file
    second = publish_read_copy(warehouse)
    assert total(warehouse) == 3
    # The first copy had no reader left: removed at the second publish.
    assert second.removed == [first.path]
    assert sorted(p.name for p in (read_copy_dir(warehouse) / "copies").iterdir()) == [
        second.path.name
    ]


def test_a_reader_process_keeps_its_copy_and_the_writer_is_never_blocked(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    write(warehouse, 10)
    first = publish_read_copy(warehouse)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None
    try:
        assert reader.stdout.readline().strip() == "10"
        assert in_use(first.path)
        # The writer opens its file read-write while the reader holds the copy: had they shared
        # a file, Warehouse() would raise "in use by another process" (this reader never lets go).
        write(warehouse, 5)
        second = publish_read_copy(warehouse, keep_hours=24)
        assert first.path.exists() and second.removed == []  # in use, younger than 24 h
        reader.stdin.write("q\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "10"  # still the old copy
        # 25 hours later the copy is unlinked although open; the reader reads on.
        removed = prune_read_copies(warehouse, keep_hours=24, now=time.time() + 25 * 3600)
        assert removed == [first.path] and not first.path.exists()
        reader.stdin.write("q\nr\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "10"
        assert reader.stdout.readline().strip() == "15"  # reconnected: 10 + 5
        reader.stdin.write("x\n")
        reader.stdin.flush()
        assert reader.wait(timeout=30) == 0
    finally:
        reader.kill()


def test_leftovers_of_an_interrupted_publish_are_removed(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    write(warehouse, 1)
    copies = read_copy_dir(warehouse) / "copies"
    copies.mkdir(parents=True)
    (copies / "20260101T000000Z-deadbeef.duckdb.tmp").write_bytes(b"half a copy")
    published = publish_read_copy(warehouse)
    assert published.removed == [copies / "20260101T000000Z-deadbeef.duckdb.tmp"]


def test_a_pointer_to_a_missing_copy_falls_back_to_the_writer(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    write(warehouse, 4)
    folder = read_copy_dir(warehouse)
    folder.mkdir()
    (folder / "current").write_text("gone.duckdb\n")
    assert total(warehouse) == 4


def test_a_missing_warehouse_is_named(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match=r"wh.duckdb does not exist"):
        connect_read_only(tmp_path / "wh.duckdb")


def test_a_reader_of_the_writer_file_still_blocks_the_writer(tmp_path: Path) -> None:
    """The original problem, now only for operators' `query --writer`: DuckDB's file lock."""
    warehouse = tmp_path / "wh.duckdb"
    write(warehouse, 1)
    publish_read_copy(warehouse)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom fleetscope.warehouse import connect_read_only\n"
            f"con = connect_read_only({str(warehouse)!r}, writer=True)\n"
            "print('held', flush=True)\nsys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(WarehouseError, match="is in use by another process"):
            write(warehouse, 2)
    finally:
        holder.communicate("", timeout=30)
    assert total(warehouse, writer=True) == 1  # nothing was written
