"""`fleetscope export lake` and `fleetscope attach-lake`: move a warehouse to a Parquet lake,
and point a warehouse file's tables at a lake (see docs/scale.md)."""

from __future__ import annotations

import time

import click

from fleetscope.cli.context import AppContext, pass_app
from fleetscope.errors import ConfigError


@click.group("export")
def export() -> None:
    """Write the warehouse somewhere else."""


@export.command("lake")
@click.option("--to", "to", required=True, metavar="PATH",
              help="Lake root: a folder, or s3://bucket/prefix (with s3fs installed).")
@click.option("--models", is_flag=True, help="Also write every model (marts included).")
@pass_app
def export_lake(app: AppContext, to: str, models: bool) -> None:
    """Write the warehouse's raw tables (partitioned by source kind, cluster and day), its ref_*,
    loads and state tables, and with --models its models, to a Parquet lake. Each table
    replaces the lake's in one commit; the warehouse is only read.

    \b
    Examples:
      fleetscope export lake --to /data/fleetscope-lake
      fleetscope export lake --to s3://acme-finops/fleetscope --models
    """
    from fleetscope.console import info, step
    from fleetscope.warehouse import connect_read_only
    from fleetscope.warehouse.lake_duckdb import export as export_to_lake

    con = connect_read_only(app.warehouse_path)
    try:
        chosen = _models(con) if models else {}
        started = time.perf_counter()
        with step("export"):
            rows = export_to_lake(con, to, models=chosen, progress=info)
    finally:
        con.close()
    info(f"export: {len(rows)} table(s), {sum(rows.values())} rows to {to} in "
         f"{time.perf_counter() - started:.1f} s")


def _models(con: object) -> dict[str, str | None]:
    """Every model the warehouse holds -> its date column (partitions its files), or None."""
    from fleetscope.pipelines.runner import discover_models

    present = {r[0] for r in con.execute(  # type: ignore[attr-defined]
        "select table_name from information_schema.tables").fetchall()}
    return {m.name: (m.date_column if m.materialized == "incremental" else None)
            for m in discover_models() if m.name in present}


@click.command("attach-lake")
@click.argument("lake", required=False)
@click.option("--models/--no-models", default=True, show_default=True,
              help="Attach the lake's models too (else raw, ref_* and loads only).")
@pass_app
def attach_lake(app: AppContext, lake: str | None, models: bool) -> None:
    """Make the warehouse's tables views over a lake's current files (default: the config's
    `[warehouse] lake`), so `query`, `validate` and `report` read the lake. An empty table is
    replaced by its view; a table holding rows is refused. Run it again after the lake changes.

    \b
    Examples:
      fleetscope --warehouse reader.duckdb attach-lake /data/fleetscope-lake
    """
    from fleetscope.console import info
    from fleetscope.warehouse.lake_duckdb import attach

    lake = lake or app.config.warehouse.lake
    if not lake:
        raise ConfigError("attach-lake: give a LAKE path or set [warehouse] lake in the config")
    kinds = ("raw", "ref", "meta", "models") if models else ("raw", "ref", "meta")
    with app.open_warehouse() as wh, wh.transaction():  # all views or none
        names = attach(wh.con, lake, kinds=kinds)
    info(f"attach-lake: {len(names)} view(s) over {lake}")


COMMANDS = [export, attach_lake]
