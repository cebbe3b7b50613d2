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
@click.option("--collected-at", help="Snapshot time for --path (ISO 8601, UTC).")
@pass_app
def collect_catalog(app: AppContext, path: Path | None, url: str | None,
                    collected_at: str | None) -> None:
    """Snapshot the Backstage catalog (Component, Group, System).

    \b
    Examples:
      fleetscope collect catalog --path ./catalog
      fleetscope collect catalog --url https://backstage.example.com
    """
    parse_timestamp(collected_at, option="--collected-at")
    raise FleetscopeError("collect catalog is not implemented yet")


__all__ = ["collect_catalog"]
