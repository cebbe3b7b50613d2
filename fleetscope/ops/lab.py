"""`fleetscope lab`: JupyterLab on the notebooks folder, and the analysts' read-only helpers.

In a notebook:

    from fleetscope.ops.lab import sql, describe
    sql("select team, sum(total_cost) as cost from mart_team_cost_daily group by team")

`sql` opens a read-only connection, runs the query and closes it again. Every helper reads the
published read copy (fleetscope.warehouse.readcopy), never the writer's file, so even a
connection left open does not stop the nightly `fleetscope run`; it just keeps the previous
run's data until it reconnects.
Kernels started by `fleetscope lab` already have `sql`, `describe`, `connect` and `MARTS` loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

ENV_WAREHOUSE = "FLEETSCOPE_WAREHOUSE"  # read by notebooks.warehouse_path too

MARTS = ("mart_team_cost_daily", "mart_app_cost_daily", "mart_cluster_utilization_daily",
         "mart_app_migration_status", "mart_migration_daily", "mart_rightsizing",
         "mart_deploys_weekly")

_STARTUP = """\
# Written by `fleetscope lab`: every kernel starts with the read-only warehouse helpers.
from fleetscope.ops.lab import MARTS, connect, describe, sql  # noqa: F401
"""


def warehouse_path(path: str | Path | None = None) -> Path:
    """The warehouse to read: `path`, else $FLEETSCOPE_WAREHOUSE, else the default location."""
    from fleetscope.notebooks import warehouse_path as notebooks_warehouse_path

    return notebooks_warehouse_path(path)


@contextmanager
def connect(path: str | Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only DuckDB connection for a `with` block (closed at its end)."""
    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(warehouse_path(path))
    try:
        yield con
    finally:
        con.close()


def sql(query: str, params: Sequence[Any] | None = None, *,
        path: str | Path | None = None) -> pd.DataFrame:
    """Run one read-only query and return a DataFrame (the connection is closed again)."""
    with connect(path) as con:
        return con.execute(query, list(params or [])).df()


def describe(table: str, *, path: str | Path | None = None) -> pd.DataFrame:
    """Columns and types of a table or view, with each column's unit and meaning from its
    model's YAML (the catalog docs/marts.md is generated from)."""
    from fleetscope.pipelines.model_spec import spec_for

    frame = sql("select column_name, data_type from information_schema.columns "
                "where table_name = ? order by ordinal_position", [table], path=path)
    spec = spec_for(table)
    columns = {c.name: c for c in spec.columns} if spec else {}
    frame["unit"] = [columns[c].unit if c in columns else "" for c in frame["column_name"]]
    frame["description"] = [columns[c].description if c in columns else ""
                            for c in frame["column_name"]]
    return frame


def default_notebooks_dir() -> Path:
    """The repository's (or the installed package's) notebooks folder."""
    from fleetscope.notebooks import NOTEBOOKS_DIR

    return NOTEBOOKS_DIR


def lab_command(*, port: int, ip: str, open_browser: bool, notebooks_dir: Path,
                allow_root: bool = False) -> list[str]:
    """The JupyterLab command line (token authentication stays on: $JUPYTER_TOKEN or random)."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebooks_dir}",
               f"--ServerApp.ip={ip}", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0",
               f"--ServerApp.open_browser={'True' if open_browser else 'False'}"]
    if allow_root:
        command.append("--ServerApp.allow_root=True")
    return command


def run_lab(warehouse: str | Path, *, port: int, ip: str, open_browser: bool,
            notebooks_dir: Path | None = None, allow_root: bool = False) -> int:
    """Run JupyterLab until it exits; kernels get the warehouse path and the helpers."""
    from fleetscope.errors import FleetscopeError

    folder = (notebooks_dir or default_notebooks_dir()).resolve()
    if not folder.is_dir():
        raise FleetscopeError(f"notebooks folder {folder} does not exist")
    path = Path(warehouse).resolve()
    if not path.exists():
        raise FleetscopeError(f"warehouse {path} does not exist; run `fleetscope demo` or "
                              "`fleetscope run` first")
    with tempfile.TemporaryDirectory(prefix="fleetscope-ipython-") as ipython_dir:
        startup = Path(ipython_dir) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-fleetscope.py").write_text(_STARTUP, encoding="utf-8")
        env = {**os.environ, ENV_WAREHOUSE: str(path), "IPYTHONDIR": ipython_dir}
        process = subprocess.Popen(lab_command(port=port, ip=ip, open_browser=open_browser,
                                               notebooks_dir=folder, allow_root=allow_root),
                                   env=env)
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            return process.wait()
