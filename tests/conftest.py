"""Shared fixtures: a fresh warehouse file per test and a CLI runner."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fleetscope.warehouse import Warehouse

REPO = Path(__file__).resolve().parent.parent

# pytest-xdist's workers run under a `__main__` without `__file__`. pyspark.sql.connect, which
# great_expectations imports when pyspark is installed, takes such a process for a doctest run
# and calls sys.exit(0) when Spark Connect's packages are missing; a worker is no doctest run.
# (The quality gate turns that exit into a failure: tests/test_ops_validate.py.)
if os.environ.get("PYTEST_XDIST_WORKER") and not hasattr(sys.modules["__main__"], "__file__"):
    sys.modules["__main__"].__file__ = "<pytest-xdist worker>"


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "wh.duckdb"


@pytest.fixture
def warehouse(warehouse_path: Path):
    wh = Warehouse(warehouse_path)
    yield wh
    wh.close()


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()


# The suite runs on pytest-xdist, a whole file per worker (`--dist loadfile
# --no-loadscope-reorder`, the README's test command): the files that take minutes start first,
# so the others fill the remaining workers around them instead of one long file running alone
# at the end. Measured with `pytest --durations=0` (the module's setup included).
SLOWEST_FIRST = (
    "test_engine_spark.py",  # about 5-9 minutes: Spark's fixed cost per model
    "test_ops_run.py",
    "test_delivery_run.py",
    "test_packaging.py",
    "test_readcopy_run.py",
    "test_demo_run.py",
    "test_lake_roundtrip.py",
    "test_demo_ga.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order
