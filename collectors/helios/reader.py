"""Helios master payloads (or the offline document) → rows of the `raw_helios_*` tables.

The offline document is what `collect helios --dump` writes and what the live collector builds:
`{"jobs": <GET /jobs>, "hosts": {host: <GET /hosts/{host}/status>},
"history": {jobId: <GET /history/jobs/{id}>}}`. Job `env` (and the `env` inside task statuses) is
never read: it routinely holds credentials.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import UnionType
from typing import Any

import pandas as pd

from fleetscope.errors import InputError
from fleetscope.warehouse import LoadBatch, to_naive_utc

TABLES = ("raw_helios_jobs", "raw_helios_hosts", "raw_helios_deployments",
          "raw_helios_job_events")

_COLUMNS: dict[str, list[str]] = {
    "raw_helios_jobs": ["job_id", "job_name", "job_version", "image", "cpu_shares",
                        "memory_bytes", "metadata", "created_at", "creating_user"],
    "raw_helios_hosts": ["host", "status", "cpus", "memory_total_bytes"],
    "raw_helios_deployments": ["host", "job_id", "goal", "state"],
    "raw_helios_job_events": ["job_id", "event_at", "host", "state"],
}


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _checked(value: Any, where: str, expected: type | UnionType, what: str) -> Any:
    """`value` if it is None or of the expected JSON type (never a bool), else InputError."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, expected)):
        raise InputError(f"{where}: expected {what}, got {value!r}")
    return value


def _number(value: Any, where: str) -> float | None:
    checked = _checked(value, where, int | float, "a number")
    return None if checked is None else float(checked)


def _text(value: Any, where: str) -> str | None:
    return _checked(value, where, str, "a string")


def _millis(value: Any, where: str) -> datetime | None:
    """Helios writes times as epoch milliseconds; ISO strings are accepted too."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return to_naive_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            raise InputError(f"{where}: expected epoch milliseconds or ISO 8601, "
                             f"got {value!r}") from None
    number = _number(value, where)
    assert number is not None
    return datetime.fromtimestamp(number / 1000, UTC).replace(tzinfo=None)


def split_job_id(job_id: str, where: str) -> tuple[str, str | None]:
    """`name:version:hash` → (name, version); a bare name has no version."""
    parts = job_id.split(":")
    if not parts[0]:
        raise InputError(f"{where}: job id {job_id!r} has no name (expected name:version:hash)")
    return parts[0], (parts[1] if len(parts) > 1 and parts[1] else None)


def _jobs_rows(jobs: Mapping[str, Any], origin: str) -> list[dict[str, Any]]:
    rows = []
    for job_id, job in jobs.items():
        where = f"{origin}: jobs[{job_id!r}]"
        job = _mapping(job, where)
        name, version = split_job_id(job_id, where)
        resources = _mapping(job.get("resources") or {}, f"{where}.resources")
        metadata = _mapping(job.get("metadata") or {}, f"{where}.metadata")
        rows.append({
            "job_id": job_id,
            "job_name": name,
            "job_version": version,
            "image": _text(job.get("image"), f"{where}.image"),
            "cpu_shares": _number(resources.get("cpuShares"), f"{where}.resources.cpuShares"),
            "memory_bytes": _number(resources.get("memory"), f"{where}.resources.memory"),
            "metadata": json.dumps(dict(metadata), sort_keys=True),
            "created_at": _millis(job.get("created"), f"{where}.created"),
            "creating_user": _text(job.get("creatingUser"), f"{where}.creatingUser"),
        })
    return rows


def _host_rows(hosts: Mapping[str, Any], origin: str
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    host_rows, deployment_rows = [], []
    for host, status in hosts.items():
        where = f"{origin}: hosts[{host!r}]"
        if status is None:  # the master answers null for a host it no longer knows
            continue
        status = _mapping(status, where)
        info = _mapping(status.get("hostInfo") or {}, f"{where}.hostInfo")
        host_rows.append({
            "host": host,
            "status": _text(status.get("status"), f"{where}.status"),
            "cpus": _number(info.get("cpus"), f"{where}.hostInfo.cpus"),
            "memory_total_bytes": _number(info.get("memoryTotalBytes"),
                                          f"{where}.hostInfo.memoryTotalBytes"),
        })
        deployments = _mapping(status.get("jobs") or {}, f"{where}.jobs")
        statuses = _mapping(status.get("statuses") or {}, f"{where}.statuses")
        # A task can outlive its deployment (being undeployed): keep every job either side names.
        for job_id in sorted(set(deployments) | set(statuses)):
            split_job_id(job_id, f"{where}.jobs")
            deployment = _mapping(deployments.get(job_id) or {}, f"{where}.jobs[{job_id!r}]")
            task = _mapping(statuses.get(job_id) or {}, f"{where}.statuses[{job_id!r}]")
            deployment_rows.append({
                "host": host,
                "job_id": job_id,
                "goal": _text(deployment.get("goal"), f"{where}.jobs[{job_id!r}].goal"),
                "state": _text(task.get("state"), f"{where}.statuses[{job_id!r}].state"),
            })
    return host_rows, deployment_rows


def _event_rows(history: Mapping[str, Any], origin: str) -> list[dict[str, Any]]:
    rows = []
    for job_id, body in history.items():
        where = f"{origin}: history[{job_id!r}]"
        split_job_id(job_id, where)
        events = _mapping(body, where).get("events") or []
        if not isinstance(events, list):
            raise InputError(f"{where}.events: expected a list")
        for i, event in enumerate(events):
            event_where = f"{where}.events[{i}]"
            event = _mapping(event, event_where)
            at = _millis(event.get("timestamp"), f"{event_where}.timestamp")
            if at is None:
                raise InputError(f"{event_where}.timestamp: missing")
            status = event.get("status")
            # The API nests a TaskStatus; older dumps may carry the state alone.
            state = (_mapping(status, f"{event_where}.status").get("state")
                     if isinstance(status, Mapping) else status)
            rows.append({"job_id": job_id, "event_at": at,
                         "host": _text(event.get("host"), f"{event_where}.host"),
                         "state": _text(state, f"{event_where}.status.state")})
    return rows


def _frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=_COLUMNS[table])
    for column in ("event_at", "created_at"):
        if column in frame.columns:  # typed even when empty, so DuckDB inserts a timestamp
            frame[column] = pd.to_datetime(frame[column])
    return frame


def read_dump(document: Any, *, source: str, collected_at: datetime,
              origin: str = "helios document") -> LoadBatch:
    """One Helios snapshot as a LoadBatch; `origin` names the file or URL in errors."""
    document = _mapping(document, origin)
    missing = [key for key in ("jobs", "hosts") if key not in document]
    if missing:
        raise InputError(f"{origin}: missing key(s) {missing} (expected "
                         "{\"jobs\": ..., \"hosts\": ..., \"history\": ...})")
    jobs = _jobs_rows(_mapping(document["jobs"], f"{origin}: jobs"), origin)
    hosts, deployments = _host_rows(_mapping(document["hosts"], f"{origin}: hosts"), origin)
    events = _event_rows(_mapping(document.get("history") or {}, f"{origin}: history"), origin)
    tables = {"raw_helios_jobs": _frame("raw_helios_jobs", jobs),
              "raw_helios_hosts": _frame("raw_helios_hosts", hosts),
              "raw_helios_deployments": _frame("raw_helios_deployments", deployments),
              "raw_helios_job_events": _frame("raw_helios_job_events", events)}
    return LoadBatch("helios", source, to_naive_utc(collected_at), tables)


def load_document(path: str | Path) -> dict[str, Any]:
    """Parse an offline Helios document, naming the line of a JSON syntax error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON: "
                         f"{exc.msg}") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected a JSON object {{jobs, hosts, history}}")
    return document


def read_dump_file(path: str | Path, *, source: str, collected_at: datetime | None = None
                   ) -> LoadBatch:
    """Read `--from-file`; the snapshot time is `collected_at`, else the document's, else now."""
    document = load_document(path)
    when = collected_at
    if when is None and document.get("collected_at"):
        when = _millis(document["collected_at"], f"{path}: collected_at")
    if when is None:
        when = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    return read_dump(document, source=source, collected_at=when, origin=str(path))
