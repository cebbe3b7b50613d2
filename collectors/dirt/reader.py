"""A DiRT log file (docs/sources.md, "DiRT log"): `exercises:`, a list of exercises.

Each exercise: `date` (YYYY-MM-DD), `cluster`, `scenario` (one of SCENARIOS), `validated` (a
list of what the exercise checked), `outcome` (pass, partial, fail), and optionally `id`,
`time_to_recover_minutes` (>= 0, or null when it did not recover), `playbook` (a URL) and
`follow_ups` (a list of `{title, status: open|done, link}`). Reading is strict: an unknown key, a
missing one or a value outside its set is an InputError naming the file, the value's line and
the field. The YAML is the catalog's YAML 1.2 core schema (`2026-10-14` stays a string, a key
written twice is an error).

The file is a snapshot of the log: its load replaces every row an earlier load of the same file
(by resolved path) wrote, so an exercise deleted from the file leaves the warehouse too.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from fleetscope.collectors.catalog.yaml12 import MAX_ALIAS_EXPANSION, CoreLoader, alias_expansion
from fleetscope.collectors.dirt.fields import (
    FOLLOW_UP_STATUSES,
    OUTCOMES,
    SCENARIOS,
    Where,
    day,
    mapping,
    minutes,
    one_of,
    sequence,
    text,
    url,
)
from fleetscope.errors import InputError

TABLE = "raw_dirt_exercises"
KEYS = ("source",)  # one load per file: a reload replaces all of the file's rows
COLUMNS = [
    "exercise_id",
    "exercise_date",
    "cluster_name",
    "scenario",
    "validated",
    "outcome",
    "time_to_recover_minutes",
    "playbook_url",
    "follow_ups",
    "source_file",
    "line",
]
_REQUIRED = ("date", "cluster", "scenario", "validated", "outcome")
_OPTIONAL = ("id", "time_to_recover_minutes", "playbook", "follow_ups")


def _invalid(path: Path, exc: yaml.YAMLError) -> InputError:
    """`<file>:<line>: invalid YAML: ...`, with the line when the parser knows it."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f":{mark.line + 1}" if mark is not None else ""
    return InputError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}")


def _root(path: Path) -> tuple[CoreLoader, Node]:
    try:
        written = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    loader = CoreLoader(written)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _invalid(path, exc) from None
    if node is None:
        raise InputError(f"{path}: empty file (expected `exercises:`, a list)")
    if alias_expansion(node) > MAX_ALIAS_EXPANSION:
        raise InputError(
            f"{path}: YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes; refused"
        )
    return loader, node


def _follow_ups(loader: CoreLoader, node: Node, where: Where) -> list[dict[str, Any]]:
    found = []
    for i, item in enumerate(sequence(node, where)):
        at = where.child(i)
        fields = mapping(item, at, required=("title", "status"), optional=("link",))

        def value(key: str, fields: dict[str, Node] = fields) -> Any:
            return loader.construct_object(fields[key], deep=True) if key in fields else None

        found.append(
            {
                "title": text(fields["title"], at.child("title"), value("title")),
                "status": one_of(
                    fields["status"], at.child("status"), value("status"), FOLLOW_UP_STATUSES
                ),
                "link": url(fields["link"], at.child("link"), value("link"))
                if "link" in fields
                else None,
            }
        )
    return found


def _exercise(loader: CoreLoader, node: Node, where: Where, path: Path) -> dict[str, Any]:
    fields = mapping(node, where, required=_REQUIRED, optional=_OPTIONAL)

    def check(key: str, parse: Any, *args: Any) -> Any:
        if key not in fields:
            return None
        value = loader.construct_object(fields[key], deep=True)
        return parse(fields[key], where.child(key), value, *args)

    validated_where = where.child("validated")
    validated = [
        text(item, validated_where.child(i), loader.construct_object(item, deep=True))
        for i, item in enumerate(sequence(fields["validated"], validated_where))
    ]
    if not validated:
        raise validated_where.error(fields["validated"], "list at least one thing validated")
    row = {
        "exercise_date": check("date", day),
        "cluster_name": check("cluster", text),
        "scenario": check("scenario", one_of, SCENARIOS),
        "validated": json.dumps(validated),
        "outcome": check("outcome", one_of, OUTCOMES),
        "time_to_recover_minutes": check("time_to_recover_minutes", minutes),
        "playbook_url": check("playbook", url),
        "follow_ups": json.dumps(
            _follow_ups(loader, fields["follow_ups"], where.child("follow_ups"))
            if "follow_ups" in fields
            else []
        ),
        "source_file": str(path),
        "line": node.start_mark.line + 1,
    }
    # no id: the date, cluster and scenario name the exercise (two the same day need an id)
    row["exercise_id"] = (
        check("id", text)
        or f"{row['exercise_date']:%Y-%m-%d}-{row['cluster_name']}-{row['scenario']}"
    )
    return row


def read_exercises(path: Path) -> list[dict[str, Any]]:
    """Every exercise of the file as a raw row, checked; the first problem is an InputError."""
    loader, root = _root(path)
    try:
        top = mapping(root, Where(str(path), "(file)"), required=("exercises",), optional=())
        where = Where(str(path), "exercises")
        rows = [
            _exercise(loader, item, where.child(i), path)
            for i, item in enumerate(sequence(top["exercises"], where))
        ]
        if not rows:  # an empty load would replace nothing: refuse rather than keep stale rows
            raise where.error(top["exercises"], "the list is empty (log at least one exercise)")
    except yaml.YAMLError as exc:  # raised while constructing a value (a bad tag)
        raise _invalid(path, exc) from None
    finally:
        loader.dispose()
    seen: dict[str, int] = {}
    for row in rows:
        if row["exercise_id"] in seen:
            raise InputError(
                f"{path}:{row['line']}: id: exercise {row['exercise_id']!r} "
                f"repeats the one on line {seen[row['exercise_id']]} (give an `id`)"
            )
        seen[row["exercise_id"]] = row["line"]
    return rows


def read_dirt_file(path: Path, *, collected_at: datetime):
    """A LoadBatch of the file's exercises, named by the file's resolved path."""
    import pandas as pd

    from fleetscope.warehouse import LoadBatch

    frame = pd.DataFrame(read_exercises(path), columns=COLUMNS)
    return LoadBatch("dirt", str(path.resolve()), collected_at, {TABLE: frame}, keys={TABLE: KEYS})


__all__ = ["OUTCOMES", "SCENARIOS", "read_dirt_file", "read_exercises"]
