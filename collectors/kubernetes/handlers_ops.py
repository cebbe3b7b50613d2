"""Row handlers of the operational objects: Jobs' status (smoke deploys) and Velero's backups
and schedules (backup status), for the GA-readiness marts.

Same contract as `handlers`: one API object as plain dicts in, one row per table out, a bad
field raises InputError naming the object (`where`) and the field. Velero fields are read as
pkg/apis/velero/v1/backup_types.go and schedule_types.go define them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from fleetscope.collectors.kubernetes.handlers import _check_integer, _json, workload_rows
from fleetscope.errors import InputError

if TYPE_CHECKING:
    from fleetscope.collectors.kubernetes.rows import SnapshotBuilder

# Velero labels every backup a schedule creates with the schedule's name.
SCHEDULE_LABEL = "velero.io/schedule-name"
# The Job conditions that end a Job (a True one); SuccessCriteriaMet/FailureTarget only precede
# them (Kubernetes 1.31+).
FINAL_CONDITIONS = ("Complete", "Failed")

_EMPTY: Mapping[str, Any] = {}


def job_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: str, where: str
) -> None:
    """A Job is a workload (raw_k8s_workloads) with a status (raw_k8s_jobs)."""
    workload_rows(b, kind, item, meta, name, ns, where)
    status = item.get("status") or _EMPTY
    outcome, finished = _final_condition(b, status.get("conditions"), where)
    cols = b.columns["raw_k8s_jobs"]
    for field in ("succeeded", "failed"):
        _check_integer(status.get(field), where, f"status.{field}")
        cols[field].append(status.get(field))
    cols["namespace"].append(ns)
    cols["job_name"].append(name)
    cols["uid"].append(meta.get("uid"))
    cols["cronjob_name"].append(b.job_cronjob.get((ns, name)))
    cols["started_at"].append(b.timestamp(status.get("startTime"), where, "status.startTime"))
    cols["completed_at"].append(
        b.timestamp(status.get("completionTime"), where, "status.completionTime")
    )
    cols["outcome"].append(outcome)
    cols["finished_at"].append(finished)


def _final_condition(b: SnapshotBuilder, conditions: Any, where: str) -> tuple[Any, Any]:
    """('Complete' | 'Failed', lastTransitionTime) of the Job's True final condition, if any."""
    if conditions is None:
        return None, None
    if not isinstance(conditions, list):
        raise InputError(f"{where}: status.conditions: expected a list, got {conditions!r}")
    for i, condition in enumerate(conditions):
        if (condition or _EMPTY).get("type") in FINAL_CONDITIONS and condition.get(
            "status"
        ) == "True":
            field = f"status.conditions[{i}].lastTransitionTime"
            return condition["type"], b.timestamp(condition.get("lastTransitionTime"), where, field)
    return None, None


def _names(value: Any, where: str, field: str) -> str:
    """A namespace list (includedNamespaces...) as JSON text; absent is [] (Velero: all)."""
    if value is None:
        return "[]"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: {field}: expected a list of namespace names, got {value!r}")
    return orjson.dumps(value).decode()


def _text(value: Any, where: str, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: {field}: expected a string, got {value!r}")
    return value


def velero_backup_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: str, where: str
) -> None:
    spec = item.get("spec") or _EMPTY
    status = item.get("status") or _EMPTY
    labels = meta.get("labels") or _EMPTY
    _json(labels, where, "metadata.labels")  # checks the type
    cols = b.columns["raw_velero_backups"]
    cols["namespace"].append(ns)
    cols["backup_name"].append(name)
    cols["schedule_name"].append(
        _text(labels.get(SCHEDULE_LABEL), where, f"metadata.labels[{SCHEDULE_LABEL}]")
    )
    # An empty phase is a backup the server has not picked up yet (New).
    cols["phase"].append(_text(status.get("phase"), where, "status.phase") or "New")
    for column, field in (
        ("started_at", "startTimestamp"),
        ("completed_at", "completionTimestamp"),
        ("expires_at", "expiration"),
    ):
        cols[column].append(b.timestamp(status.get(field), where, f"status.{field}"))
    for column, field in (
        ("included_namespaces", "includedNamespaces"),
        ("excluded_namespaces", "excludedNamespaces"),
    ):
        cols[column].append(_names(spec.get(field), where, f"spec.{field}"))
    for field in ("errors", "warnings"):
        _check_integer(status.get(field), where, f"status.{field}")
        cols[field].append(status.get(field) or 0)
    cols["created_at"].append(
        b.timestamp(meta.get("creationTimestamp"), where, "metadata.creationTimestamp")
    )


def velero_schedule_rows(
    b: SnapshotBuilder, kind: str, item: dict, meta: dict, name: str, ns: str, where: str
) -> None:
    spec = item.get("spec") or _EMPTY
    template = spec.get("template") or _EMPTY
    paused = spec.get("paused")
    if paused is not None and not isinstance(paused, bool):
        raise InputError(f"{where}: spec.paused: expected true or false, got {paused!r}")
    cols = b.columns["raw_velero_schedules"]
    cols["namespace"].append(ns)
    cols["schedule_name"].append(name)
    cols["schedule"].append(_text(spec.get("schedule"), where, "spec.schedule"))
    for column, field in (
        ("included_namespaces", "includedNamespaces"),
        ("excluded_namespaces", "excludedNamespaces"),
    ):
        cols[column].append(_names(template.get(field), where, f"spec.template.{field}"))
    cols["paused"].append(bool(paused))
    last = (item.get("status") or _EMPTY).get("lastBackup")
    cols["last_backup_at"].append(b.timestamp(last, where, "status.lastBackup"))
    cols["created_at"].append(
        b.timestamp(meta.get("creationTimestamp"), where, "metadata.creationTimestamp")
    )
