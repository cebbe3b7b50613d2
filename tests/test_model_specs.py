"""Each model's YAML: depends_on equals what its SQL reads (sqlglot), a broken YAML is an error
naming the file, tools/model_yml.py refreshes a YAML without losing what was written by hand,
and the analysts' `describe` shows the YAML's units and meanings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest
import yaml
from model_files import write_model

from fleetscope.errors import TransformError
from fleetscope.pipelines.model_spec import MODELS_DIR, load_specs
from fleetscope.pipelines.runner import discover_models, select_upstream

REPO = Path(__file__).resolve().parent.parent


def _converter():
    spec = importlib.util.spec_from_file_location("model_yml", REPO / "tools" / "model_yml.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_model_declares_exactly_the_relations_its_sql_reads() -> None:
    converter = _converter()
    for spec in load_specs():
        sql = spec.path.with_suffix(".sql").read_text(encoding="utf-8")
        assert sorted(spec.depends_on) == converter.sql_dependencies(sql), spec.path


def test_every_model_has_a_grain_and_the_marts_a_tested_one() -> None:
    for spec in load_specs():
        assert spec.grain, spec.path
        assert spec.description, spec.path


def test_select_upstream_takes_what_a_model_reads_in_build_order() -> None:
    models = discover_models()
    chosen = [m.name for m in select_upstream(models, ["mart_migration_daily"])]
    assert chosen[-2:] == ["mart_app_migration_status", "mart_migration_daily"]
    assert "int_app_platform_daily" in chosen and "mart_team_cost_daily" not in chosen
    assert chosen == [m.name for m in models if m.name in chosen]


@pytest.mark.parametrize(("text", "message"), [
    ("models: [", r"not valid YAML"),
    ("version: 2\n", r"expected `models:` with exactly one model"),
    ("models:\n  - name: mart_y\n", r"names model 'mart_y', expected 'mart_x'"),
    ("models:\n  - name: mart_x\n    config: {materialized: table}\n    colour: red\n",
     r"model mart_x: unknown key\(s\) colour"),
    ("models:\n  - name: mart_x\n    config: {materialized: table, key: a}\n",
     r"config: unknown key\(s\) key"),
    ("models:\n  - name: mart_x\n    config: {materialized: table}\n"
     "    columns: [{name: a, tests: [positiv]}]\n", r"column a: unknown test 'positiv'"),
    ("models:\n  - name: mart_x\n    config: {materialized: table}\n    tests: [adds_up]\n",
     r"unknown model test 'adds_up'"),
    ("models:\n  - name: mart_x\n    config: {materialized: table}\n"
     "    tests: [{used_within_capacity: {resource: gpu}}]\n",
     r"test used_within_capacity: `resource` must be one of cpu, ram"),
    ("models:\n  - name: mart_x\n    config: {materialized: table}\n"
     "    depends_on: [stg_nothing]\n", r"depends_on names unknown model\(s\) stg_nothing"),
])
def test_a_broken_yaml_is_an_error_naming_the_file(tmp_path: Path, text: str,
                                                   message: str) -> None:
    path = write_model(tmp_path, "marts", "mart_x", "select 1 as a\n")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TransformError, match=rf"^{path}: .*{message}"):
        discover_models(tmp_path)


def test_a_missing_yaml_or_one_without_sql_is_an_error(tmp_path: Path) -> None:
    path = write_model(tmp_path, "marts", "mart_x", "select 1 as a\n")
    path.unlink()
    with pytest.raises(TransformError, match=rf"^{path}: missing"):
        discover_models(tmp_path)
    write_model(tmp_path, "marts", "mart_x", "select 1 as a\n")
    (tmp_path / "marts" / "mart_x.sql").unlink()
    with pytest.raises(TransformError, match=r"mart_x\.yml: describes an unknown model"):
        discover_models(tmp_path)


def test_the_converter_keeps_hand_written_text_and_follows_the_relation(tmp_path: Path) -> None:
    converter = _converter()
    sql = tmp_path / "marts" / "mart_x.sql"
    write_model(tmp_path, "marts", "mart_x", "")
    sql.write_text("-- grain: one row per a\n-- materialized: incremental\n"
                   "-- date_column: d\n-- Why it exists.\n"
                   "select * from raw_t join stg_u using (a)\n")
    sql.with_suffix(".yml").write_text(
        "models:\n  - name: mart_x\n    grain: [a]\n    columns:\n"
        "      - {name: a, unit: cores, description: Hand written., tests: [not_null]}\n"
        "      - {name: gone, description: Dropped.}\n")
    con = duckdb.connect()
    con.execute("create table mart_x as select 1 as a, 2.0 as cpu_cost, current_date as d")
    model = converter.scaffold(sql, con)["models"][0]
    assert model["description"] == "One row per a.\nWhy it exists.\n"
    assert model["config"] == {"materialized": "incremental", "date_column": "d"}
    assert model["grain"] == ["a"] and model["depends_on"] == ["raw_t", "stg_u"]
    assert model["columns"] == [
        {"name": "a", "data_type": "INTEGER", "unit": "cores", "description": "Hand written.",
         "tests": ["not_null"]},
        {"name": "cpu_cost", "data_type": "DECIMAL(2,1)", "unit": "currency", "description": ""},
        {"name": "d", "data_type": "DATE", "unit": "", "description": ""}]


def test_the_converter_reproduces_every_yaml_from_the_models_own_text() -> None:
    # The YAML files are the converter's output: dumping what they hold gives them back.
    converter = _converter()
    for path in sorted(MODELS_DIR.glob("*/*.yml")):
        text = path.read_text(encoding="utf-8")
        assert converter.dump(yaml.safe_load(text)) == text, path


def test_describe_shows_units_and_meanings(tmp_path: Path) -> None:
    from fleetscope.ops.lab import describe

    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table mart_team_cost_daily as select current_date as cost_date, "
                    "1.0::double as total_cost")
    frame = describe("mart_team_cost_daily", path=path)
    assert frame["column_name"].tolist() == ["cost_date", "total_cost"]
    assert frame["unit"].tolist() == ["UTC day", "currency"]
    assert frame["description"][0] == "The day the cost was incurred."
