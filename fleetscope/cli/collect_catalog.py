"""`fleetscope collect catalog`: Backstage components, groups and systems."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, parse_timestamp, pass_app
from fleetscope.errors import FleetscopeError


@click.command("catalog")
@click.option("--path", type=click.Path(path_type=Path),
              help="Folder (or file) of catalog-info.yaml descriptors.")
@click.option("--url", help="Backstage base URL (catalog API).")
@click.option("--source", default="catalog", show_default=True,
              help="Name of this catalog in the warehouse.")
@click.option("--collected-at", help="Snapshot time for --path (ISO 8601, UTC).")
@pass_app
def collect_catalog(app: AppContext, path: Path | None, url: str | None, source: str,
                    collected_at: str | None) -> None:
    """Snapshot the Backstage catalog (Component, Group, System).

    The bearer token for --url comes from the environment variable named by the config's
    catalog.token_env.

    \b
    Examples:
      fleetscope collect catalog --path ./catalog --collected-at 2026-11-20
      fleetscope collect catalog --url https://backstage.example.com
    """
    import os

    from fleetscope import console
    from fleetscope.warehouse import utc_now

    when = parse_timestamp(collected_at, option="--collected-at") or utc_now()
    config = app.config.catalog
    if not path and not url:
        url = config.url
        path = Path(config.path) if (config.path and not url) else None
    if bool(path) == bool(url):
        raise click.UsageError("give exactly one of --path or --url")
    if path:
        from fleetscope.collectors.catalog import read_catalog_path

        batch = read_catalog_path(path, collected_at=when, source=source)
    else:
        assert url is not None
        from fleetscope.collectors.catalog.client import fetch_catalog

        token = os.environ.get(config.token_env) if config.token_env else None
        started = utc_now()
        try:
            batch = fetch_catalog(url, token=token, source=source, collected_at=when)
        except FleetscopeError as exc:
            with app.open_warehouse() as wh:
                wh.record_failure("catalog", source, str(exc), started_at=started)
            raise
    with app.open_warehouse() as wh:
        loaded = wh.load(batch)
    console.info(f"catalog {source}: loaded {loaded.total_rows} entities")


__all__ = ["collect_catalog"]
