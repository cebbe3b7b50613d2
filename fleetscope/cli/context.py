"""What every command needs: the configuration and the warehouse location."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fleetscope.config import Config, load_config

if TYPE_CHECKING:
    from warehouse import Warehouse


@dataclass
class AppContext:
    config_path: Path | None
    warehouse_override: Path | None

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def warehouse_path(self) -> Path:
        if self.warehouse_override is not None:
            return self.warehouse_override
        return Path(self.config.warehouse.path)

    def open_warehouse(self) -> Warehouse:
        """Open the warehouse read-write (applying migrations); close it when done."""
        from warehouse import Warehouse

        return Warehouse(self.warehouse_path)


pass_app = click.make_pass_decorator(AppContext)


def parse_timestamp(value: str | None, *, option: str) -> datetime | None:
    """ISO 8601 (`2026-11-20`, `2026-11-20T13:00:00Z`, with offset) to naive UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time such as "
                                 "2026-11-20T13:00:00Z", param_hint=option) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
