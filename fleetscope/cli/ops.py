"""Operating commands: `validate`, `run` (what a schedule calls) and `lab`."""

from __future__ import annotations

import click

from fleetscope.cli.context import AppContext, pass_app
from fleetscope.errors import FleetscopeError


@click.command("validate")
@pass_app
def validate(app: AppContext) -> None:
    """Run the data-quality checks (Great Expectations) over staging and marts.

    \b
    Example:
      fleetscope validate
    """
    raise FleetscopeError("validate is not implemented yet")


@click.command("run")
@pass_app
def run(app: AppContext) -> None:
    """Collect every configured source, transform, validate and report.

    \b
    Example (cron, every day at 02:00 UTC):
      0 2 * * * cd /srv/fleetscope && fleetscope --config fleetscope.toml run
    """
    raise FleetscopeError("run is not implemented yet")


@click.command("lab")
@pass_app
def lab(app: AppContext) -> None:
    """Open JupyterLab on the notebooks folder with a read-only warehouse connection ready.

    \b
    Example:
      fleetscope lab
    """
    raise FleetscopeError("lab is not implemented yet")


COMMANDS = [validate, run, lab]
