"""The lake's commit log (fleetscope.warehouse.lake): versions, partitions, loads, races."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from fleetscope.errors import WarehouseError
from fleetscope.warehouse.lake import Lake


def _write(lake: Lake, table: str, partition: dict[str, str], stem: str, rows: int) -> str:
    """A Parquet file of `rows` rows (n = 0..rows-1) at a new path of the table."""
    path = lake.new_file_path("raw", table, partition, stem)
    con = duckdb.connect()
    con.execute(f"copy (select range::bigint as n, 'x' as cluster from range({rows})) "
                f"to '{path}' (format parquet)")
    con.close()
    return path


def _count(files: list[str]) -> int:
    if not files:
        return 0
    return duckdb.connect().execute("select count(*) from read_parquet(?)", [files]).fetchone()[0]


def test_versions_list_every_live_file_and_replace_exactly_a_partition(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    assert lake.files("raw", "raw_t") == [] and lake.latest("raw", "raw_t") is None
    day1 = {"source_kind": "k", "cluster": "a", "day": "2026-01-01"}
    day2 = {"source_kind": "k", "cluster": "a", "day": "2026-01-02"}
    a1 = _write(lake, "raw_t", day1, "load1-0", 3)
    a2 = _write(lake, "raw_t", day2, "load1-1", 4)
    assert lake.commit("raw", "raw_t", add=[a1, a2]) == 0
    assert sorted(lake.files("raw", "raw_t")) == sorted([a1, a2])
    assert _count(lake.files("raw", "raw_t")) == 7  # 3 + 4
    assert lake.columns("raw", "raw_t") == [("n", "BIGINT"), ("cluster", "VARCHAR")]
    # a reload of day 1 with 5 rows: day 1's 3 rows go, day 2's 4 stay -> 5 + 4 = 9
    b1 = _write(lake, "raw_t", day1, "load2-0", 5)
    assert lake.commit("raw", "raw_t", add=[b1], remove_partitions=[day1]) == 1
    assert sorted(lake.files("raw", "raw_t")) == sorted([a2, b1])
    assert _count(lake.files("raw", "raw_t")) == 9
    assert lake.tables("raw") == ["raw_t"]
    log = tmp_path / "_log" / "raw" / "raw_t"
    assert sorted(p.name for p in log.iterdir()) == [f"{0:020d}.json", f"{1:020d}.json"]
    assert lake.commit("raw", "raw_t", add=[], remove_all=True) == 2
    assert lake.files("raw", "raw_t") == []
    assert lake.columns("raw", "raw_t") == [("n", "BIGINT"), ("cluster", "VARCHAR")]


def test_a_loads_files_appear_only_when_the_load_commits(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    day = {"source_kind": "k", "cluster": "a", "day": "2026-01-01"}
    old = _write(lake, "raw_t", day, "old", 2)
    lake.commit("raw", "raw_t", add=[old])
    new = _write(lake, "raw_t", day, "new", 6)
    lake.commit("raw", "raw_t", add=[new], remove_partitions=[day], load="L1")
    # L1 is not committed: the old file is still the table, the new one invisible
    assert lake.files("raw", "raw_t") == [old]
    loads_file = lake.new_file_path("meta", "loads", {}, "L1")
    Path(loads_file).write_bytes(Path(old).read_bytes())
    lake.commit_load("L1", loads_file)
    assert lake.files("raw", "raw_t") == [new]
    assert lake.committed_loads() == {"L1"}


def test_a_writer_that_loses_the_race_rereads_and_retries(tmp_path: Path) -> None:
    lake, rival = Lake(str(tmp_path)), Lake(str(tmp_path))
    a = _write(lake, "raw_t", {"cluster": "a"}, "a", 1)
    b = _write(lake, "raw_t", {"cluster": "b"}, "b", 1)
    lake.commit("raw", "raw_t", add=[a])
    # the rival read version 0, then someone published version 1 before it: its create of
    # version 1 fails, it re-reads version 1 (which holds `a`) and publishes version 2 = a + b
    (tmp_path / "_log/raw/raw_t" / f"{1:020d}.json").write_text(json.dumps(
        {"version": 1, "files": [{"path": lake.relative(a)}], "columns": []}))
    assert rival.commit("raw", "raw_t", add=[b]) == 2
    assert sorted(lake.files("raw", "raw_t")) == sorted([a, b])


def test_bad_names_and_paths_outside_the_lake_are_refused(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    with pytest.raises(WarehouseError, match="unknown lake table kind"):
        lake.files("marts", "x")
    with pytest.raises(WarehouseError, match="invalid lake table name"):
        lake.new_file_path("raw", "x; drop", {}, "s")
    with pytest.raises(WarehouseError, match="not under the lake"):
        lake.commit("raw", "raw_t", add=["/elsewhere/f.parquet"])
    # an odd cluster name stays one folder level: `/` is encoded
    path = lake.new_file_path("raw", "raw_t", {"cluster": "a/b"}, "load:1")
    assert path.endswith("raw/raw_t/cluster=a%2Fb/load_1.parquet")


def test_attach_makes_views_and_never_hides_rows(tmp_path: Path) -> None:
    from fleetscope.warehouse.lake import attach

    lake = Lake(str(tmp_path / "lake"))
    day = {"source_kind": "k", "cluster": "a", "day": "2026-01-01"}
    lake.commit("raw", "raw_t", add=[_write(lake, "raw_t", day, "l-0", 3)])
    con = duckdb.connect()
    con.execute("create table raw_t (n bigint, cluster varchar)")  # empty: becomes the view
    assert attach(con, lake) == ["raw_t"]
    assert con.execute("select count(*), sum(n) from raw_t").fetchone() == (3, 3)  # 0 + 1 + 2
    other = duckdb.connect()
    other.execute("create table raw_t as select 7::bigint as n, 'b' as cluster")
    with pytest.raises(WarehouseError, match="holds 1 rows"):
        attach(other, lake)
    attach(other, lake, temporary=True)  # a temporary view shadows it for this connection only
    assert other.execute("select count(*) from raw_t").fetchone() == (3,)


def test_attach_lake_refusing_a_table_changes_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fleetscope.cli import cli
    from fleetscope.warehouse import Warehouse

    lake = Lake(str(tmp_path / "lake"))
    for table in ("raw_helios_hosts", "raw_k8s_nodes"):
        path = lake.new_file_path("raw", table, {"cluster": "a"}, "l-0")
        duckdb.connect().execute(f"copy (select 'x' as host) to '{path}' (format parquet)")
        lake.commit("raw", table, add=[path])
    warehouse = tmp_path / "wh.duckdb"
    with Warehouse(warehouse) as wh:  # raw_helios_hosts (first attached) is empty, nodes not
        wh.con.execute("insert into raw_k8s_nodes (load_id, collected_at, cluster, node_name, "
                       "is_spot) values ('l', now(), 'a', 'n1', false)")
    result = CliRunner().invoke(cli, ["-q", "--warehouse", str(warehouse), "attach-lake",
                                      lake.root])
    assert result.exit_code == 5  # WarehouseError
    assert "Error: table raw_k8s_nodes holds 1 rows; a lake view would hide them" in result.output
    con = duckdb.connect(str(warehouse), read_only=True)
    kinds = dict(con.execute("select table_name, table_type from information_schema.tables "
                             "where table_name in ('raw_helios_hosts', 'raw_k8s_nodes')"
                             ).fetchall())
    assert kinds == {"raw_helios_hosts": "BASE TABLE", "raw_k8s_nodes": "BASE TABLE"}
