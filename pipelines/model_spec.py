"""A model's description, read from the YAML file beside its SQL (dbt's `models:` schema).

`pipelines/models/<layer>/<name>.yml` describes `<name>.sql` once; the runner, the quality gate,
`docs/marts.md` and the analysts' `describe` all read it from here:

    version: 2
    models:
      - name: mart_team_cost_daily
        description: |                  # what a row is and how it is computed
          One row per team, cluster (or Helios source) and day. ...
        config: {materialized: incremental, date_column: cost_date, cumulative: false}
        grain: [cost_date, team, cluster]
        depends_on: [int_helios_app_cost_daily, mart_namespace_cost_daily]
        docs: {show: true}              # listed in docs/marts.md (marts always are)
        meta: {example: "select ..."}   # docs/marts.md's example query
        test_rows: all                  # or newest_snapshot: the gate reads the newest ones
        columns:
          - name: total_cost
            data_type: DOUBLE
            unit: currency
            description: cpu + ram + gpu + storage cost.
            tests: [not_null, non_negative]
        tests:
          - unique_combination_of_columns: {combination_of_columns: [cost_date, team, cluster]}
          - adds_up_to_cluster_cost

Column tests: `not_null`, `unique`, `non_negative`, `positive`, `percent` (in [0, 100]),
`not_in_future` (a date column), `accepted_values: {values: [...]}`. Model tests:
`unique_combination_of_columns` (dbt_utils) and the invariants of `pipelines/invariants.py`,
by name, with arguments where they take some. A key or a test name not listed here is an error
naming the file, so a typo never silently drops a check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fleetscope.errors import TransformError

MODELS_DIR = Path(__file__).resolve().parent / "models"
LAYERS = ("staging", "intermediate", "marts")
MATERIALIZATIONS = ("view", "table", "incremental")
TEST_ROWS = ("all", "newest_snapshot")
MODEL_KEYS = frozenset(
    {
        "name",
        "description",
        "config",
        "grain",
        "depends_on",
        "docs",
        "meta",
        "test_rows",
        "columns",
        "tests",
    }
)
CONFIG_KEYS = frozenset({"materialized", "date_column", "cumulative"})
COLUMN_KEYS = frozenset({"name", "data_type", "unit", "description", "tests"})
COLUMN_TESTS = frozenset(
    {
        "not_null",
        "unique",
        "non_negative",
        "positive",
        "percent",
        "not_in_future",
        "accepted_values",
    }
)
GRAIN_TEST = "unique_combination_of_columns"
# Relations a model may read besides other models: the collectors' raw tables, the config's
# reference tables and the load log.
SOURCE_PREFIXES = ("raw_", "ref_")
SOURCE_TABLES = frozenset({"loads"})


@dataclass(frozen=True)
class TestSpec:
    """One declared test: its name and arguments (`{}` for a bare name)."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ColumnSpec:
    """One column: type as DuckDB names it, unit (empty for names and flags), meaning, tests."""

    name: str
    data_type: str
    unit: str
    description: str
    tests: tuple[TestSpec, ...] = ()

    def has_test(self, name: str) -> bool:
        return any(t.name == name for t in self.tests)


@dataclass(frozen=True)
class ModelSpec:
    """Everything a model's YAML declares."""

    name: str
    path: Path
    description: str
    materialized: str
    date_column: str | None
    cumulative: bool
    grain: tuple[str, ...]
    depends_on: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    tests: tuple[TestSpec, ...]
    docs_show: bool = False
    example: str | None = None
    test_rows: str = "all"

    @property
    def layer(self) -> str:
        return self.path.parent.name

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)


def is_source(name: str) -> bool:
    """A raw, reference or log table: an input the collectors or the config write."""
    return name.startswith(SOURCE_PREFIXES) or name in SOURCE_TABLES


def load_specs(models_dir: Path = MODELS_DIR) -> list[ModelSpec]:
    """Every model's spec, staging first, by name within a layer."""
    return [
        read_spec(path, path.stem)
        for layer in LAYERS
        for path in sorted((models_dir / layer).glob("*.yml"))
    ]


def spec_for(name: str, models_dir: Path = MODELS_DIR) -> ModelSpec | None:
    """The spec of one model by name, or None for a relation that is no model."""
    paths = sorted(models_dir.glob(f"*/{name}.yml"))
    return read_spec(paths[0], name) if paths else None


def read_spec(path: Path, name: str) -> ModelSpec:
    """The spec of model `name` from `path`; a missing, malformed or unknown entry is an error."""
    if not path.is_file():
        raise TransformError(
            f"{path}: missing: every model needs a YAML file beside its SQL "
            "(`python tools/model_yml.py WAREHOUSE` scaffolds one)"
        )
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TransformError(f"{path}: not valid YAML: {_first_line(exc)}") from None
    entries = document.get("models") if isinstance(document, dict) else None
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        raise TransformError(f"{path}: expected `models:` with exactly one model mapping")
    entry = entries[0]
    if entry.get("name") != name:
        raise TransformError(
            f"{path}: names model {entry.get('name')!r}, expected {name!r} (the SQL file's name)"
        )
    return _model(path, entry)


def _model(path: Path, entry: dict[str, Any]) -> ModelSpec:
    _known(path, entry, MODEL_KEYS, f"model {entry['name']}")
    config = _mapping(path, entry.get("config", {}), "config")
    _known(path, config, CONFIG_KEYS, "config")
    materialized = config.get("materialized")
    if materialized not in MATERIALIZATIONS:
        raise TransformError(
            f"{path}: config.materialized must be one of "
            f"{', '.join(MATERIALIZATIONS)}, got {materialized!r}"
        )
    date_column = config.get("date_column")
    if materialized == "incremental" and not date_column:
        raise TransformError(f"{path}: an incremental model needs config.date_column")
    cumulative = config.get("cumulative", False)
    if cumulative not in (True, False):
        raise TransformError(f"{path}: config.cumulative must be true or false")
    if cumulative and materialized != "incremental":
        raise TransformError(f"{path}: config.cumulative needs materialized: incremental")
    columns = tuple(_column(path, c) for c in _list(path, entry.get("columns", []), "columns"))
    test_rows = entry.get("test_rows", "all")
    if test_rows not in TEST_ROWS:
        raise TransformError(f"{path}: test_rows must be one of {', '.join(TEST_ROWS)}")
    docs = _mapping(path, entry.get("docs", {}), "docs")
    _known(path, docs, frozenset({"show"}), "docs")
    meta = _mapping(path, entry.get("meta", {}), "meta")
    _known(path, meta, frozenset({"example"}), "meta")
    spec = ModelSpec(
        name=entry["name"],
        path=path,
        description=str(entry.get("description", "")).strip(),
        materialized=materialized,
        date_column=date_column,
        cumulative=bool(cumulative),
        grain=tuple(_names(path, entry.get("grain", []), "grain")),
        depends_on=tuple(_names(path, entry.get("depends_on", []), "depends_on")),
        columns=columns,
        tests=tuple(_test(path, t, "tests") for t in _list(path, entry.get("tests", []), "tests")),
        docs_show=bool(docs.get("show", False)),
        example=meta.get("example"),
        test_rows=test_rows,
    )
    _check_names(spec)
    return spec


def _column(path: Path, entry: Any) -> ColumnSpec:
    column = _mapping(path, entry, "columns[]")
    if not isinstance(column.get("name"), str):
        raise TransformError(f"{path}: a column has no name")
    where = f"column {column['name']}"
    _known(path, column, COLUMN_KEYS, where)
    tests = tuple(_test(path, t, where) for t in _list(path, column.get("tests", []), where))
    for test in tests:
        if test.name not in COLUMN_TESTS:
            raise TransformError(
                f"{path}: {where}: unknown test {test.name!r} (known: "
                f"{', '.join(sorted(COLUMN_TESTS))})"
            )
        if test.name == "accepted_values" and not isinstance(test.args.get("values"), list):
            raise TransformError(f"{path}: {where}: accepted_values needs `values: [...]`")
    return ColumnSpec(
        column["name"],
        str(column.get("data_type", "")),
        str(column.get("unit", "") or ""),
        str(column.get("description", "") or "").strip(),
        tests,
    )


def _test(path: Path, entry: Any, where: str) -> TestSpec:
    if isinstance(entry, str):
        return TestSpec(entry)
    if isinstance(entry, dict) and len(entry) == 1:
        name, args = next(iter(entry.items()))
        return TestSpec(str(name), _mapping(path, args or {}, f"{where}: {name}"))
    raise TransformError(
        f"{path}: {where}: a test is a name or `name: {{arguments}}`, got {entry!r}"
    )


def _check_names(spec: ModelSpec) -> None:
    from fleetscope.pipelines.invariants import INVARIANTS

    names = {c.name for c in spec.columns}
    for column in (*spec.grain, *([spec.date_column] if spec.date_column else [])):
        if names and column not in names:
            raise TransformError(
                f"{spec.path}: {column!r} (grain or date_column) is not a declared column"
            )
    for test in spec.tests:
        if test.name == GRAIN_TEST:
            if list(test.args.get("combination_of_columns", [])) != list(spec.grain):
                raise TransformError(
                    f"{spec.path}: {GRAIN_TEST} must list the grain {list(spec.grain)}"
                )
        elif test.name not in INVARIANTS:
            raise TransformError(
                f"{spec.path}: unknown model test {test.name!r} (known: "
                f"{', '.join([GRAIN_TEST, *sorted(INVARIANTS)])})"
            )
        else:
            try:
                INVARIANTS[test.name](test.args)
            except ValueError as exc:
                raise TransformError(f"{spec.path}: test {test.name}: {exc}") from None


def _known(path: Path, entry: Mapping[str, Any], keys: frozenset[str], where: str) -> None:
    unknown = sorted(set(entry) - keys)
    if unknown:
        raise TransformError(
            f"{path}: {where}: unknown key(s) {', '.join(unknown)} (known: "
            f"{', '.join(sorted(keys))})"
        )


def _mapping(path: Path, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TransformError(f"{path}: {where} must be a mapping")
    return value


def _list(path: Path, value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise TransformError(f"{path}: {where} must be a list")
    return value


def _names(path: Path, value: Any, where: str) -> list[str]:
    items = _list(path, value, where)
    if not all(isinstance(v, str) for v in items):
        raise TransformError(f"{path}: {where} must be a list of names")
    return items


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
