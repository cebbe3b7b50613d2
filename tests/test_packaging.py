"""The wheel holds one top-level package, `fleetscope`, with its SQL models, migrations,
notebooks and templates inside it, and runs the demo on its own (no repository on the path)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of the files git knows (links kept as links): an in-tree build would
    # reuse build/lib, where files deleted since an earlier build linger and reach the wheel.
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                            check=True, capture_output=True, text=True).stdout.split()
    for name in listed:
        origin, copy = REPO / name, source / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            copy.symlink_to(os.readlink(origin))
        elif origin.is_file():
            shutil.copy2(origin, copy)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(source)], check=True, capture_output=True, timeout=300)
    (found,) = out.glob("fleetscope-*.whl")
    return found


def test_the_wheel_has_one_top_level_package_with_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"fleetscope"}
    for inside in ("fleetscope/pipelines/models/marts/mart_team_cost_daily.sql",
                   "fleetscope/warehouse/migrations/0001_core.sql",
                   "fleetscope/notebooks/leadership_weekly.ipynb",
                   "fleetscope/reports/templates/fleetscope/index.html.j2",
                   "fleetscope/collectors/kubernetes/rows.py"):
        assert inside in names
    assert not [n for n in names if n.endswith((".duckdb", ".pyc"))]


@pytest.mark.slow
def test_the_installed_wheel_runs_the_demo_without_the_repository(wheel: Path,
                                                                    tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    # The wheel's copy comes first on the path (this venv's own dependencies serve the rest);
    # the working directory is outside the repository, so no source folder can shadow it.
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = tmp_path / "run"
    run.mkdir()

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=run, env=env, capture_output=True,
                              text=True, timeout=600)

    where = python("-c", "import fleetscope.pipelines as p; print(p.__file__)")
    assert where.stdout.strip().startswith(str(target)), where.stdout + where.stderr
    for old_name in ("collectors", "pipelines", "warehouse", "reports", "notebooks"):
        result = python("-c", f"import {old_name}")
        assert result.returncode == 1 and "ModuleNotFoundError" in result.stderr, old_name
    demo = python("-m", "fleetscope", "-q", "demo", "--days", "7", "--out", "demo")
    assert demo.returncode == 0, demo.stderr
    assert (run / "demo" / "reports" / "index.html").is_file()
    assert not list(target.rglob("*.duckdb"))  # nothing writable lands inside the package
