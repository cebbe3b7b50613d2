"""Moving to the lake changes no number: a 7-day demo exported, attached and transformed again.

The real CLI (`export lake`, `transform` with `[warehouse] lake`, `attach-lake`, `query`) on a
real demo warehouse; every mart of the lake-backed transform equals the original's: row counts
exactly, every non-float column as a multiset, every float column's total to the cent.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from fleetscope.cli import cli
from fleetscope.demo.run import run_demo
from fleetscope.warehouse.lake import Lake

pytestmark = pytest.mark.slow
FLOATS = ("DOUBLE", "FLOAT", "REAL")
# Whole numbers floored from float ratios: two DuckDB transforms of the SAME warehouse already
# disagree on a few rows (float sums in another order land either side of an integer: 3 of 525
# rows of count_median_pods_fit in the 7-day demo), so they are held to 1% of their total.
FLOORED = {"count_median_pods_fit", "days_to_threshold"}


def _marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' and "
        "table_catalog = current_database() and table_name like 'mart\\_%' escape '\\' "
        "order by 1").fetchall()]


def _differences(con: duckdb.DuckDBPyConnection, mart: str) -> list[str]:
    """How `lake.<mart>` differs from `orig.<mart>` (empty: equal)."""
    columns = con.execute(f"describe orig.{mart}").fetchall()
    exact = ", ".join(f'"{c}"' for c, t, *_ in columns if not t.startswith(FLOATS)
                      and not t.startswith("DECIMAL") and c not in FLOORED)
    money = [c for c, t, *_ in columns if t.startswith(FLOATS) or t.startswith("DECIMAL")]
    found = []
    counts = [con.execute(f"select count(*) from {db}.{mart}").fetchone()[0]
              for db in ("orig", "lake")]
    if counts[0] != counts[1]:
        found.append(f"{mart}: {counts[0]} rows vs {counts[1]}")
    for left, right in (("orig", "lake"), ("lake", "orig")):
        extra = con.execute(f"select count(*) from (select {exact} from {left}.{mart} except all "
                            f"select {exact} from {right}.{mart})").fetchone()[0]
        if extra:
            found.append(f"{mart}: {extra} row(s) only in {left}")
    for column in money:
        a, b = (con.execute(f'select coalesce(sum("{column}"), 0) from {db}.{mart}').fetchone()[0]
                for db in ("orig", "lake"))
        if abs(float(a) - float(b)) >= 0.005:
            found.append(f"{mart}.{column}: {a} vs {b}")
    for column in (c for c, *_ in columns if c in FLOORED):
        a, b = (con.execute(f'select coalesce(sum("{column}"), 0) from {db}.{mart}').fetchone()[0]
                for db in ("orig", "lake"))
        if abs(a - b) > 0.01 * abs(a):
            found.append(f"{mart}.{column}: {a} vs {b}")
    return found


def test_a_warehouse_moved_to_the_lake_transforms_to_the_same_marts(tmp_path: Path) -> None:
    original = tmp_path / "demo" / "warehouse.duckdb"
    run_demo(tmp_path / "demo", days=7, end=date(2026, 11, 23), reports=False)
    lake, moved = tmp_path / "lake", tmp_path / "moved.duckdb"
    config = tmp_path / "fleetscope.toml"
    config.write_text(f'[warehouse]\nlake = "{lake}"\n')
    runner = CliRunner()
    result = runner.invoke(cli, ["-q", "--warehouse", str(original), "export", "lake",
                                 "--to", str(lake)])
    assert result.exit_code == 0, result.output
    # the demo loaded kubernetes snapshots of 3 clusters: each is its own cluster= folder
    pods = Lake(str(lake)).files("raw", "raw_k8s_pods")
    assert {p.split("cluster=")[1].split("/")[0] for p in pods} == {
        "prod-eu", "prod-us", "staging-eu"}
    result = runner.invoke(cli, ["-q", "--warehouse", str(moved), "--config", str(config),
                                 "transform", "--full-refresh"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect()
    con.execute(f"attach '{original}' as orig (read_only)")
    con.execute(f"attach '{moved}' as lake (read_only)")
    con.execute("use orig")
    marts = _marts(con)
    assert len(marts) >= 20
    problems = [p for mart in marts for p in _differences(con, mart)]
    assert problems == []
    # the moved warehouse read no raw row of its own: its raw tables are views over the lake
    kinds = dict(con.execute("select table_name, table_type from information_schema.tables "
                             "where table_catalog = 'lake' and table_name in "
                             "('raw_k8s_pods', 'loads')").fetchall())
    assert kinds == {"raw_k8s_pods": "VIEW", "loads": "VIEW"}


def test_query_reads_marts_exported_to_the_lake(tmp_path: Path) -> None:
    """`export lake --models`, then a fresh warehouse `attach-lake`s it and `query` reads it."""
    source = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(source))
    con.execute("create table loads (load_id varchar, source_kind varchar)")
    con.execute("create table state (state_key varchar, state_value varchar)")
    # 3 teams x 2 days; costs 1.10 + 2.20 + 3.30 per day -> total 2 x 6.60 = 13.20
    con.execute("create table mart_team_cost_daily as select * from (values "
                "(date '2026-11-01', 'a', 1.10), (date '2026-11-01', 'b', 2.20), "
                "(date '2026-11-01', 'c', 3.30), (date '2026-11-02', 'a', 1.10), "
                "(date '2026-11-02', 'b', 2.20), (date '2026-11-02', 'c', 3.30)) "
                "t(cost_date, team, total_cost)")
    con.close()
    runner, lake, reader = CliRunner(), tmp_path / "lake", tmp_path / "reader.duckdb"
    result = runner.invoke(cli, ["-q", "--warehouse", str(source), "export", "lake", "--to",
                                 str(lake), "--models"])
    assert result.exit_code == 0, result.output
    files = Lake(str(lake)).files("models", "mart_team_cost_daily")
    assert sorted(f.split("/")[-2] for f in files) == ["cost_date=2026-11-01",
                                                       "cost_date=2026-11-02"]
    result = runner.invoke(cli, ["-q", "--warehouse", str(reader), "attach-lake", str(lake)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["-q", "--warehouse", str(reader), "query", "--format", "csv",
                                 "select count(*) n, sum(total_cost) c from mart_team_cost_daily"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["n,c", "6,13.20"]
