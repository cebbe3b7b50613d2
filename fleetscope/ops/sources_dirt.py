"""The DiRT log as an `ingest.Source` (see fleetscope.ops.sources): one offline YAML file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from fleetscope.config import Config
from fleetscope.ops.ingest import Progress, Source

if TYPE_CHECKING:
    from fleetscope.warehouse import LoadBatch, LoadResult


def _exercises_loaded(label: str, batch: LoadBatch, result: LoadResult) -> str:
    return f"{label}: loaded {result.total_rows} exercises"


def dirt_file(path: Path) -> Source:
    """A DiRT log; its load replaces every row an earlier load of the same file wrote."""

    def read(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.dirt import read_dirt_file
        from fleetscope.warehouse import utc_now

        return [read_dirt_file(path, collected_at=utc_now())]

    return Source(
        "dirt",
        str(path.resolve()),
        f"dirt {path.name}",
        read,
        offline=True,
        describe=_exercises_loaded,
    )


def plan_dirt_sources(config: Config, config_dir: Path) -> list[Source]:
    """The DiRT log the config names (`[dirt] path`), if any."""
    from fleetscope.ops.sources import _resolve

    return [dirt_file(_resolve(config.dirt.path, config_dir))] if config.dirt.path else []


__all__ = ["dirt_file", "plan_dirt_sources"]
