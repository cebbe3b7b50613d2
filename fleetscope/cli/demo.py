"""`fleetscope demo`: a synthetic organisation, collected, transformed and reported."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, pass_app
from fleetscope.errors import FleetscopeError


@click.command("demo")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("demo"),
              show_default=True, help="Folder for everything the demo writes.")
@click.option("--seed", type=int, default=7, show_default=True,
              help="Random seed; the same seed writes the same organisation.")
@click.option("--days", type=click.IntRange(7, 120), default=75, show_default=True,
              help="Days of hourly history.")
@pass_app
def demo(app: AppContext, out: Path, seed: int, days: int) -> None:
    """Build a realistic synthetic organisation and run everything end to end.

    Writes source files (Kubernetes Lists, Prometheus query_range JSON, Helios dumps, Backstage
    catalog) under OUT/sources, loads them through the same readers as real data into
    OUT/warehouse.duckdb, transforms, and renders reports into OUT/reports (open
    OUT/reports/index.html).

    \b
    Example:
      fleetscope demo --out demo --seed 7
    """
    raise FleetscopeError("demo is not implemented yet")


COMMANDS = [demo]
