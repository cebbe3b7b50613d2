"""Migration, identity and deploy models built one day at a time, with old dumps landing late,
equal a full rebuild and the statuses worked out by hand in test_migration_history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from model_files import write_model
from test_migration_history import (
    CATALOG,
    EXPECTED_STATUS,
    OVERRIDES,
    helios_snapshot,
    kubernetes_snapshot,
)

from fleetscope.collectors.catalog import read_catalog_path
from fleetscope.collectors.helios import read_dump
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.config import parse_config
from fleetscope.errors import TransformError
from fleetscope.pipelines.runner import discover_models, snapshot_parameters
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse

TABLES = ("int_app_snapshot_days", "int_app_platform_daily", "int_k8s_workloads_owned_by_day",
          "mart_app_migration_status", "mart_migration_daily", "mart_migration_forecast",
          "mart_identity_gaps", "int_helios_app_cost_daily", "int_deploy_events")


def _contents(wh: Warehouse) -> dict[str, list[tuple]]:
    return {t: wh.con.execute(f"select * from {t} order by all").fetchall() for t in TABLES}


def _statuses(wh: Warehouse) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for app_id, status in wh.con.execute(
            "select app_id, status from mart_app_migration_status order by app_id, status_date"
    ).fetchall():
        got.setdefault(app_id, []).append(status)
    return got


def test_a_late_old_dump_changes_the_later_days_as_a_full_rebuild_does(tmp_path: Path) -> None:
    # echo runs on Helios only in the day-1 snapshot and on Kubernetes from day 2 on: while
    # day 1 is missing it is `native`; the day-1 dump landing last makes it `migrated` on days
    # 2..5 too, although the dump itself only changes days 1 and 2 (cumulative models).
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog-info.yaml").write_text(CATALOG)
    (tmp_path / "overrides.yaml").write_text(OVERRIDES)
    config = parse_config({"ownership": {"overrides_file": str(tmp_path / "overrides.yaml")}})
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        wh.load(read_catalog_path(tmp_path / "catalog", collected_at=datetime(2026, 11, 1)))
        for day in range(2, 6):
            at = datetime(2026, 11, day, 18)
            wh.load(read_dump(helios_snapshot(day), source="helios", collected_at=at))
            if day != 4:
                wh.load(read_list(kubernetes_snapshot(day), cluster="prod", collected_at=at))
            transform_warehouse(wh, config)
        before = _statuses(wh)
        assert before["echo"] == ["native"] * 4          # days 2..5, never seen on Helios
        assert before["alpha"] == ["migrating", "migrated", "migrated", "migrated"]

        at = datetime(2026, 11, 1, 18)
        wh.load(read_dump(helios_snapshot(1), source="helios", collected_at=at))
        wh.load(read_list(kubernetes_snapshot(1), cluster="prod", collected_at=at))
        late = transform_warehouse(wh, config)
        assert not late.full_refresh
        assert late.days == [date(2026, 11, 1), date(2026, 11, 2)]
        assert _statuses(wh) == EXPECTED_STATUS
        # __all__ on day 5 (test_migration_history): scope 5, migrated alpha + echo -> 40 %
        assert wh.con.execute(
            "select count_apps_in_scope, count_apps_migrated, migrated_pct "
            "from mart_migration_daily where team = '__all__' and status_date = '2026-11-05'"
        ).fetchone() == (5, 2, 40.0)
        incremental = _contents(wh)
        transform_warehouse(wh, config, full_refresh=True)
        assert _contents(wh) == incremental


def test_snapshot_parameters_bound_the_helios_and_the_latest_snapshots(
        warehouse: Warehouse) -> None:
    def load(kind: str, name: str, at: datetime) -> None:
        warehouse.load(LoadBatch(kind, name, at, {}))

    d1 = datetime(2026, 11, 1)
    load("kubernetes", "c1", d1 + timedelta(hours=2))
    load("kubernetes", "c1", d1 + timedelta(days=1, hours=2))
    load("kubernetes", "c1", d1 + timedelta(days=2, hours=2))
    load("helios", "h", d1 + timedelta(hours=20))           # day 1, then not again
    load("catalog", "cat", d1 + timedelta(days=1))
    # day 3 starts after c1's day-2 02:00 snapshot (its inventory_from) but Helios's latest by
    # then is day 1 20:00: the Helios state of day 3 lies further back
    values = snapshot_parameters(warehouse, [date(2026, 11, 3)])
    assert values == {"snapshot_from": d1 + timedelta(hours=20),
                      # latest: c1 day 3 02:00, Helios day 1 20:00, catalog day 2 00:00
                      "latest_snapshot_from": d1 + timedelta(hours=20)}
    load("helios", "h", d1 + timedelta(days=2, hours=20))
    # now the latest snapshots are c1 day 3 02:00, Helios day 3 20:00, catalog day 2 00:00
    assert snapshot_parameters(warehouse, [date(2026, 11, 3)])["latest_snapshot_from"] == \
        d1 + timedelta(days=1)


def test_cumulative_needs_an_incremental_model(tmp_path: Path) -> None:
    write_model(tmp_path, "marts", "mart_x", "select 1 as x\n", materialized="table",
                cumulative=True)
    with pytest.raises(TransformError, match=r"mart_x\.yml: config\.cumulative needs"):
        discover_models(tmp_path)
