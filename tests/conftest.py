"""Shared fixtures: a fresh warehouse file per test and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fleetscope.warehouse import Warehouse

REPO = Path(__file__).resolve().parent.parent


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
