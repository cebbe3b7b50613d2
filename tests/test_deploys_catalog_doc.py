"""docs/marts.md: every column of every mart (and of the staging views DESIGN names) is
described, and the file equals what `pipelines.catalog_doc` renders from freshly built models."""

from __future__ import annotations

import pytest
from test_deploys_history import load_history

from fleetscope.config import parse_config
from fleetscope.pipelines.catalog_doc import (
    COLUMNS,
    DOC_PATH,
    documented_relations,
    missing_descriptions,
    relation_columns,
    render_marts_doc,
)
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A tiny warehouse with every model built by the real transform (column types only)."""
    with Warehouse(tmp_path_factory.mktemp("catalog") / "wh.duckdb") as wh:
        load_history(wh)
        transform_warehouse(wh, parse_config({}))
        yield wh


def test_every_mart_and_named_staging_view_is_documented(built):
    names = documented_relations()
    assert {"mart_team_cost_daily", "mart_app_cost_daily", "mart_cluster_utilization_daily",
            "mart_app_migration_status", "mart_migration_daily", "mart_rightsizing",
            "mart_deploys_weekly", "mart_deploy_frequency", "stg_k8s_pods", "stg_k8s_nodes",
            "stg_helios_deployments"} <= set(names)
    assert missing_descriptions(built.con) == []


def test_a_column_without_a_description_is_reported(built):
    saved = COLUMNS["mart_deploys_weekly"].pop("count_days_deployed")
    try:
        problems = missing_descriptions(built.con)
    finally:
        COLUMNS["mart_deploys_weekly"]["count_days_deployed"] = saved
    assert problems == ["mart_deploys_weekly.count_days_deployed: no description"]


def test_units_and_meanings_are_filled_in():
    for name, columns in COLUMNS.items():
        for column, (_unit, meaning) in columns.items():
            assert meaning.strip(), f"{name}.{column}"
    assert COLUMNS["mart_team_cost_daily"]["total_cost"][0] == "currency"


def test_the_doc_file_is_in_sync_with_the_models(built):
    rendered = render_marts_doc(built.con)
    assert DOC_PATH.read_text(encoding="utf-8") == rendered, (
        "docs/marts.md is stale: run "
        "`.venv/bin/python -m fleetscope.pipelines.catalog_doc WAREHOUSE`")
    # a grain header continued on the next comment line is quoted whole
    assert ("Grain: one row per app and day, from the first day the app ran anywhere (a native "
            "app that stops running has no row on the days it runs nowhere).") in rendered
    for name in documented_relations():
        assert f"## {name}\n" in rendered
        for column, data_type in relation_columns(built.con, name):
            assert f"| `{column}` | {data_type} |" in rendered
