"""Scaffold or refresh the YAML beside each SQL model (`pipelines/models/<layer>/<name>.yml`).

    .venv/bin/python tools/model_yml.py WAREHOUSE                  # every model
    .venv/bin/python tools/model_yml.py WAREHOUSE path/to/model.sql ...

WAREHOUSE is one the current models were built in (e.g. `fleetscope demo --out /tmp/d` then
`/tmp/d/warehouse.duckdb`). For each model it writes the YAML from:

* the SQL file's header comments, where it still has them (`-- grain:`, `-- materialized:`,
  `-- date_column:`, `-- cumulative:` and the prose below them, which becomes the description);
  a model whose header was already moved keeps its YAML's config and description;
* the columns and types of the built relation (DESCRIBE): columns are listed in table order,
  a column that no longer exists is dropped (and named on stderr), a new one gets a unit guessed
  from its name and an empty description to fill in;
* the relations the SQL reads, found by sqlglot: `depends_on`.

Everything written by hand in an existing YAML is kept: column descriptions, units and tests, the
grain, the model tests, `docs` and `meta`. Then delete the SQL's header comments (the YAML is now
where the model is described) and check with `.venv/bin/pytest tests/test_model_specs.py`.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
import yaml
from sqlglot import exp

REPO = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO / "pipelines" / "models"
RUNNER_TABLES = frozenset({"_fleetscope_dates"})  # the runner's own temporary table
_HEADER = re.compile(r"^--\s*(grain|materialized|date_column|cumulative)\s*:\s*(.*?)\s*$")
# First match wins: a unit from the column name's ending (or start, for counts).
_UNITS = (
    ("_cost", "currency"),
    ("_core_hours", "core-hours"),
    ("_gib_hours", "GiB-hours"),
    ("_cores", "cores"),
    ("_bytes", "bytes"),
    ("_pct", "percent"),
    ("_date", "UTC day"),
    ("_at", "UTC timestamp"),
    ("_hours", "hours"),
    ("_ratio", "ratio"),
)


def sql_dependencies(sql: str) -> list[str]:
    """Every relation the SQL reads (tables and views, not its own CTEs), sorted."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    names = {t.name for t in tree.find_all(exp.Table) if t.name}
    return sorted(names - ctes - RUNNER_TABLES)


def parse_header(sql: str) -> tuple[dict[str, str], list[str]]:
    """(the `-- key: value` settings, the other comment lines) of the SQL's leading comments;
    a `grain:` value continues on the comment lines up to the next key."""
    keys: dict[str, str] = {}
    prose: list[str] = []
    current: str | None = None
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        match = _HEADER.match(stripped)
        if match:
            current = match.group(1)
            keys[current] = match.group(2)
            continue
        text = stripped.lstrip("-").strip()
        if current == "grain" and not prose:
            keys["grain"] += " " + text
        else:
            current = None
            prose.append(text)
    return keys, prose


def guess_unit(column: str) -> str:
    if column.startswith("count_"):
        return "count"
    return next((unit for suffix, unit in _UNITS if column.endswith(suffix)), "")


def relation_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    return [
        (str(c), str(t))
        for c, t in con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = ? and table_schema = 'main' order by ordinal_position",
            [name],
        ).fetchall()
    ]


def _config(keys: dict[str, str], layer: str, old: dict[str, Any]) -> dict[str, Any]:
    if "materialized" not in keys and old.get("config"):
        return dict(old["config"])
    config: dict[str, Any] = {
        "materialized": keys.get("materialized", "view" if layer == "staging" else "table")
    }
    if keys.get("date_column"):
        config["date_column"] = keys["date_column"]
    if keys.get("cumulative") == "true":
        config["cumulative"] = True
    return config


def _description(keys: dict[str, str], prose: list[str], old: dict[str, Any]) -> str:
    if old.get("description") and not prose and "grain" not in keys:
        return str(old["description"])
    grain = keys.get("grain", "")
    lines = textwrap.wrap(f"{grain[:1].upper()}{grain[1:]}.", 96) if grain else []
    return "\n".join([*lines, *prose]) + "\n"


def _columns(columns: list[tuple[str, str]], old: dict[str, Any], name: str) -> list[Any]:
    known = {c["name"]: c for c in old.get("columns", [])}
    for gone in sorted(set(known) - {c for c, _ in columns}):
        print(f"{name}: column {gone} no longer exists: dropped", file=sys.stderr)
    out = []
    for column, data_type in columns:
        before = known.get(column, {})
        entry = {
            "name": column,
            "data_type": data_type,
            "unit": before.get("unit", guess_unit(column)),
            "description": before.get("description", ""),
        }
        if before.get("tests"):
            entry["tests"] = before["tests"]
        out.append(entry)
    return out


def scaffold(sql_path: Path, con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The YAML document of one model: the existing YAML refreshed from the SQL and warehouse."""
    name, layer = sql_path.stem, sql_path.parent.name
    yml_path = sql_path.with_suffix(".yml")
    old: dict[str, Any] = {}
    if yml_path.is_file():
        old = (yaml.safe_load(yml_path.read_text(encoding="utf-8")) or {}).get("models", [{}])[0]
    sql = sql_path.read_text(encoding="utf-8")
    keys, prose = parse_header(sql)
    columns = relation_columns(con, name)
    if not columns:
        raise SystemExit(f"Error: {name}: not in the warehouse (build the current models first)")
    model: dict[str, Any] = {
        "name": name,
        "description": _description(keys, prose, old),
        "config": _config(keys, layer, old),
        "grain": old.get("grain", []),
        "depends_on": sql_dependencies(sql),
    }
    for key in ("docs", "meta", "test_rows"):
        if key in old:
            model[key] = old[key]
    model["columns"] = _columns(columns, old, name)
    if old.get("tests"):
        model["tests"] = old["tests"]
    return {"version": 2, "models": [model]}


class _Dumper(yaml.SafeDumper):
    """Block mappings; lists of plain names on one line; multi-line text as a literal block."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # `- name:` items indented under their key, as dbt's own examples are written
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the grain written out again in its test, not as an &anchor


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(v, str) and "\n" not in v for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        width=100,
        allow_unicode=True,
        default_flow_style=False,
    )


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0]).is_file():
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    paths = [Path(p) for p in argv[1:]] or sorted(MODELS_DIR.glob("*/*.sql"))
    con = duckdb.connect(argv[0], read_only=True)
    try:
        for sql_path in paths:
            text = dump(scaffold(sql_path.resolve(), con))
            sql_path.with_suffix(".yml").write_text(text, encoding="utf-8")
            print(f"wrote {sql_path.with_suffix('.yml')}")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
