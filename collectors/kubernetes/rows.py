"""Rows of the raw_k8s_* tables from Kubernetes API objects (shared by reader and live collector).

Speed matters (a 100,000-pod cluster must parse in seconds), so objects are read with plain dict
access into one list per column, quantities are parsed once per distinct string, and the frames
are built once at the end. Workload resolution needs every ReplicaSet and Job first, so pods keep
their direct owner until `build()` resolves Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from fleetscope.collectors.kubernetes.kinds import BY_KIND, KINDS
from fleetscope.collectors.quantity import quantity_to_float
from fleetscope.errors import InputError

TABLES: dict[str, tuple[str, ...]] = {
    "raw_k8s_nodes": (
        "node_name",
        "instance_type",
        "provider_id",
        "is_spot",
        "cpu_capacity_cores",
        "memory_capacity_bytes",
        "gpu_capacity",
        "cpu_allocatable_cores",
        "memory_allocatable_bytes",
        "labels",
        "created_at",
    ),
    "raw_k8s_namespaces": ("namespace", "labels", "annotations", "created_at"),
    "raw_k8s_pods": (
        "namespace",
        "pod_name",
        "pod_uid",
        "node_name",
        "phase",
        "owner_kind",
        "owner_name",
        "workload_kind",
        "workload_name",
        "labels",
        "annotations",
        "created_at",
        "pod_cpu_request_cores",
        "pod_memory_request_bytes",
        "pod_cpu_limit_cores",
        "pod_memory_limit_bytes",
        "pvc_names",
    ),
    "raw_k8s_containers": (
        "namespace",
        "pod_name",
        "container_name",
        "image",
        "cpu_request_cores",
        "memory_request_bytes",
        "gpu_request",
        "cpu_limit_cores",
        "memory_limit_bytes",
    ),
    "raw_k8s_workloads": (
        "namespace",
        "workload_kind",
        "workload_name",
        "uid",
        "owner_kind",
        "owner_name",
        "replicas",
        "labels",
        "annotations",
        "created_at",
    ),
    "raw_k8s_replicasets": (
        "namespace",
        "replicaset_name",
        "deployment_name",
        "revision",
        "images",
        "replicas",
        "labels",
        "created_at",
    ),
    "raw_k8s_pvcs": (
        "namespace",
        "pvc_name",
        "volume_name",
        "storage_class",
        "request_bytes",
        "labels",
    ),
    "raw_k8s_pvs": (
        "pv_name",
        "storage_class",
        "capacity_bytes",
        "claim_namespace",
        "claim_name",
        "volume_handle",
    ),
    "raw_k8s_jobs": (
        "namespace",
        "job_name",
        "uid",
        "cronjob_name",
        "started_at",
        "completed_at",
        "succeeded",
        "failed",
        "outcome",
        "finished_at",
    ),
    "raw_velero_backups": (
        "namespace",
        "backup_name",
        "schedule_name",
        "phase",
        "started_at",
        "completed_at",
        "expires_at",
        "included_namespaces",
        "excluded_namespaces",
        "errors",
        "warnings",
        "created_at",
    ),
    "raw_velero_schedules": (
        "namespace",
        "schedule_name",
        "schedule",
        "included_namespaces",
        "excluded_namespaces",
        "paused",
        "last_backup_at",
        "created_at",
    ),
}
# One row per snapshot, written by `build()`: is Velero installed (see `SnapshotBuilder.velero`)
INSTALLS_TABLE = "raw_velero_installs"
_INTEGER_COLUMNS = frozenset({"replicas", "revision", "succeeded", "failed", "errors", "warnings"})


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a snapshot.

    Decoded objects are acyclic trees freed by reference counting as soon as their rows are
    taken, but millions of short-lived containers keep triggering full GC passes over every live
    object (measured: about half the decode time of a 100k-pod cluster).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class SnapshotBuilder:
    """Accumulates API objects of one cluster snapshot and builds the raw_k8s_* DataFrames."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list[Any]]] = {
            table: {c: [] for c in cols} for table, cols in TABLES.items()
        }
        self._quantities: dict[str, float] = {}
        self.rs_deployment: dict[tuple[str, str], str | None] = {}
        self.job_cronjob: dict[tuple[str, str], str | None] = {}
        self.pod_hash: list[str | None] = []  # pod-template-hash label, per pod row
        self.counts: dict[str, int] = dict.fromkeys((k.kind for k in KINDS), 0)
        # Velero (the optional kinds) installed? The live lister says True once they listed or
        # False with the 404 as `velero_detail`; None: judge from the objects (`build`).
        self.velero: bool | None = None
        self.velero_detail: str | None = None

    # -- checkpoints (a list restarted after 410 Gone must not count its first pages twice) -----

    def mark(self) -> tuple[Any, ...]:
        """A checkpoint to `rollback` to: the length of every column and owner map."""
        lengths = {t: {c: len(v) for c, v in cols.items()} for t, cols in self.columns.items()}
        return (
            lengths,
            len(self.pod_hash),
            len(self.rs_deployment),
            len(self.job_cronjob),
            dict(self.counts),
        )

    def rollback(self, mark: tuple[Any, ...]) -> None:
        """Forget every object added since `mark`."""
        lengths, pods, replicasets, jobs, counts = mark
        for table, cols in self.columns.items():
            for column, values in cols.items():
                del values[lengths[table][column] :]
        del self.pod_hash[pods:]
        for mapping, keep in ((self.rs_deployment, replicasets), (self.job_cronjob, jobs)):
            for key in list(mapping)[keep:]:  # dicts keep insertion order
                del mapping[key]
        self.counts = dict(counts)

    # -- parsers the row handlers share (kinds.KINDS names a handler per kind) -----------------

    def quantity(self, value: Any, where: str, field: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, str):
            cached = self._quantities.get(value)
            if cached is not None:
                return cached
        parsed = quantity_to_float(value, where=f"{where}: {field}")
        # Requests, limits, capacity and storage sizes are never negative: the API server
        # refuses them, so one here means a hand-edited or corrupted document.
        if parsed is not None and parsed < 0:
            raise InputError(f"{where}: {field}: quantity {value!r} must not be negative")
        if isinstance(value, str):
            self._quantities[value] = parsed  # type: ignore[assignment]
        return parsed

    @staticmethod
    def timestamp(value: Any, where: str, field: str) -> datetime | None:
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise InputError(
                f"{where}: {field}: invalid timestamp {value!r} "
                "(expected RFC 3339 such as 2026-11-20T10:00:00Z)"
            ) from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed

    # -- adding objects --------------------------------------------------------------------------

    def add(self, kind: str, item: Any, *, where: str) -> bool:
        """Add one API object of `kind`; False (and nothing added) for kinds not collected.

        `where` names the object's position for errors (file and item index, or API path);
        the object's kind/namespace/name and the offending field are appended to it.
        """
        registered = BY_KIND.get(kind)
        if registered is None:
            return False
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected an object, got {type(item).__name__}")
        metadata = item.get("metadata")
        if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
            raise InputError(f"{where}: {kind}: metadata.name is missing")
        name = metadata["name"]
        namespace = metadata.get("namespace")
        if not registered.namespaced:
            label = f"{where}: {kind} {name}"
        else:
            if not isinstance(namespace, str) or not namespace:
                raise InputError(f"{where}: {kind} {name}: metadata.namespace is missing")
            label = f"{where}: {kind} {namespace}/{name}"
        try:
            registered.rows(self, kind, item, metadata, name, namespace, label)
        except InputError:
            raise
        except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
            # A field of the wrong JSON type (a list where an object belongs, ...).
            raise InputError(f"{label}: malformed object ({type(exc).__name__}: {exc})") from None
        self.counts[kind] += 1
        return True

    # -- building ------------------------------------------------------------------------------

    def _resolve_workload(
        self,
        namespace: str,
        pod: str,
        owner_kind: str | None,
        owner_name: str | None,
        template_hash: str | None,
    ) -> tuple[str, str]:
        if owner_kind is None or owner_name is None or owner_kind == "Node":
            return "Pod", pod  # bare pod, or a static pod mirrored by its node
        if owner_kind == "ReplicaSet":
            key = (namespace, owner_name)
            if key in self.rs_deployment:
                deployment = self.rs_deployment[key]
                return ("Deployment", deployment) if deployment else ("ReplicaSet", owner_name)
            # ReplicaSet not in the snapshot: its name is <deployment>-<pod-template-hash>.
            if template_hash and owner_name.endswith(f"-{template_hash}"):
                return "Deployment", owner_name[: -len(template_hash) - 1]
            return "ReplicaSet", owner_name
        if owner_kind == "Job":
            cronjob = self.job_cronjob.get((namespace, owner_name))
            return ("CronJob", cronjob) if cronjob else ("Job", owner_name)
        return owner_kind, owner_name

    def build(self) -> dict[str, pd.DataFrame]:
        """One DataFrame per raw_k8s_* table (empty where nothing was found)."""
        pods = self.columns["raw_k8s_pods"]
        resolved = [
            self._resolve_workload(*args)
            for args in zip(
                pods["namespace"],
                pods["pod_name"],
                pods["owner_kind"],
                pods["owner_name"],
                self.pod_hash,
                strict=True,
            )
        ]
        pods["workload_kind"] = [kind for kind, _ in resolved]
        pods["workload_name"] = [name for _, name in resolved]
        frames = {}
        for table, columns in self.columns.items():
            data: dict[str, Any] = {}
            for column, values in columns.items():
                if column in _INTEGER_COLUMNS:
                    data[column] = pd.array(values, dtype="Int64")
                elif column.endswith("_at"):
                    data[column] = pd.Series(values, dtype="datetime64[us]")
                else:
                    data[column] = values
            frames[table] = pd.DataFrame(data, columns=list(TABLES[table]))
        frames[INSTALLS_TABLE] = self._installs()
        return frames

    def _installs(self) -> pd.DataFrame:
        """The snapshot's Velero flag: as listed live, else True when a List holds Velero
        objects and None (unknown) when it holds none."""
        installed, detail = self.velero, self.velero_detail
        if installed is None and any(self.counts[k.kind] for k in KINDS if k.optional):
            installed = True
        elif installed is None:
            detail = "no Velero objects in the List"
        return pd.DataFrame(
            {"velero_installed": pd.array([installed], dtype="boolean"), "detail": [detail]}
        )
