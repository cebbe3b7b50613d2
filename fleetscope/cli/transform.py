"""`fleetscope transform`: run the SQL models, incrementally by day."""

from __future__ import annotations

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, pass_app


@click.command("transform")
@click.option("--full-refresh", is_flag=True, help="Rebuild every model from all raw data.")
@lock_timeout_option
@pass_app
def transform(app: AppContext, full_refresh: bool) -> None:
    """Build staging views, intermediate models and marts from the raw snapshots.

    Only days whose inputs changed since the last run are recomputed; a change of prices, label
    keys or model SQL rebuilds everything. The run is one transaction.

    \b
    Examples:
      fleetscope transform
      fleetscope transform --full-refresh
    """
    from fleetscope.console import info, step
    from fleetscope.pipelines.transform import transform_warehouse

    with step("transform"), app.open_warehouse() as wh:
        result = transform_warehouse(wh, app.config, full_refresh=full_refresh, progress=info)
    info(f"transform: {len(result.built)} model(s) built, {len(result.days)} day(s) computed"
         + (" (full rebuild)" if result.full_refresh else ""))


COMMANDS = [transform]
