"""`fleetscope report`: the weekly leadership report, team reports and the index page."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, pass_app
from fleetscope.errors import FleetscopeError


@click.command("report")
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week).")
@click.option("--team", "teams", multiple=True, help="Team report(s) to render (default: all).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder [default: the config's reports.out_dir].")
@pass_app
def report(app: AppContext, week: str | None, teams: tuple[str, ...], out: Path | None) -> None:
    """Render reports to HTML that opens offline, plus an index.html.

    \b
    Examples:
      fleetscope report --week 2026-W47
      fleetscope report --team payments --out site
    """
    raise FleetscopeError("report is not implemented yet")


COMMANDS = [report]
