"""`fleetscope collect catalog`: Backstage components, groups and systems."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, parse_timestamp, pass_app


@click.command("catalog")
@click.option("--path", type=click.Path(path_type=Path),
              help="Folder (or file) of catalog-info.yaml descriptors.")
@click.option("--url", help="Backstage base URL (catalog API).")
@click.option("--source", default="catalog", show_default=True,
              help="Name of this catalog in the warehouse.")
@click.option("--collected-at", help="Snapshot time for --path (ISO 8601, UTC).")
@click.option("--glob", "patterns", multiple=True, metavar="PATTERN",
              help="Files of --path to read (repeatable; relative to it, `**` for any depth) "
                   "[default: the config's catalog.patterns, `**/*.yaml` and `**/*.yml`].")
@lock_timeout_option
@pass_app
def collect_catalog(app: AppContext, path: Path | None, url: str | None, source: str,
                    collected_at: str | None, patterns: tuple[str, ...]) -> None:
    """Snapshot the Backstage catalog (Component, Group, System).

    The bearer token for --url comes from the environment variable named by the config's
    catalog.token_env.

    \b
    Examples:
      fleetscope collect catalog --path ./catalog --collected-at 2026-11-20
      fleetscope collect catalog --path ./monorepo --glob '**/catalog-info.yaml'
      fleetscope collect catalog --url https://backstage.example.com
    """
    from fleetscope.ops import sources

    when = parse_timestamp(collected_at, option="--collected-at")
    config = app.config.catalog
    if not path and not url:
        url = config.url
        path = Path(config.path) if (config.path and not url) else None
    if bool(path) == bool(url):
        raise click.UsageError("give exactly one of --path or --url")
    app.collect([sources.catalog_path(path, when=when, name=source,
                                      patterns=list(patterns) or config.patterns) if path else
                 sources.catalog_url(config, url or "", name=source, when=when)])


__all__ = ["collect_catalog"]
