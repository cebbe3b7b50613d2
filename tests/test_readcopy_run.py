"""An analyst's open connection and a whole `fleetscope run`, as real processes, at once.

Before the read copy, a reader holding the warehouse made `fleetscope run` exit 5 ("warehouse is
in use by another process") and a running `run` kept `fleetscope query` out. Now readers open
the published copy: the run exits 0, the reader keeps the old state until it reconnects.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from tests.test_ops_run import CONFIG as OPS_RUN_CONFIG

pytestmark = pytest.mark.slow

FLEETSCOPE = str(Path(sys.executable).with_name("fleetscope"))


# test_ops_run's offline organisation (days 16-18 of prod-eu, Helios, the catalog); `days`
# replaces its file glob.
def config(days: str) -> str:
    return OPS_RUN_CONFIG.replace("1[678]", days)


STATE = (
    "select (select count(*) from loads where status = 'succeeded') || ' ' || "
    "(select count(distinct cost_date) from mart_team_cost_daily where cluster = 'prod-eu')"
)
# One file per source per day, plus one catalog load:
#   days 16-17: 2 Kubernetes + 2 Prometheus + 2 Helios + 1 catalog = 7 loads, 2 cost days;
#   days 16-18 on top: 3 + 3 + 3 + 1 = 10 more loads = 17, and 3 cost days.
OLD, NEW = "7 2", "17 3"

# Queries one connection (the notebooks' public connect()) in a loop until the file `stop`
# exists, then reconnects and queries once more, marked "after".
READER = f"""
import sys, time
from pathlib import Path
from fleetscope.notebooks import connect
warehouse, stop = sys.argv[1], Path(sys.argv[2])
con = connect(warehouse)
while not stop.exists():
    print(con.execute({STATE!r}).fetchone()[0], flush=True)
    time.sleep(0.2)
con.close()
con = connect(warehouse)
print("after", con.execute({STATE!r}).fetchone()[0], flush=True)
"""


def fleetscope(folder: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [FLEETSCOPE, "--config", "fleetscope.toml", "--warehouse", "wh.duckdb", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=folder,
    )


def run_to_end(folder: Path, days: str) -> None:
    (folder / "fleetscope.toml").write_text(config(days))
    proc = fleetscope(folder, "run", "--no-report")
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr[-3000:]


def test_a_reader_holds_its_connection_through_a_whole_run(tmp_path: Path) -> None:
    from fleetscope.demo.generate import generate

    generate(tmp_path, seed=7, days=7, end=date(2026, 11, 23))
    run_to_end(tmp_path, "1[67]")  # publishes the first copy
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(tmp_path / "wh.duckdb"), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    collecting = threading.Thread(target=lambda: lines.extend(iter(reader.stdout.readline, "")))
    collecting.start()
    try:
        while not lines and reader.poll() is None:
            time.sleep(0.05)
        assert lines == [OLD + "\n"], reader.stderr.read() if reader.poll() is not None else ""
        (tmp_path / "fleetscope.toml").write_text(config("1[678]"))
        run = fleetscope(tmp_path, "run", "--no-report")
        stderr, query = [], None
        for line in run.stderr:
            stderr.append(line)
            if "run: transform ..." in line:  # the writer has its file open from here on
                query = subprocess.run(
                    [FLEETSCOPE, "--warehouse", "wh.duckdb", "query", STATE, "--format", "csv"],
                    capture_output=True,
                    text=True,
                    cwd=tmp_path,
                    timeout=60,
                )
        assert run.wait(timeout=300) == 0, "".join(stderr)[-3000:]
        assert "run: read copy: done" in "".join(stderr)
        assert query is not None and query.returncode == 0, query and query.stderr
        assert query.stdout.splitlines()[1] == OLD  # not yet published: the old copy
        during = len(lines)
        while len(lines) == during and reader.poll() is None:
            time.sleep(0.05)  # one more query on the old connection, after the run
        stop.write_text("")
        assert reader.wait(timeout=60) == 0, reader.stderr.read()
    finally:
        reader.kill()
        collecting.join(timeout=10)
    *held, after = lines
    assert len(held) >= 2 and set(held) == {OLD + "\n"}
    assert after == f"after {NEW}\n"
