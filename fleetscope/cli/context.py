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
    from fleetscope.ops.ingest import Source
    from fleetscope.warehouse import Warehouse


@dataclass
class AppContext:
    config_path: Path | None
    warehouse_override: Path | None
    lock_timeout_override: float | None = None
    _lock_held: bool = False

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def config_dir(self) -> Path:
        """The folder config paths are relative to: the config file's, else the current one."""
        return (self.config_path.parent if self.config_path else Path.cwd()).resolve()

    @property
    def warehouse_path(self) -> Path:
        if self.warehouse_override is not None:
            return self.warehouse_override
        return Path(self.config.warehouse.path)

    @property
    def lock_timeout_seconds(self) -> float:
        """How long a writer waits for the run lock: --lock-timeout, else the config's."""
        if self.lock_timeout_override is not None:
            return self.lock_timeout_override
        return self.config.run.lock_timeout_seconds

    def collect(self, sources: list[Source], *, noun: str | None = None) -> None:
        """Load `sources` through the one loader, which takes the run lock itself."""
        from fleetscope.console import info
        from fleetscope.ops.ingest import collect

        collect(self.warehouse_path, sources, lock_timeout_seconds=self.lock_timeout_seconds,
                progress=info, noun=noun, lake=self.config.warehouse.lake or None)

    def open_warehouse(self) -> Warehouse:
        """Open the warehouse read-write (applying migrations) under the run lock."""
        from fleetscope.warehouse import Warehouse

        self.hold_run_lock()
        return Warehouse(self.warehouse_path)

    def hold_run_lock(self) -> None:
        """Take the warehouse's run lock until the command ends, as `fleetscope run` does.

        A hand-run transform or validate must not slip in between the loads of a scheduled run:
        it waits for the run (up to --lock-timeout or `run.lock_timeout_seconds`) instead.
        flock locks belong to an open file, so a second flock from this same process would wait
        on itself: take it once per command. (`collect` takes it through the loader.)
        """
        if self._lock_held:
            return
        from fleetscope.console import info
        from fleetscope.ops.lock import warehouse_lock

        lock = warehouse_lock(self.warehouse_path, timeout_seconds=self.lock_timeout_seconds,
                              on_wait=info)
        ctx = click.get_current_context(silent=True)
        if ctx is None:  # called outside a command (library use): hold until exit
            lock.__enter__()
        else:
            ctx.find_root().with_resource(lock)
        self._lock_held = True


pass_app = click.make_pass_decorator(AppContext)


def _set_lock_timeout(ctx: click.Context, param: click.Parameter, value: float | None) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).lock_timeout_override = value


# Every command that writes to the warehouse takes it (docs/operations.md, "the run lock").
lock_timeout_option = click.option(
    "--lock-timeout", type=click.FloatRange(min=0), expose_value=False, callback=_set_lock_timeout,
    help="Seconds to wait for another command's warehouse lock, then exit 7 "
         "[default: run.lock_timeout_seconds].")


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
