"""The analyst notebook runs top to bottom on a warehouse; `fleetscope lab` serves the notebooks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_ops_validate import build

from fleetscope.ops.lab import sql

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "analyst.ipynb"


def _outputs(path: Path) -> str:
    nb = json.loads(path.read_text())
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


@pytest.mark.slow
def test_analyst_notebook_runs_top_to_bottom(tmp_path: Path) -> None:
    import papermill

    warehouse = tmp_path / "wh.duckdb"
    build(warehouse)
    out = tmp_path / "analyst.out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"warehouse": str(warehouse)},
                               kernel_name="python3", progress_bar=False)
    text = _outputs(out)
    # By hand from the fixture (tests/test_ops_validate.py): on 2026-11-21, prod's teams sum to
    # 60 + 25 + 5 + 10 = 100, of which __idle__ 10 and __unallocated__ 5.
    assert "prod on 2026-11-21: teams sum to 100.00 (idle 10.00, unallocated 5.00)" in text
    # 1 migrated of 3 apps in scope; scope = 1 + 1 + 1.
    assert "1 of 3 apps migrated = 33.33%" in text
    # One workload saves 12.5 a month: 150 a year.
    assert "top 1 workloads save 12.50 a month, 150.00 a year" in text


def test_sql_helper_opens_read_only_and_closes(tmp_path: Path) -> None:
    import duckdb

    warehouse = tmp_path / "wh.duckdb"
    build(warehouse)
    frame = sql("select sum(total_cost) as cost from mart_team_cost_daily", path=warehouse)
    assert frame["cost"][0] == 200.0  # two days of 100
    with pytest.raises(duckdb.Error):  # read-only
        sql("delete from mart_team_cost_daily", path=warehouse)
    # Closed again: a writer can open the file right away.
    duckdb.connect(str(warehouse)).close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_lab_serves_the_notebooks_folder(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    build(warehouse)
    port, token = _free_port(), "fleetscope-test-token"
    env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    fleetscope = str(Path(sys.executable).with_name("fleetscope"))
    lab = subprocess.Popen([fleetscope, "--warehouse", str(warehouse),
                            "lab", "--no-browser", "--port", str(port),
                            *(["--allow-root"] if os.geteuid() == 0 else [])], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert lab.poll() is None, lab.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "JupyterLab did not answer within 60 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=5) as r:
            names = {item["name"] for item in json.load(r)["content"]}
        assert "analyst.ipynb" in names
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as r:
            assert r.status == 200
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()
