"""docs/marts.md and the models' YAML: every column of every mart (and of the staging views
DESIGN names) is described, each YAML lists the columns and types of the relation the SQL builds,
and the file equals what `pipelines.catalog_doc` renders from the YAML."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_deploys_history import load_history

from fleetscope.config import parse_config
from fleetscope.pipelines.catalog_doc import (
    DOC_PATH,
    documented,
    documented_relations,
    missing_descriptions,
    render_marts_doc,
)
from fleetscope.pipelines.model_spec import load_specs
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A tiny warehouse with every model built by the real transform (column types only)."""
    with Warehouse(tmp_path_factory.mktemp("catalog") / "wh.duckdb") as wh:
        load_history(wh)
        transform_warehouse(wh, parse_config({}))
        yield wh


def test_every_mart_and_named_staging_view_is_documented():
    names = documented_relations()
    assert {"mart_team_cost_daily", "mart_app_cost_daily", "mart_cluster_utilization_daily",
            "mart_app_migration_status", "mart_migration_daily", "mart_rightsizing",
            "mart_deploys_weekly", "mart_deploy_frequency", "stg_k8s_pods", "stg_k8s_nodes",
            "stg_helios_deployments"} <= set(names)
    assert {s.name for s in load_specs() if s.layer == "marts"} <= set(names)
    assert missing_descriptions() == []


def test_a_column_without_a_description_is_reported():
    specs = load_specs()
    weekly = next(s for s in specs if s.name == "mart_deploys_weekly")
    columns = tuple(replace(c, description="") if c.name == "count_days_deployed" else c
                    for c in weekly.columns)
    specs = [replace(weekly, columns=columns) if s is weekly else s for s in specs]
    assert missing_descriptions(specs) == [
        "mart_deploys_weekly.count_days_deployed: no description"]


def test_units_and_meanings_are_filled_in():
    for spec in documented():
        for column in spec.columns:
            assert column.description.strip(), f"{spec.name}.{column.name}"
    team = next(s for s in load_specs() if s.name == "mart_team_cost_daily")
    assert team.column("total_cost").unit == "currency"


def test_each_yaml_lists_the_columns_and_types_its_sql_builds(built):
    for spec in load_specs():
        actual = [(str(c), str(t)) for c, t in built.con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = ? and table_schema = 'main' order by ordinal_position",
            [spec.name]).fetchall()]
        declared = [(c.name, c.data_type) for c in spec.columns]
        assert declared == actual, (
            f"{spec.path} is stale: run `.venv/bin/python tools/model_yml.py WAREHOUSE "
            f"pipelines/models/{spec.layer}/{spec.name}.sql`")


def test_the_doc_file_is_in_sync_with_the_yaml():
    rendered = render_marts_doc()
    assert DOC_PATH.read_text(encoding="utf-8") == rendered, (
        "docs/marts.md is stale: run `.venv/bin/python -m fleetscope.pipelines.catalog_doc`")
    # a grain written over several lines of the YAML is quoted whole
    assert ("One row per app and day, from the first day the app ran anywhere (a native "
            "app that stops running has no row on the days it runs nowhere).") in rendered
    for spec in documented():
        assert f"## {spec.name}\n" in rendered
        for column in spec.columns:
            assert f"| `{column.name}` | {column.data_type} |" in rendered
