"""Hand-run writes (collect, transform, validate) respect the run lock like `fleetscope run`."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from fleetscope.ops.lock import warehouse_lock

GOOD_LIST = Path(__file__).parent / "bad_inputs" / "good_k8s.json"


def _collect(warehouse: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fleetscope", "--warehouse", str(warehouse), "--config",
         str(config), "collect", "kubernetes", "--from-file", str(GOOD_LIST), "--cluster", "prod",
         "--collected-at", "2026-11-20T06:00:00Z"],
        capture_output=True, text=True, timeout=120)


def test_collect_gives_up_naming_the_holder(tmp_path: Path) -> None:
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text("[run]\nlock_timeout_seconds = 0.5\n")
    with warehouse_lock(warehouse, timeout_seconds=1):
        result = _collect(warehouse, config)
    assert result.returncode == 7, result.stderr
    assert any(line.startswith("Error: ") for line in result.stderr.splitlines())
    assert "pid" in result.stderr
    assert not warehouse.exists()  # it never opened the warehouse


def test_collect_waits_for_the_holder_then_loads(tmp_path: Path) -> None:
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text("[run]\nlock_timeout_seconds = 60\n")
    released = threading.Event()

    def hold() -> None:
        with warehouse_lock(warehouse, timeout_seconds=1):
            time.sleep(1.5)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    result = _collect(warehouse, config)
    holder.join()
    assert released.is_set()
    assert result.returncode == 0, result.stderr
    assert "waiting" in result.stderr.lower() or "lock" in result.stderr.lower()
