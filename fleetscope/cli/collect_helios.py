"""`fleetscope collect helios`: jobs, hosts, deployments and job history from the Helios master."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, parse_timestamp, pass_app


@click.command("helios")
@click.option("--url", help="Helios master URL (default port 5801; default: the config's).")
@click.option("--from-file", "from_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the offline document {jobs, hosts, history}.")
@click.option("--dump", type=click.Path(path_type=Path, dir_okay=False),
              help="With --url: also write the offline document to this file.")
@click.option("--source", help="Name of this Helios installation [default: the config's "
                               "helios.source].")
@click.option("--collected-at", help="Snapshot time for --from-file (ISO 8601, UTC).")
@lock_timeout_option
@pass_app
def collect_helios(app: AppContext, url: str | None, from_file: Path | None, dump: Path | None,
                   source: str | None, collected_at: str | None) -> None:
    """Snapshot Helios jobs, hosts, deployments and job history.

    \b
    Examples:
      fleetscope collect helios --url http://helios-master:5801 --dump helios.json
      fleetscope collect helios --from-file helios-2026-11-20.json --collected-at 2026-11-20
    """
    when = parse_timestamp(collected_at, option="--collected-at")
    config = app.config.helios
    source = source or config.source
    url = url or (None if from_file else config.url)
    if bool(url) == bool(from_file):
        raise click.UsageError("give exactly one of --url or --from-file")
    if dump and not url:
        raise click.UsageError("--dump needs --url")
    from fleetscope.ops import sources

    app.collect([sources.helios_file_source(from_file, name=source, when=when) if from_file else
                 sources.helios_live(config, url or "", name=source, dump=dump)])


__all__ = ["collect_helios"]
