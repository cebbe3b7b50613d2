"""An incidents file, CSV or JSON (docs/sources.md, "Git and incidents").

Columns (CSV header or JSON keys): `id`, `app` (or `service`), `created`, `resolved` (empty while
open), `caused_by` (a deploy id or a commit sha, optional). JSON is a list of such objects or
`{"incidents": [...]}`. A row that does not read is an InputError naming the file, the line (CSV;
the header is line 1) or the list position (JSON, 1-based) and the field.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fleetscope.collectors.git.commits import parse_time
from fleetscope.errors import InputError

TABLE = "raw_incidents"
KEYS = ("source", "incident_id")
COLUMNS = ["incident_id", "app", "created_at", "resolved_at", "caused_by", "source_file",
           "source_line"]


def _field(row: dict[str, Any], names: tuple[str, ...], where: str, *, required: bool
           ) -> str | None:
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return str(value).strip()
    if required:
        raise InputError(f"{where}: field `{names[0]}` is missing or empty")
    return None


def _row(raw: dict[str, Any], path: Path, line: int, where: str) -> dict[str, Any]:
    created_text = _field(raw, ("created", "created_at"), where, required=True)
    resolved_text = _field(raw, ("resolved", "resolved_at"), where, required=False)
    created = parse_time(created_text, where=f"{where}: field `created`")
    resolved = parse_time(resolved_text, where=f"{where}: field `resolved`") \
        if resolved_text else None
    if resolved is not None and resolved < created:
        raise InputError(f"{where}: field `resolved` is before `created`")
    return {"incident_id": _field(raw, ("id",), where, required=True),
            "app": _field(raw, ("app", "service"), where, required=True),
            "created_at": created, "resolved_at": resolved,
            "caused_by": _field(raw, ("caused_by",), where, required=False),
            "source_file": str(path), "source_line": line}


def _csv_rows(path: Path, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for names in (("id",), ("app", "service"), ("created", "created_at")):
        if not any(n in header for n in names):
            raise InputError(f"{path}: line 1: column `{names[0]}` is missing "
                             f"(the header has {', '.join(header) or 'nothing'})")
    # reader.line_num is the physical line just read (a quoted field may span lines)
    return [_row(raw, path, reader.line_num, f"{path}: line {reader.line_num}")
            for raw in reader]


def _json_rows(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON ({exc})") from None
    items = document.get("incidents") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise InputError(f"{path}: expected a list of incidents or {{\"incidents\": [...]}}")
    rows = []
    for i, raw in enumerate(items, start=1):
        where = f"{path}: incidents[{i - 1}]"
        if not isinstance(raw, dict):
            raise InputError(f"{where}: expected an object")
        rows.append(_row(raw, path, i, where))
    return rows


def read_incidents_file(path: Path, *, source: str = "incidents", collected_at: datetime):
    """A LoadBatch of every incident in the file, keyed by (source, incident id)."""
    import pandas as pd

    from fleetscope.warehouse import LoadBatch

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc})") from None
    is_json = path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{")
    rows = _json_rows(path, text) if is_json else _csv_rows(path, text)
    seen: dict[str, int] = {}
    for row in rows:
        if row["incident_id"] in seen:
            raise InputError(f"{path}: line {row['source_line']}: field `id` "
                             f"{row['incident_id']!r} repeats line {seen[row['incident_id']]}")
        seen[row["incident_id"]] = row["source_line"]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return LoadBatch("incidents", source, collected_at, {TABLE: frame}, keys={TABLE: KEYS})


__all__ = ["read_incidents_file"]
