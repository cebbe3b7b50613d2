"""`fleetscope transform`: run the SQL models, incrementally by day."""

from __future__ import annotations

import click

from fleetscope.cli.context import AppContext, pass_app
from fleetscope.errors import FleetscopeError


@click.command("transform")
@click.option("--full-refresh", is_flag=True, help="Rebuild every model from all raw data.")
@pass_app
def transform(app: AppContext, full_refresh: bool) -> None:
    """Build staging views, intermediate models and marts from the raw snapshots.

    Only days whose inputs changed since the last run are recomputed.

    \b
    Examples:
      fleetscope transform
      fleetscope transform --full-refresh
    """
    raise FleetscopeError("transform is not implemented yet")


COMMANDS = [transform]
