"""Incremental runs recompute only the days whose inputs changed, and equal a full rebuild."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from model_files import write_model

from fleetscope.cli import cli
from fleetscope.errors import TransformError
from fleetscope.pipelines.runner import discover_models, run_models
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse
from tests.test_cost_fixtures import CONFIG, inventory_tables, load_prometheus

D1 = datetime(2026, 11, 1)
TABLES = ("int_node_hours", "int_container_hours", "int_node_hours_allocated",
          "int_workload_costs_daily", "int_storage_costs_daily", "mart_team_cost_daily",
          "mart_app_cost_daily", "mart_cluster_utilization_daily")


def _day(n: int) -> datetime:
    return D1 + timedelta(days=n - 1)


def _snapshot(wh: Warehouse, at: datetime, *, db_cpu: float = 0.5, db_team: str = "alpha"
              ) -> None:
    tables = inventory_tables()
    containers = tables["raw_k8s_containers"]
    containers.loc[containers["pod_name"] == "db-0", "cpu_request_cores"] = db_cpu
    pods = tables["raw_k8s_pods"]
    pods.loc[pods["pod_name"] == "db-0", "labels"] = json.dumps({"owner": db_team})
    wh.load(LoadBatch("kubernetes", "c1", at, tables))


def _contents(wh: Warehouse) -> dict[str, list[tuple]]:
    out = {}
    for table in TABLES:
        rows = wh.con.execute(f"select * from {table}").fetchall()
        out[table] = sorted((tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                             for row in rows), key=repr)
    return out


def test_only_changed_days_are_recomputed_and_match_a_full_rebuild(warehouse: Warehouse) -> None:
    _snapshot(warehouse, _day(1))
    load_prometheus(warehouse, _day(1), hours=24)
    first = transform_warehouse(warehouse, CONFIG)
    assert first.full_refresh and first.days == [date(2026, 11, 1)]

    load_prometheus(warehouse, _day(2), hours=24)
    second = transform_warehouse(warehouse, CONFIG)
    assert not second.full_refresh
    assert second.days == [date(2026, 11, 2)]

    # nothing new: no day recomputed, incremental models skipped
    third = transform_warehouse(warehouse, CONFIG)
    assert third.days == [] and "mart_team_cost_daily" in third.skipped

    # a snapshot on day 3 at 06:00 (db-0 moves to team beta) is seen from day 2 on
    _snapshot(warehouse, _day(3) + timedelta(hours=6), db_cpu=1.5, db_team="beta")
    load_prometheus(warehouse, _day(3), hours=24)
    fourth = transform_warehouse(warehouse, CONFIG)
    assert fourth.days == [date(2026, 11, 2), date(2026, 11, 3)]

    # an old dump landing between two snapshots changes its day - 1 up to the next snapshot
    _snapshot(warehouse, _day(2) + timedelta(hours=12), db_cpu=0.25)
    fifth = transform_warehouse(warehouse, CONFIG)
    assert fifth.days == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]

    incremental = _contents(warehouse)
    full = transform_warehouse(warehouse, CONFIG, full_refresh=True)
    assert full.full_refresh
    assert _contents(warehouse) == incremental
    teams = warehouse.con.execute(
        "select cost_date, team from mart_team_cost_daily where team = 'beta' "
        "order by cost_date").fetchall()
    assert [d for d, _ in teams] == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    # db-0 is charged to beta from 06:00 on day 3 (the snapshot in force), alpha before
    owners = dict(warehouse.con.execute(
        "select hour_start, team from int_container_hours where pod_name = 'db-0' "
        "and usage_date = '2026-11-03'").fetchall())
    assert owners[_day(3) + timedelta(hours=5)] == "alpha"
    assert owners[_day(3) + timedelta(hours=6)] == "beta"


def test_a_price_change_rebuilds_everything(warehouse: Warehouse) -> None:
    from fleetscope.config import parse_config

    _snapshot(warehouse, _day(1))
    load_prometheus(warehouse, _day(1), hours=2)
    load_prometheus(warehouse, _day(2), hours=2)
    transform_warehouse(warehouse, CONFIG)
    cheaper = parse_config({"pricing": {"cpu_per_core_hour": 0.5, "ram_per_gib_hour": 0.1}})
    result = transform_warehouse(warehouse, cheaper)
    assert result.full_refresh and len(result.days) == 2
    # n1 + n2 per hour at 0.5 $/core: 6 x 0.5 + 24 x 0.1 = 5.4. Day 1 has Prometheus node
    # series for 2 hours; its other 22 hours take the nodes from the inventory (the data goes on
    # to day 2), so the whole day is charged: 24 x 5.4
    cost = warehouse.con.execute(
        "select sum(total_cost) from mart_team_cost_daily where cost_date = '2026-11-01'"
    ).fetchone()[0]
    assert cost == pytest.approx(24 * 5.4)


def test_a_failing_model_names_its_file_and_changes_nothing(warehouse: Warehouse,
                                                            tmp_path: Path) -> None:
    _snapshot(warehouse, _day(1))
    load_prometheus(warehouse, _day(1), hours=2)
    transform_warehouse(warehouse, CONFIG)
    before = _contents(warehouse)
    models_dir = tmp_path / "models"
    write_model(models_dir, "marts", "mart_team_cost_daily", "select * from no_such_table\n",
                materialized="incremental", date_column="cost_date")
    load_prometheus(warehouse, _day(2), hours=2)
    with pytest.raises(TransformError, match=r"mart_team_cost_daily\.sql failed: .*no_such_table"):
        run_models(warehouse, models=discover_models(models_dir))
    assert _contents(warehouse) == before
    assert warehouse.get_state("transform:last_day") == "2026-11-01"


def test_models_are_ordered_by_dependency() -> None:
    names = [m.name for m in discover_models()]
    assert names.index("int_node_hours") < names.index("int_container_hours")
    assert names.index("int_container_hours") < names.index("int_node_hours_allocated")
    assert names.index("int_helios_app_cost_daily") < names.index("mart_team_cost_daily")
    assert names.index("int_k8s_workloads_owned") < names.index("stg_k8s_pods")


def test_an_incremental_model_needs_a_date_column(tmp_path: Path) -> None:
    write_model(tmp_path, "marts", "mart_x", "select 1\n", materialized="incremental")
    with pytest.raises(TransformError, match=r"mart_x\.yml: an incremental model needs"):
        discover_models(tmp_path)


def test_cli_transform_prints_progress(cli_runner, warehouse_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Warehouse(warehouse_path) as wh:
        _snapshot(wh, _day(1))
        load_prometheus(wh, _day(1), hours=2)
    result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "transform"])
    assert result.exit_code == 0, result.output
    assert "full rebuild of 1 day(s)" in result.stderr
    assert "built marts/mart_team_cost_daily (incremental)" in result.stderr
    again = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "transform"])
    assert "0 day(s) changed since the last run" in again.stderr
    full = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "transform",
                                   "--full-refresh"])
    assert full.exit_code == 0 and "full rebuild of 1 day(s)" in full.stderr
    assert result.stdout == ""


def test_unknown_parameters_and_parameters_in_views_are_refused(tmp_path: Path) -> None:
    write_model(tmp_path, "marts", "mart_x", "select $first_dya as d\n")
    with pytest.raises(TransformError,
                       match=r"mart_x\.sql: unknown parameter\(s\) \['first_dya'\]"):
        discover_models(tmp_path)
    (tmp_path / "marts" / "mart_x.sql").unlink()
    (tmp_path / "marts" / "mart_x.yml").unlink()
    write_model(tmp_path, "staging", "stg_x", "select $first_day as d\n")
    with pytest.raises(TransformError, match=r"stg_x\.sql: a view cannot use parameters"):
        discover_models(tmp_path)


def test_parameters_bound_the_inventory_a_run_reads(warehouse: Warehouse) -> None:
    from fleetscope.pipelines.runner import parameters

    _snapshot(warehouse, _day(1) + timedelta(hours=2))
    _snapshot(warehouse, _day(3) + timedelta(hours=2))
    _snapshot(warehouse, _day(5) + timedelta(hours=2))
    values = parameters(warehouse, [date(2026, 11, 4), date(2026, 11, 5)])
    # day 4 starts after the day-3 snapshot; the window ends with day 6 (the day after the last)
    assert values == {"first_day": date(2026, 11, 4), "last_day": date(2026, 11, 5),
                      "inventory_from": _day(3) + timedelta(hours=2),
                      "inventory_to": _day(7)}
    # before any snapshot: from the first one
    assert parameters(warehouse, [date(2026, 11, 1)])["inventory_from"] == _day(1) + timedelta(
        hours=2)
