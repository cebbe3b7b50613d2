"""The transform runner: finds the SQL models, orders them, and builds them incrementally by day.

Conventions for a model (`pipelines/models/<layer>/<name>.sql`, file name = relation name):

* The file is one `select` (import CTEs, logic CTEs, `select * from final`), pure SQL.
* A header of `-- key: value` comment lines at the top of the file declares:
    - `-- grain: one row per team, cluster and day` (documentation, required by review);
    - `-- materialized: view | table | incremental` (default: `view` in `staging/`, `table`
      elsewhere);
    - `-- date_column: cost_date` (required for `incremental`): the DATE column the model is
      partitioned by;
    - `-- cumulative: true` (incremental only): a day's rows depend on earlier days (a running
      state such as "has ever run on Helios", or a look-back window), so the runner recomputes
      every day from the earliest changed day through the last day of data, for this model and
      for every incremental model that reads it (in the usual run, the new days anyway).
* Dependencies are found, not declared: any other model name appearing as a word in the SQL.
  Raw tables (`raw_*`), `loads` and `ref_*` tables are inputs, not models.
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

Which days change (the `loads` table is the change log):

* a time-series load (Prometheus) changes the days its window `[window_start, window_end)` covers;
* a snapshot load collected on day S changes the days from S - 1 up to and including the day of
  the next snapshot of the same source (or the last day of data): a day's inventory is looked up
  in the snapshots from the last one taken before the day starts to the end of the next day, so
  a snapshot is seen by the day before it (pods created after the previous snapshot) and is
  carried forward until the next one;
* days past the previous run's last day of data are new and always computed.

The loads already processed are remembered in `state` (`transform:loads_seen`). A change of any
model's SQL or of the `ref_*` tables (prices, label keys) rebuilds everything, as does
`--full-refresh`. The whole run is one transaction: a failing model leaves the warehouse as it
was, and the error names the model file.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from fleetscope.errors import TransformError
from fleetscope.warehouse import Warehouse

MODELS_DIR = Path(__file__).resolve().parent / "models"
LAYERS = ("staging", "intermediate", "marts")
MATERIALIZATIONS = ("view", "table", "incremental")
STATE_LOADS = "transform:loads_seen"
STATE_FINGERPRINT = "transform:fingerprint"
STATE_LAST_DAY = "transform:last_day"

_HEADER = re.compile(r"^--\s*([a-z_]+)\s*:\s*(.*?)\s*$")
_PARAMETER = re.compile(r"\$([a-z_]+)")
PARAMETERS = ("first_day", "last_day", "inventory_from", "inventory_to", "snapshot_from",
              "latest_snapshot_from")
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Model:
    """One SQL model file and what its header declares."""

    name: str
    layer: str
    path: Path
    sql: str
    materialized: str
    date_column: str | None
    grain: str | None
    depends_on: tuple[str, ...] = ()
    cumulative: bool = False


@dataclass
class RunResult:
    """What a run did: the days recomputed and the models built, for progress and tests."""

    full_refresh: bool
    days: list[date]
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per model built


def _parse_header(path: Path, sql: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        match = _HEADER.match(stripped)
        if match:
            header[match.group(1)] = match.group(2)
    return header


def discover_models(models_dir: Path = MODELS_DIR) -> list[Model]:
    """Every model under `models_dir`, in dependency order (staging first)."""
    found: dict[str, tuple[str, Path, str]] = {}
    for layer in LAYERS:
        for path in sorted((models_dir / layer).glob("*.sql")):
            name = path.stem
            if name in found:
                raise TransformError(f"{path}: model name {name} is also defined in "
                                     f"{found[name][1]}")
            found[name] = (layer, path, path.read_text(encoding="utf-8"))
    models: dict[str, Model] = {}
    for name, (layer, path, sql) in found.items():
        header = _parse_header(path, sql)
        materialized = header.get("materialized", "view" if layer == "staging" else "table")
        if materialized not in MATERIALIZATIONS:
            raise TransformError(f"{path}: materialized must be one of "
                                 f"{', '.join(MATERIALIZATIONS)}, got {materialized!r}")
        date_column = header.get("date_column")
        if materialized == "incremental" and not date_column:
            raise TransformError(f"{path}: an incremental model needs a `-- date_column:` header")
        cumulative = header.get("cumulative", "false") == "true"
        if cumulative and materialized != "incremental":
            raise TransformError(f"{path}: `-- cumulative: true` needs `-- materialized: "
                                 "incremental`")
        body = _strip_comments(sql)
        if materialized == "view" and "_fleetscope_dates" in body:
            raise TransformError(f"{path}: a view cannot read _fleetscope_dates")
        unknown = sorted(set(_PARAMETER.findall(body)) - set(PARAMETERS))
        if unknown or (materialized == "view" and _PARAMETER.search(body)):
            raise TransformError(f"{path}: unknown parameter(s) {unknown} (known in tables and "
                                 f"incremental models: {', '.join(PARAMETERS)})" if unknown else
                                 f"{path}: a view cannot use parameters")
        words = set(_WORD.findall(body.lower()))
        deps = tuple(sorted(w for w in words if w in found and w != name))
        models[name] = Model(name, layer, path, body, materialized, date_column,
                             header.get("grain"), deps, cumulative)
    return _order(models)


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
            raise TransformError(f"{models[name].path}: dependency cycle {cycle}")
        state[name] = "visiting"
        for dep in models[name].depends_on:
            visit(dep, (*chain, name))
        state[name] = "done"
        ordered.append(models[name])

    for name in sorted(models, key=lambda n: (LAYERS.index(models[n].layer), n)):
        visit(name, ())
    return ordered


# -- which days changed ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Load:
    load_id: str
    kind: str
    name: str
    collected_at: datetime
    window_start: datetime | None
    window_end: datetime | None
    finished_at: datetime

    def first_day(self) -> date:
        return (self.window_start or self.collected_at).date()

    def last_day(self) -> date:
        if self.window_end is not None:
            return (self.window_end - timedelta(microseconds=1)).date()
        return self.collected_at.date()


def _loads(wh: Warehouse) -> list[_Load]:
    rows = wh.con.execute(
        "select load_id, source_kind, source_name, collected_at, window_start, window_end, "
        "finished_at from loads where status = 'succeeded' "
        "order by finished_at, load_id").fetchall()
    return [_Load(*row) for row in rows]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _affected_days(load: _Load, loads: list[_Load], last_day: date) -> set[date]:
    if load.window_start is not None:
        return set(_days(load.first_day(), load.last_day()))
    later = [x.collected_at for x in loads
             if x.window_start is None and x.kind == load.kind and x.name == load.name
             and x.collected_at > load.collected_at]
    until = min(later).date() if later else last_day
    return set(_days(load.collected_at.date() - timedelta(days=1), max(until, load.last_day())))


def changed_days(wh: Warehouse, *, full_refresh: bool) -> tuple[list[date], list[date], bool]:
    """(days to recompute, every day of data, whether this is a full rebuild)."""
    loads = _loads(wh)
    if not loads:
        return [], [], full_refresh
    first_day = min(x.first_day() for x in loads)
    last_day = max(x.last_day() for x in loads)
    all_days = _days(first_day, last_day)
    seen_raw = wh.get_state(STATE_LOADS)
    previous_last = wh.get_state(STATE_LAST_DAY)
    if full_refresh or seen_raw is None or previous_last is None:
        return all_days, all_days, True
    seen = json.loads(seen_raw)
    seen_at = datetime.fromisoformat(seen["finished_at"])
    seen_ids = set(seen["load_ids"])
    new = [x for x in loads if x.finished_at > seen_at
           or (x.finished_at == seen_at and x.load_id not in seen_ids)]
    days: set[date] = set()
    for load in new:
        days |= _affected_days(load, loads, last_day)
    previous = date.fromisoformat(previous_last)
    if last_day > previous:
        days |= set(_days(previous + timedelta(days=1), last_day))
    return sorted(d for d in days if first_day <= d <= last_day), all_days, False


def _loads_marker(wh: Warehouse) -> str | None:
    row = wh.con.execute("select max(finished_at) from loads where status = 'succeeded'"
                         ).fetchone()
    if row is None or row[0] is None:
        return None
    ids = [r[0] for r in wh.con.execute(
        "select load_id from loads where status = 'succeeded' and finished_at = ? "
        "order by load_id", [row[0]]).fetchall()]
    return json.dumps({"finished_at": row[0].isoformat(), "load_ids": ids})


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


def parameters(wh: Warehouse, days: list[date]) -> dict[str, date | datetime]:
    """The named parameters of a run over `days` (see the module docstring)."""
    first = days[0] if days else date(1970, 1, 1)
    last = days[-1] if days else first
    start = datetime.combine(first, datetime.min.time())
    row = wh.con.execute(
        "select min(snapshot_from) from (select source_name, coalesce("
        "max(case when collected_at <= ? then collected_at end), min(collected_at)) "
        "as snapshot_from from loads where source_kind = 'kubernetes' and status = 'succeeded' "
        "group by source_name) as clusters", [start]).fetchone()
    inventory_from = row[0] if row and row[0] is not None else start
    return {"first_day": first, "last_day": last, "inventory_from": inventory_from,
            "inventory_to": datetime.combine(last, datetime.min.time()) + timedelta(days=2)}


def snapshot_parameters(wh: Warehouse, days: list[date]) -> dict[str, date | datetime]:
    """`$snapshot_from` and `$latest_snapshot_from` of a run over `days` (module docstring)."""
    start = datetime.combine(days[0] if days else date(1970, 1, 1), datetime.min.time())
    row = wh.con.execute(
        "select min(case when source_kind <> 'catalog' then snapshot_from end), min(latest_at) "
        "from (select source_kind, coalesce(max(case when collected_at <= ? then collected_at "
        "end), min(collected_at)) as snapshot_from, max(collected_at) as latest_at from loads "
        "where status = 'succeeded' and window_start is null "
        "and source_kind in ('kubernetes', 'helios', 'catalog') "
        "group by source_kind, source_name) as sources", [start]).fetchone()
    return {"snapshot_from": row[0] if row and row[0] is not None else start,
            "latest_snapshot_from": row[1] if row and row[1] is not None else start}


# -- running -----------------------------------------------------------------------------------

def _relation_kind(wh: Warehouse, name: str) -> str | None:
    row = wh.con.execute("select table_type from information_schema.tables "
                         "where table_name = ? and table_schema = 'main'", [name]).fetchone()
    if row is None:
        return None
    return "view" if row[0] == "VIEW" else "table"


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
        days, all_days, full = changed_days(wh, full_refresh=full_refresh)
        result = RunResult(full_refresh=full, days=days)
        changed_parameters = {**parameters(wh, days), **snapshot_parameters(wh, days)}
        all_parameters = {**parameters(wh, all_days), **snapshot_parameters(wh, all_days)}
        # cumulative models (and incremental models reading them): earliest changed day onwards
        through_last = _days(days[0], all_days[-1]) if days else []
        through_parameters = {**parameters(wh, through_last),
                              **snapshot_parameters(wh, through_last)}
        cumulative: set[str] = set()
        if full:
            say(f"full rebuild of {len(all_days)} day(s)")
        else:
            say(f"{len(days)} day(s) changed since the last run")
        for model in models:
            started = time.perf_counter()
            kind = _relation_kind(wh, model.name)
            wanted = "view" if model.materialized == "view" else "table"
            if kind is not None and kind != wanted:
                wh.drop_relation(model.name)
                kind = None
            try:
                if model.materialized == "view":
                    wh.create_view(model.name, model.sql)
                elif model.materialized == "table" or full or kind is None:
                    if not days and kind is not None:
                        result.skipped.append(model.name)
                        continue
                    wh.replace_table_for_dates(model.name, model.sql, all_days,
                                               _used(model, all_parameters))
                else:
                    if not days:
                        result.skipped.append(model.name)
                        continue
                    assert model.date_column is not None
                    if model.cumulative or cumulative.intersection(model.depends_on):
                        cumulative.add(model.name)
                        wh.replace_partitions(model.name, model.sql, model.date_column,
                                              through_last, _used(model, through_parameters))
                    else:
                        wh.replace_partitions(model.name, model.sql, model.date_column, days,
                                              _used(model, changed_parameters))
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise TransformError(f"model {_display(model.path)} failed: {first}") from None
            result.built.append(model.name)
            result.seconds[model.name] = time.perf_counter() - started
            say(f"built {model.layer}/{model.name} ({model.materialized}) in "
                f"{result.seconds[model.name]:.2f}s")
        marker = _loads_marker(wh)
        if marker is not None:
            wh.set_state(STATE_LOADS, marker)
        if all_days:
            wh.set_state(STATE_LAST_DAY, all_days[-1].isoformat())
        wh.set_state(STATE_FINGERPRINT, current)
    return result


def _used(model: Model, values: dict[str, date | datetime]) -> dict[str, date | datetime]:
    # DuckDB rejects parameters a statement does not use
    names = set(_PARAMETER.findall(model.sql))
    return {name: value for name, value in values.items() if name in names}


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(MODELS_DIR.parent.parent))
    except ValueError:
        return str(path)
