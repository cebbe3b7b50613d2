"""Progress for long work, on stderr so that `--format csv|json` output stays clean.

Interactive terminals get rich progress bars; logs and CI get one plain line per step.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_quiet = False


def set_quiet(quiet: bool) -> None:
    global _quiet
    _quiet = quiet


def info(message: str) -> None:
    """One progress line on stderr."""
    if not _quiet:
        print(f"[fleetscope {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr,
              flush=True)


@contextmanager
def step(message: str) -> Iterator[None]:
    """Log a step and how long it took."""
    started = time.perf_counter()
    info(f"{message} ...")
    yield
    info(f"{message}: done in {time.perf_counter() - started:.1f}s")


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar on a terminal, or start/end lines otherwise."""
    if _quiet:
        yield from items
        return
    if sys.stderr.isatty():
        from rich.console import Console  # only where a bar is drawn
        from rich.progress import track as rich_track

        yield from rich_track(items, description=description, total=total, transient=True,
                              console=Console(stderr=True))
        return
    started = time.perf_counter()
    info(f"{description} ...")
    count = 0
    for item in items:
        count += 1
        yield item
    info(f"{description}: {count} done in {time.perf_counter() - started:.1f}s")
