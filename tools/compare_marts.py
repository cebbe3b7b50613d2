"""Check that two warehouses hold the same marts: the proof that a restructuring changed no number.

    python tools/compare_marts.py BEFORE.duckdb AFTER.duckdb            # every mart_ relation
    python tools/compare_marts.py BEFORE.duckdb AFTER.duckdb --prefix mart_,stg_
    python tools/compare_marts.py AFTER.duckdb                           # digests only

For each relation it prints the row count and a digest, then (given two warehouses) `equal` or how
many values differ. Rows are compared sorted, every column by name: text, dates and integers to the
letter, doubles to 1e-9 (relative or absolute). The tolerance is there because a rewritten query
may add the same numbers in another order, which changes the last bits of a double sum and nothing
a report shows (a cent is 1e-2).

The digest is the SQL below, which anyone can run in `duckdb -readonly`: an md5 over the sorted
rows with every double rounded to 6 decimals. It is a fingerprint to quote, not the test: a value
sitting on a rounding boundary can flip its last digit between two equal-to-1e-9 runs.
"""

from __future__ import annotations

import argparse
import math
import sys

import duckdb

DIGEST_SQL = """
select count(*) as row_count,
       md5(coalesce(string_agg(row_text, '|' order by row_text), '')) as digest
from (select cast(({columns}) as varchar) as row_text from {relation})
"""


def relations(con: duckdb.DuckDBPyConnection, prefixes: tuple[str, ...]) -> list[str]:
    names = con.execute("select table_name from information_schema.tables "
                        "where table_schema = 'main' order by 1").fetchall()
    return [n for (n,) in names if n.startswith(prefixes)]


def columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(name, type) sorted by name, so column order does not matter."""
    return sorted(con.execute("select column_name, data_type from information_schema.columns "
                              "where table_schema = 'main' and table_name = ?",
                              [relation]).fetchall())


def digest(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, str]:
    parts = [f"round({name}, 6)" if kind == "DOUBLE" else name
             for name, kind in columns(con, relation)]
    row = con.execute(DIGEST_SQL.format(columns=", ".join(parts) + ",",
                                        relation=relation)).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def differing_values(a: duckdb.DuckDBPyConnection, b: duckdb.DuckDBPyConnection,
                     relation: str) -> str | None:
    """None when equal, else what differs."""
    cols_a, cols_b = columns(a, relation), columns(b, relation)
    if cols_a != cols_b:
        return f"columns differ: {sorted(set(cols_a) ^ set(cols_b))}"
    exact = [name for name, kind in cols_a if kind != "DOUBLE"]
    order = ", ".join(exact + [name for name, kind in cols_a if kind == "DOUBLE"])
    query = f"select {', '.join(n for n, _ in cols_a)} from {relation} order by {order}"
    rows_a, rows_b = a.execute(query).fetchall(), b.execute(query).fetchall()
    if len(rows_a) != len(rows_b):
        return f"{len(rows_a)} vs {len(rows_b)} rows"
    doubles = [kind == "DOUBLE" for _, kind in cols_a]
    count = sum(not _same(x, y, is_double)
                for row_a, row_b in zip(rows_a, rows_b, strict=True)
                for x, y, is_double in zip(row_a, row_b, doubles, strict=True))
    return f"{count} values differ" if count else None


def _same(x: object, y: object, is_double: bool) -> bool:
    if is_double and isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
    return x == y


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouses", nargs="+", metavar="WAREHOUSE", help="one or two files")
    parser.add_argument("--prefix", default="mart_", help="comma-separated relation prefixes")
    args = parser.parse_args()
    if len(args.warehouses) > 2:
        parser.error("give one or two warehouses")
    prefixes = tuple(args.prefix.split(","))
    cons = [duckdb.connect(path, read_only=True) for path in args.warehouses]
    names = sorted(set().union(*(relations(con, prefixes) for con in cons)))
    failed = 0
    for name in names:
        missing = [path for con, path in zip(cons, args.warehouses, strict=True)
                   if name not in relations(con, prefixes)]
        if missing:
            print(f"{name:40s} missing in {', '.join(missing)}")
            failed += 1
            continue
        count, fingerprint = digest(cons[-1], name)
        verdict = ""
        if len(cons) == 2:
            problem = differing_values(cons[0], cons[1], name)
            verdict = problem or "equal"
            failed += problem is not None
        print(f"{name:40s} {count:8d} rows  md5 {fingerprint}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
