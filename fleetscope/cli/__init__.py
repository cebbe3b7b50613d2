"""The `fleetscope` command line: a thin layer over the library.

Start-up must stay instant, so this package imports only click and the standard library at the
top; every command imports what it needs (pandas, duckdb, papermill, great_expectations...)
inside its body.
"""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope import __version__
from fleetscope.cli.context import AppContext
from fleetscope.errors import FleetscopeError


class _UserError(click.ClickException):
    """Printed by click as `Error: <message>`, exiting with the error's own code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        # click declares exit_code on the class; each error carries its own
        self.exit_code = exit_code  # type: ignore[misc]


class FleetscopeGroup(click.Group):
    """Turns every FleetscopeError raised by a command into `Error: ...` and its exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except FleetscopeError as exc:
            raise _UserError(str(exc), exc.exit_code) from None


@click.group(cls=FleetscopeGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                     "max_content_width": 100})
@click.option("--warehouse", "warehouse", type=click.Path(path_type=Path),
              envvar="FLEETSCOPE_WAREHOUSE",
              help="DuckDB warehouse file [default: fleetscope-data/fleetscope.duckdb, or the "
                   "config's warehouse.path]. Env: FLEETSCOPE_WAREHOUSE.")
@click.option("--config", "config", type=click.Path(path_type=Path), envvar="FLEETSCOPE_CONFIG",
              help="TOML configuration file (see docs/configuration.md). Env: FLEETSCOPE_CONFIG.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@click.version_option(__version__, prog_name="fleetscope")
@click.pass_context
def cli(ctx: click.Context, warehouse: Path | None, config: Path | None, quiet: bool) -> None:
    """Measure what moving from Helios to Kubernetes is worth: cost per team, utilization,
    percent migrated and delivery, in a DuckDB warehouse with weekly HTML reports.

    \b
    Examples:
      fleetscope demo --out demo                 # synthetic organisation, end to end
      fleetscope collect kubernetes --context prod
      fleetscope transform
      fleetscope report --week 2026-W47
      fleetscope query "select * from mart_team_cost_daily limit 5"
    """
    from fleetscope.console import set_quiet

    set_quiet(quiet)
    ctx.obj = AppContext(config_path=config, warehouse_override=warehouse)


def _register() -> None:
    from fleetscope.cli import collect, demo, export, ops, query, report, serve, transform

    for module in (demo, collect, transform, report, query, ops, serve, export):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="fleetscope")
