"""An exclusive, crash-safe lock next to the warehouse, so that two runs never write at once.

`fcntl.flock` locks belong to the open file description: the kernel drops them when the holder
exits, even on SIGKILL, so there is never a stale lock to clean up. The holder writes its pid and
start time into the file only so that the waiting side can name it in its message.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from fleetscope.errors import LockTimeout

POLL_SECONDS = 0.2


def lock_path_for(warehouse_path: str | Path) -> Path:
    """The lock file of a warehouse: `<warehouse file>.lock` in the same folder."""
    path = Path(warehouse_path)
    return path.with_name(path.name + ".lock")


def read_holder(lock_path: Path) -> str:
    """What the current holder wrote (`pid 123 since 2026-11-26T14:00:00Z`), or 'unknown'."""
    try:
        text = lock_path.read_text(encoding="utf-8").strip()
    except OSError:
        return "unknown"
    return text or "unknown"


@contextmanager
def warehouse_lock(warehouse_path: str | Path, *, timeout_seconds: float,
                   on_wait: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold the warehouse's run lock; wait up to `timeout_seconds`, then raise LockTimeout."""
    lock_path = lock_path_for(warehouse_path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock_path, timeout_seconds, on_wait)
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {since}\n".encode(), 0)
        try:
            yield lock_path
        finally:
            # Empty the file before unlocking so no one reads a finished holder's pid.
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, lock_path: Path, timeout_seconds: float,
             on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + max(timeout_seconds, 0.0)
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = read_holder(lock_path)
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"another fleetscope run holds the lock {lock_path} ({holder}); gave up after "
                f"{timeout_seconds:g}s. Wait for it to finish or raise run.lock_timeout_seconds")
        if on_wait is not None and not announced:
            on_wait(f"waiting up to {timeout_seconds:g}s for the lock {lock_path} held by "
                    f"{holder}")
            announced = True
        time.sleep(POLL_SECONDS)
