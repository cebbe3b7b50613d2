"""The transform runner: finds the SQL models, orders them, and builds them incrementally by day.

Conventions for a model (`pipelines/models/<layer>/<name>.sql`, file name = relation name):

* The file is one `select` (import CTEs, logic CTEs, `select * from final`), pure SQL.
* Beside it, `<name>.yml` describes it in dbt's `models:` schema (pipelines/model_spec.py): the
  runner reads from it
    - `config.materialized`: `view | table | incremental`;
    - `config.date_column` (required for `incremental`): the DATE column the model is
      partitioned by;
    - `config.cumulative: true` (incremental only): a day's rows depend on earlier days (a running
      state such as "has ever run on Helios", or a look-back window), so the runner recomputes
      every day from the earliest changed day through the last day of data, for this model and
      for every incremental model that reads it (in the usual run, the new days anyway);
    - `depends_on`: every relation the SQL reads, declared (tests/test_model_specs.py checks it
      against the SQL with sqlglot). Models are built after the models they name; `raw_*`,
      `ref_*` and `loads` are inputs, not models; any other name is an error.
* `incremental` and `table` models may read `_fleetscope_dates(day date)`: the days being
  (re)computed in this run. An incremental model MUST restrict its output to those days (the
  runner deletes exactly those days and inserts the model's rows). A `table` model is rebuilt
  whole whenever any day changed; `_fleetscope_dates` then holds every day of the data.
  Views must not read `_fleetscope_dates` (it is a temporary table).
* `incremental` and `table` models may also use these named parameters (constants, which DuckDB
  pushes down into views, unlike a join with `_fleetscope_dates`):
    - `$first_day`, `$last_day` (DATE): the first and last day computed;
    - `$inventory_from`, `$inventory_to` (TIMESTAMP): the Kubernetes snapshots a computed day
      may look up lie in [inventory_from, inventory_to): from the latest snapshot taken at or
      before the first day starts (per cluster, the earliest of them) to the end of the day after
      the last day. Filtering the inventory on them keeps incremental runs independent of
      history;
    - `$snapshot_from` (TIMESTAMP): the same bound over every snapshot source (Kubernetes
      clusters and Helios installations): the Helios snapshot in force on a computed day was
      taken at or after it;
    - `$latest_snapshot_from` (TIMESTAMP): the earliest of the latest snapshots of every
      snapshot source (Kubernetes, Helios, catalog): each source's latest snapshot is at or
      after it (for models about "the current state", whatever days are computed).

The days recomputed are chosen in pipelines/run_days.py.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from fleetscope.errors import TransformError
from fleetscope.pipelines.model_spec import LAYERS, MODELS_DIR, ModelSpec, is_source, read_spec
from fleetscope.pipelines.run_days import (
    STATE_LAST_DAY,
    STATE_LOADS,
    changed_days,
    days_between,
    loads_marker,
    parameters,
    snapshot_parameters,
)
from fleetscope.warehouse import Warehouse

STATE_FINGERPRINT = "transform:fingerprint"

_PARAMETER = re.compile(r"\$([a-z_]+)")
PARAMETERS = ("first_day", "last_day", "inventory_from", "inventory_to", "snapshot_from",
              "latest_snapshot_from")


@dataclass(frozen=True)
class Model:
    """One SQL model file and what its YAML declares."""

    name: str
    layer: str
    path: Path
    sql: str
    spec: ModelSpec
    depends_on: tuple[str, ...] = ()  # the models it reads (its YAML's depends_on, sources out)

    @property
    def materialized(self) -> str:
        return self.spec.materialized

    @property
    def date_column(self) -> str | None:
        return self.spec.date_column

    @property
    def cumulative(self) -> bool:
        return self.spec.cumulative

    @property
    def grain(self) -> tuple[str, ...]:
        return self.spec.grain


@dataclass
class RunResult:
    """What a run did: the days recomputed and the models built, for progress and tests."""

    full_refresh: bool
    days: list[date]
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per model built


def discover_models(models_dir: Path = MODELS_DIR) -> list[Model]:
    """Every model under `models_dir` with its YAML, in dependency order (staging first)."""
    found: dict[str, tuple[str, Path]] = {}
    for layer in LAYERS:
        for path in sorted((models_dir / layer).glob("*.sql")):
            if path.stem in found:
                raise TransformError(f"{path}: model name {path.stem} is also defined in "
                                     f"{found[path.stem][1]}")
            found[path.stem] = (layer, path)
        for path in sorted((models_dir / layer).glob("*.yml")):
            if not path.with_suffix(".sql").is_file():
                raise TransformError(f"{path}: describes an unknown model (no {path.stem}.sql "
                                     "beside it)")
    models = {name: _model(name, layer, path, found) for name, (layer, path) in found.items()}
    return _order(models)


def _model(name: str, layer: str, path: Path, found: dict[str, tuple[str, Path]]) -> Model:
    spec = read_spec(path.with_suffix(".yml"), name)
    unknown = [d for d in spec.depends_on if d not in found and not is_source(d)]
    if unknown:
        raise TransformError(f"{spec.path}: depends_on names unknown model(s) "
                             f"{', '.join(unknown)} (models: the SQL files under "
                             f"{path.parent.parent}; sources: raw_*, ref_*, loads)")
    if name in spec.depends_on:
        raise TransformError(f"{spec.path}: a model cannot depend on itself")
    body = _strip_comments(path.read_text(encoding="utf-8"))
    if spec.materialized == "view" and "_fleetscope_dates" in body:
        raise TransformError(f"{path}: a view cannot read _fleetscope_dates")
    unknown = sorted(set(_PARAMETER.findall(body)) - set(PARAMETERS))
    if unknown:
        raise TransformError(f"{path}: unknown parameter(s) {unknown} (known in tables and "
                             f"incremental models: {', '.join(PARAMETERS)})")
    if spec.materialized == "view" and _PARAMETER.search(body):
        raise TransformError(f"{path}: a view cannot use parameters")
    deps = tuple(sorted(d for d in spec.depends_on if d in found))
    return Model(name, layer, path, body, spec, deps)


def select_upstream(models: list[Model], names: Iterable[str]) -> list[Model]:
    """The models named and every model they read, directly or not, in build order."""
    by_name = {m.name: m for m in models}
    wanted: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(by_name[name].depends_on)
    return [m for m in models if m.name in wanted]


def _strip_comments(sql: str) -> str:
    # Line comments only; models do not use `--` inside string literals.
    lines = [line.split("--", 1)[0].rstrip() for line in sql.splitlines()]
    return "\n".join(line for line in lines if line).strip().rstrip(";")


def _order(models: dict[str, Model]) -> list[Model]:
    ordered: list[Model] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join((*chain, name))
            raise TransformError(f"{models[name].spec.path}: dependency cycle {cycle}")
        state[name] = "visiting"
        for dep in models[name].depends_on:
            visit(dep, (*chain, name))
        state[name] = "done"
        ordered.append(models[name])

    for name in sorted(models, key=lambda n: (LAYERS.index(models[n].layer), n)):
        visit(name, ())
    return ordered


def fingerprint(wh: Warehouse, models: list[Model]) -> str:
    """Hash of every model's SQL and of the `ref_*` tables: if it changes, rebuild everything."""
    digest = hashlib.sha256()
    for model in sorted(models, key=lambda m: m.name):
        digest.update(f"{model.name}\0{model.materialized}\0{model.sql}\0".encode())
    tables = [r[0] for r in wh.con.execute(
        "select table_name from information_schema.tables where table_name like 'ref\\_%' "
        "escape '\\' order by table_name").fetchall()]
    for table in tables:
        rows = wh.con.execute(f"select * from {table} order by all").fetchall()
        digest.update(f"{table}\0{rows!r}\0".encode())
    return digest.hexdigest()


# -- running -----------------------------------------------------------------------------------

def _relation_kind(wh: Warehouse, name: str) -> str | None:
    row = wh.con.execute("select table_type from information_schema.tables "
                         "where table_name = ? and table_schema = 'main'", [name]).fetchone()
    if row is None:
        return None
    return "view" if row[0] == "VIEW" else "table"


@dataclass
class Plan:
    """The days of one run and the parameters each kind of model is built with."""

    days: list[date]
    all_days: list[date]
    full: bool
    changed: dict[str, date | datetime]  # the changed days
    everything: dict[str, date | datetime]  # every day (tables, full rebuilds)
    through_last: list[date]  # cumulative models: earliest changed day onwards
    through: dict[str, date | datetime]
    cumulative: set[str] = field(default_factory=set)  # built through_last in this run


@dataclass(frozen=True)
class Step:
    """What a run does to one model: a view, the whole table, or some days' partitions."""

    action: str  # "view" | "table" | "partitions"
    days: list[date]
    values: dict[str, date | datetime]  # the named parameters


def plan_run(wh: Warehouse, full_refresh: bool) -> Plan:
    """The days a run computes, from the warehouse's `loads` and `state` (pipelines/run_days)."""
    days, all_days, full = changed_days(wh, full_refresh=full_refresh)
    through_last = days_between(days[0], all_days[-1]) if days else []

    def values(span: list[date]) -> dict[str, date | datetime]:
        return {**parameters(wh, span), **snapshot_parameters(wh, span)}

    return Plan(days, all_days, full, values(days), values(all_days), through_last,
                values(through_last))


def step_for(model: Model, plan: Plan, *, exists: bool) -> Step | None:
    """The step of `model` in this run (None: nothing to do); every engine follows it."""
    if model.materialized == "view":
        return Step("view", [], {})
    if model.materialized == "table" or plan.full or not exists:
        if not plan.days and exists:
            return None
        return Step("table", plan.all_days, plan.everything)
    if not plan.days:
        return None
    if model.cumulative or plan.cumulative.intersection(model.depends_on):
        plan.cumulative.add(model.name)
        return Step("partitions", plan.through_last, plan.through)
    return Step("partitions", plan.days, plan.changed)


def run_models(wh: Warehouse, *, full_refresh: bool = False,
               models: list[Model] | None = None,
               progress: Callable[[str], None] | None = None) -> RunResult:
    """Build every model: views always, tables and incremental models for the changed days."""
    models = discover_models() if models is None else models
    say = progress or (lambda _message: None)
    with wh.transaction():
        current = fingerprint(wh, models)
        if wh.get_state(STATE_FINGERPRINT) != current:
            full_refresh = True
        plan = plan_run(wh, full_refresh)
        result = RunResult(full_refresh=plan.full, days=plan.days)
        if plan.full:
            say(f"full rebuild of {len(plan.all_days)} day(s)")
        else:
            say(f"{len(plan.days)} day(s) changed since the last run")
        for model in models:
            started = time.perf_counter()
            try:
                built = _build(wh, model, plan)
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise TransformError(f"model {_display(model.path)} failed: {first}") from None
            if not built:
                result.skipped.append(model.name)
                continue
            result.built.append(model.name)
            result.seconds[model.name] = time.perf_counter() - started
            say(f"built {model.layer}/{model.name} ({model.materialized}) in "
                f"{result.seconds[model.name]:.2f}s")
        record_run_state(wh, plan, current)
    return result


def record_run_state(wh: Warehouse, plan: Plan, current: str) -> None:
    """What the next run plans from: the loads seen, the last day built and the models'
    fingerprint (either engine writes the same three after its last model)."""
    marker = loads_marker(wh)
    if marker is not None:
        wh.set_state(STATE_LOADS, marker)
    if plan.all_days:
        wh.set_state(STATE_LAST_DAY, plan.all_days[-1].isoformat())
    wh.set_state(STATE_FINGERPRINT, current)


def _build(wh: Warehouse, model: Model, plan: Plan) -> bool:
    """Build one model for the plan's days; False when there was nothing to do."""
    kind = _relation_kind(wh, model.name)
    wanted = "view" if model.materialized == "view" else "table"
    if kind is not None and kind != wanted:
        wh.drop_relation(model.name)
        kind = None
    step = step_for(model, plan, exists=kind is not None)
    if step is None:
        return False
    if step.action == "view":
        wh.create_view(model.name, model.sql)
    elif step.action == "table":
        wh.replace_table_for_dates(model.name, model.sql, step.days, _used(model, step.values))
    else:
        assert model.date_column is not None
        wh.replace_partitions(model.name, model.sql, model.date_column, step.days,
                              _used(model, step.values))
    return True


def _used(model: Model, values: dict[str, date | datetime]) -> dict[str, date | datetime]:
    # DuckDB rejects parameters a statement does not use
    names = set(_PARAMETER.findall(model.sql))
    return {name: value for name, value in values.items() if name in names}


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(MODELS_DIR.parent.parent))
    except ValueError:
        return str(path)
