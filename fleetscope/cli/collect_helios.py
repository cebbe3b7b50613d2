"""`fleetscope collect helios`: jobs, hosts, deployments and job history from the Helios master."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, parse_timestamp, pass_app
from fleetscope.errors import FleetscopeError


@click.command("helios")
@click.option("--url", help="Helios master URL (default port 5801; default: the config's).")
@click.option("--from-file", "from_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the offline document {jobs, hosts, history}.")
@click.option("--dump", type=click.Path(path_type=Path, dir_okay=False),
              help="With --url: also write the offline document to this file.")
@click.option("--source", help="Name of this Helios installation [default: the config's "
                               "helios.source].")
@click.option("--collected-at", help="Snapshot time for --from-file (ISO 8601, UTC).")
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
    from fleetscope import console
    from fleetscope.warehouse import utc_now

    if from_file:
        from fleetscope.collectors.helios import read_dump_file

        batch = read_dump_file(from_file, source=source, collected_at=when)
    else:
        assert url is not None
        from fleetscope.collectors.helios.client import collect_live

        started = utc_now()
        try:
            result = collect_live(url, source=source, concurrency=config.concurrency,
                                  timeout_seconds=config.timeout_seconds, dump=dump)
        except FleetscopeError as exc:
            with app.open_warehouse() as wh:
                wh.record_failure("helios", source, str(exc), started_at=started)
            raise
        batch = result.batch
        console.info(f"helios {source}: {result.host_count} hosts, {result.job_count} jobs in "
                     f"{result.seconds:.1f}s with {result.http_calls} HTTP calls")
    with app.open_warehouse() as wh:
        loaded = wh.load(batch)
    console.info(f"helios {source}: loaded {loaded.total_rows} rows "
                 f"({', '.join(f'{t} {n}' for t, n in loaded.row_counts.items())})")


__all__ = ["collect_helios"]
