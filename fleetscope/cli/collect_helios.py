"""`fleetscope collect helios`: jobs, hosts and deployments of the Helios master."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, parse_timestamp, pass_app
from fleetscope.errors import FleetscopeError


@click.command("helios")
@click.option("--url", help="Helios master URL (default port 5801).")
@click.option("--from-file", "from_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the offline document {jobs, hosts, history}.")
@click.option("--dump", type=click.Path(path_type=Path, dir_okay=False),
              help="With --url: also write the offline document to this file.")
@click.option("--collected-at", help="Snapshot time for --from-file (ISO 8601, UTC).")
@pass_app
def collect_helios(app: AppContext, url: str | None, from_file: Path | None, dump: Path | None,
                   collected_at: str | None) -> None:
    """Snapshot Helios jobs, hosts, deployments and job history.

    \b
    Examples:
      fleetscope collect helios --url http://helios-master:5801
      fleetscope collect helios --from-file helios-2026-11-20.json --collected-at 2026-11-20
    """
    parse_timestamp(collected_at, option="--collected-at")
    raise FleetscopeError("collect helios is not implemented yet")


__all__ = ["collect_helios"]
