"""`fleetscope report`: the weekly leadership report, team reports and the index page."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, pass_app


@click.command("report")
@click.option("--week", help="ISO week, e.g. 2026-W47 [default: the last complete week of data].")
@click.option("--team", "teams", multiple=True,
              help="Render only this team's report (repeatable) [default: the leadership report "
                   "and every team].")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder [default: the config's reports.out_dir].")
@pass_app
def report(app: AppContext, week: str | None, teams: tuple[str, ...], out: Path | None) -> None:
    """Render reports to HTML that opens offline, plus an index.html.

    Writes OUT/<week>/leadership.html, OUT/<week>/teams/<team>.html and .csv, the shared
    OUT/plotly.min.js and OUT/index.html (latest week first, then the archive). Prints the
    leadership report's path and the index's.

    \b
    Examples:
      fleetscope report --week 2026-W47
      fleetscope report --team payments --out site
    """
    from fleetscope.console import info
    from fleetscope.reports import render_all

    config = app.config
    out_dir = out or Path(config.reports.out_dir)
    result = render_all(app.warehouse_path, out_dir, week=week,
                        teams=list(teams) if teams else None, config=config)
    info(f"rendered {result.week.label}: {len(result.team_pages)} team reports"
         f"{' and the leadership report' if result.leadership else ''} "
         f"in {result.seconds:.1f}s")
    if result.leadership is not None:
        click.echo(str(result.leadership))
    click.echo(str(result.index))


@click.command("publish")
@click.option("--to", "to", help="Folder or fsspec URL (s3://, gs://, az://) [default: the "
                                 "config's publish.to].")
@click.option("--reports", "reports", type=click.Path(path_type=Path, file_okay=False),
              help="Rendered reports folder [default: the config's reports.out_dir].")
@pass_app
def publish(app: AppContext, to: str | None, reports: Path | None) -> None:
    """Copy the rendered reports to a folder or an object store, changed files only.

    A manifest of content hashes at the destination tells what changed; index.html goes last,
    so readers never follow a link to a page not uploaded yet. Prints what was uploaded.

    \b
    Examples:
      fleetscope publish --to /srv/www/fleetscope
      fleetscope publish --to s3://reports-bucket/fleetscope
    """
    from fleetscope.errors import ConfigError
    from fleetscope.ops.publish import publish_site

    config = app.config
    target = to or config.publish.to
    if not target:
        raise ConfigError("publish: no destination: pass --to PATH_OR_URL or set publish.to")
    result = publish_site(reports or Path(config.reports.out_dir), target)
    for rel in result.uploaded:
        click.echo(rel)
    click.echo(f"{len(result.uploaded)} file(s) uploaded, {result.unchanged} unchanged, to "
               f"{target}", err=True)


COMMANDS = [report, publish]
