"""`fleetscope transform`: run the SQL models, incrementally by day."""

from __future__ import annotations

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, pass_app
from fleetscope.config.sections import ENGINE_KINDS


@click.command("transform")
@click.option("--full-refresh", is_flag=True, help="Rebuild every model from all raw data.")
@click.option("--engine", type=click.Choice(ENGINE_KINDS), default=None,
              help="duckdb: the warehouse file; spark: the lake `[warehouse] lake`, on the "
                   "session `[engine.spark]` describes. Default: `[engine] kind`.")
@lock_timeout_option
@pass_app
def transform(app: AppContext, full_refresh: bool, engine: str | None) -> None:
    """Build staging views, intermediate models and marts from the raw snapshots.

    Only days whose inputs changed since the last run are recomputed; a change of prices, label
    keys or model SQL rebuilds everything. The run is one transaction. With `--engine spark`
    the same models run on Apache Spark, reading and writing the Parquet lake (one commit per
    model).

    \b
    Examples:
      fleetscope transform
      fleetscope transform --full-refresh
      fleetscope --config prod.toml transform --engine spark
    """
    from fleetscope.console import info, step

    if (engine or app.config.engine.kind) == "spark":
        from fleetscope.pipelines.transform import transform_on_spark

        with step("transform (spark)"):
            result = transform_on_spark(app.config, full_refresh=full_refresh, progress=info)
    else:
        from fleetscope.pipelines.transform import transform_warehouse

        with step("transform"), app.open_warehouse() as wh:
            result = transform_warehouse(wh, app.config, full_refresh=full_refresh,
                                         progress=info)
    info(f"transform: {len(result.built)} model(s) built, {len(result.days)} day(s) computed"
         + (" (full rebuild)" if result.full_refresh else ""))


COMMANDS = [transform]
