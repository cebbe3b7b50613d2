"""`fleetscope demo`: a synthetic organisation, collected, transformed and reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from fleetscope.cli.context import AppContext, pass_app


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date such as 2026-11-23") from None


@click.command("demo")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("demo"),
              show_default=True, help="Folder for everything the demo writes.")
@click.option("--seed", type=int, default=7, show_default=True,
              help="Random seed; the same seed (and --end) writes the same organisation.")
@click.option("--days", type=click.IntRange(7, 120), default=75, show_default=True,
              help="Days of hourly history.")
@click.option("--end", callback=_parse_date,
              help="First day after the data (YYYY-MM-DD) [default: today, UTC].")
@click.option("--no-team-reports", is_flag=True,
              help="Render only the leadership report and the index (faster).")
@pass_app
def demo(app: AppContext, out: Path, seed: int, days: int, end: date | None,
         no_team_reports: bool) -> None:
    """Build a realistic synthetic organisation and run everything end to end.

    Writes source files (Kubernetes Lists, Prometheus query_range JSON, Helios dumps, Backstage
    catalog) under OUT/sources, loads them through the same readers as real data into
    OUT/warehouse.duckdb (or --warehouse), transforms, validates, and renders reports into
    OUT/reports (open OUT/reports/index.html).

    \b
    Example:
      fleetscope demo --out demo --seed 7
    """
    from fleetscope.console import info
    from fleetscope.demo.run import run_demo

    result = run_demo(out, seed=seed, days=days, end=end, warehouse=app.warehouse_override,
                      config=app.config, team_reports=not no_team_reports)
    timing = ", ".join(f"{stage} {s:.1f}s (cpu {result.cpu_seconds[stage]:.1f}s)"
                       for stage, s in result.seconds.items())
    info(f"demo: {result.files} source files, {result.rows} rows, {result.start} to "
         f"{result.end} (exclusive); {timing}")
    click.echo(f"Leadership report: {result.leadership}")
    click.echo(f"Open {result.index}")


COMMANDS = [demo]
