"""`fleetscope collect prometheus`: hourly usage and requests from Prometheus."""

from __future__ import annotations

import click

from fleetscope.cli.context import AppContext, parse_timestamp, pass_app
from fleetscope.errors import FleetscopeError


@click.command("prometheus")
@click.option("--url", help="Prometheus base URL (default: the config's sources).")
@click.option("--cluster", help="Cluster whose metrics the server holds.")
@click.option("--start", help="First hour to collect (ISO 8601, UTC); default: the watermark.")
@click.option("--end", help="End of the window (exclusive); default: the last complete hour.")
@pass_app
def collect_prometheus(app: AppContext, url: str | None, cluster: str | None, start: str | None,
                       end: str | None) -> None:
    """Collect per-container and per-node hourly usage, requests and capacity.

    \b
    Examples:
      fleetscope collect prometheus --url http://prometheus:9090 --cluster prod-eu
      fleetscope collect prometheus --url http://prometheus:9090 --cluster prod-eu \\
          --start 2026-11-01T00:00:00Z --end 2026-11-08T00:00:00Z
    """
    parse_timestamp(start, option="--start")
    parse_timestamp(end, option="--end")
    raise FleetscopeError("collect prometheus is not implemented yet")


__all__ = ["collect_prometheus"]
