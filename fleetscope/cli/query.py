"""`fleetscope query`: SQL over the warehouse for analysts and scripts (read-only, instant)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys

import click

from fleetscope.cli.context import AppContext, pass_app
from fleetscope.errors import FleetscopeError


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value


def _table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[("" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v)))
              for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r[i], int | float | decimal.Decimal) or r[i] is None for r in rows)
               and rows for i in range(len(columns))]
    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()
    out = [line(columns), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


@click.command("query")
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format; csv and json print nothing else on stdout.")
@click.option("--writer", "from_writer", is_flag=True,
              help="Read the writer's file itself, not the published read copy (operators: it "
                   "waits for, and can delay, a running `fleetscope run`).")
@pass_app
def query(app: AppContext, sql: str, fmt: str, from_writer: bool) -> None:
    """Run read-only SQL against the warehouse's published read copy and print the result.

    The copy is what the last validated run published (docs/operations.md, "Who reads what"),
    so a query never waits for a run; --writer reads the writer's file, as it is now.

    \b
    Examples:
      fleetscope query "select team, sum(total_cost) as cost from mart_team_cost_daily
                        group by team order by cost desc limit 10"
      fleetscope query "select * from mart_migration_daily where team = '__all__'" --format csv
      fleetscope query --writer "select * from loads order by finished_at desc limit 5"
    """
    import duckdb

    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(app.warehouse_path, writer=from_writer)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        raise FleetscopeError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        records = [{c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        json.dump(records, sys.stdout, indent=None, allow_nan=False, default=str)
        sys.stdout.write("\n")
    else:
        click.echo(_table(columns, rows))


COMMANDS = [query]
