"""`fleetscope collect incidents`: incidents from a CSV or JSON file."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, pass_app


@click.command("incidents")
@click.option("--path", type=click.Path(path_type=Path, dir_okay=False),
              help="CSV or JSON file [default: the config's incidents.path].")
@click.option("--source", help="Name of this incident list [default: incidents.source].")
@lock_timeout_option
@pass_app
def collect_incidents(app: AppContext, path: Path | None, source: str | None) -> None:
    """Load incidents: id, app (or service), created, resolved, caused_by (deploy id or sha).

    Rows replace by id, so loading an updated file again (an incident now resolved) updates it.

    \b
    Examples:
      fleetscope collect incidents --path incidents.csv
      fleetscope collect incidents --path pagerduty-export.json --source pagerduty
    """
    from fleetscope.ops import sources_git

    config = app.config.incidents
    if path is None and config.path is None:
        raise click.UsageError("give --path or configure incidents.path")
    chosen = path or app.config_dir / (config.path or "")
    app.collect([sources_git.incidents_file(chosen, source=source or config.source)])


__all__ = ["collect_incidents"]
