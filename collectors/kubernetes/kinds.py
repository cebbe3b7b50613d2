"""The one registry of the Kubernetes kinds fleetscope collects.

Everything about a kind is written here once: its API group and version, its plural resource
and scope, the row handler that reads it and the slim wire type that decodes it. The List
reader and `SnapshotBuilder` (which kinds to keep), the live lister (paths, client methods,
order), the decoders, the help of `fleetscope collect kubernetes` and the test of
deploy/rbac.yaml (exactly get and list on these resources) all derive from `KINDS`.

Velero's `backups.velero.io` and `schedules.velero.io` are custom resources: the live lister
reads them through the client's `CustomObjectsApi` (`list_cluster_custom_object`), and, being
`optional`, a 404 on them means "Velero is not installed" (recorded as such) rather than an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fleetscope.collectors.kubernetes import handlers as h
from fleetscope.collectors.kubernetes import handlers_ops as ops
from fleetscope.collectors.kubernetes import wire

# Verbs the collector uses (a list per resource, paginated); deploy/rbac.yaml grants these only.
VERBS = ("get", "list")


@dataclass(frozen=True)
class Kind:
    """One collected kind: where the API serves it, and how its objects become rows."""

    kind: str
    group: str  # "" for the core group
    version: str
    plural: str
    short: str  # kubectl's short name, for the `kubectl get` line in the help
    namespaced: bool
    rows: Callable[..., None]  # handlers.*_rows(builder, kind, item, meta, name, ns, where)
    wire: Any  # the msgspec type decoding only the fields the handler reads
    custom: bool = False  # a custom resource (CRD), listed through CustomObjectsApi
    optional: bool = False  # its CRD may be absent: a 404 is recorded, not an error

    @property
    def path(self) -> str:
        """The list path, across all namespaces: `/apis/apps/v1/deployments`."""
        prefix = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        return f"{prefix}/{self.plural}"

    @property
    def client_api(self) -> str:
        """The official client's class for the group: `CoreV1Api`, `AppsV1Api`..."""
        if self.custom:
            return "CustomObjectsApi"
        return f"{(self.group or 'core').capitalize()}{self.version.capitalize()}Api"

    @property
    def list_method(self) -> str:
        """The client's list method: `list_node`, `list_replica_set_for_all_namespaces`..."""
        if self.custom:
            return "list_cluster_custom_object"  # called with group, version and plural
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", self.kind).lower()
        return f"list_{snake}" + ("_for_all_namespaces" if self.namespaced else "")


# In the live collector's listing order: cluster-scoped kinds, then owners before what they own,
# pods (the largest lists) last.
KINDS: tuple[Kind, ...] = (
    Kind("Node", "", "v1", "nodes", "no", False, h.node_rows, wire.Node),
    Kind("Namespace", "", "v1", "namespaces", "ns", False, h.namespace_rows, wire.Namespace),
    Kind("PersistentVolume", "", "v1", "persistentvolumes", "pv", False, h.pv_rows,
         wire.PersistentVolume),
    Kind("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", "pvc", True, h.pvc_rows,
         wire.PersistentVolumeClaim),
    Kind("Deployment", "apps", "v1", "deployments", "deploy", True, h.workload_rows,
         wire.Workload),
    Kind("ReplicaSet", "apps", "v1", "replicasets", "rs", True, h.replicaset_rows,
         wire.ReplicaSet),
    Kind("StatefulSet", "apps", "v1", "statefulsets", "sts", True, h.workload_rows,
         wire.Workload),
    Kind("DaemonSet", "apps", "v1", "daemonsets", "ds", True, h.workload_rows, wire.Workload),
    Kind("CronJob", "batch", "v1", "cronjobs", "cj", True, h.workload_rows, wire.Workload),
    Kind("Job", "batch", "v1", "jobs", "job", True, ops.job_rows, wire.Job),
    Kind("Pod", "", "v1", "pods", "po", True, h.pod_rows, wire.Pod),
    Kind("Schedule", "velero.io", "v1", "schedules", "schedules.velero.io", True,
         ops.velero_schedule_rows, wire.VeleroSchedule, custom=True, optional=True),
    Kind("Backup", "velero.io", "v1", "backups", "backups.velero.io", True,
         ops.velero_backup_rows, wire.VeleroBackup, custom=True, optional=True),
)
BY_KIND: dict[str, Kind] = {k.kind: k for k in KINDS}


def kubectl_command() -> str:
    """The `kubectl get` line that dumps exactly these kinds as a List (on a cluster without
    Velero, kubectl refuses the velero.io kinds: leave them out there)."""
    return f"kubectl get {','.join(k.short for k in KINDS)} -A -o json"


__all__ = ["BY_KIND", "KINDS", "VERBS", "Kind", "kubectl_command"]
