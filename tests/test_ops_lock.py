"""The run lock: a second holder waits up to its timeout, names the holder, survives SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fleetscope.errors import LockTimeout
from fleetscope.ops.lock import lock_path_for, warehouse_lock

HOLD = """
import sys, time
from fleetscope.ops.lock import warehouse_lock
with warehouse_lock(sys.argv[1], timeout_seconds=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(warehouse: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(warehouse), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_second_holder_times_out_naming_the_holder_pid(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    holder = _hold(wh, 30)
    try:
        started = time.monotonic()
        with pytest.raises(LockTimeout) as caught, warehouse_lock(wh, timeout_seconds=0.6):
            pass
        waited = time.monotonic() - started
        assert 0.6 <= waited < 3
        assert f"pid {holder.pid}" in str(caught.value)
        assert str(lock_path_for(wh)) in str(caught.value)
        assert caught.value.exit_code == 7
    finally:
        holder.kill()
        holder.wait()


def test_waiter_gets_the_lock_when_the_holder_finishes(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    holder = _hold(wh, 0.5)
    messages: list[str] = []
    with warehouse_lock(wh, timeout_seconds=20, on_wait=messages.append) as path:
        assert path.read_text().startswith(f"pid {os.getpid()} ")
    holder.wait()
    assert len(messages) == 1 and f"pid {holder.pid}" in messages[0]
    # Released: the file no longer names anyone.
    assert lock_path_for(wh).read_text() == ""


def test_sigkilled_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    holder = _hold(wh, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    started = time.monotonic()
    with warehouse_lock(wh, timeout_seconds=0):
        pass
    assert time.monotonic() - started < 0.5
