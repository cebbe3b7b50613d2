"""Kubernetes inventory: a `kubectl get -o json` List reader and a live collector sharing its rows.

`rows.SnapshotBuilder` turns API objects (plain dicts) into the raw_k8s_* tables; `reader` feeds it
from a List document, `live` from paginated raw-JSON lists of real clusters (`transport` holds the
retry policy).
"""

from fleetscope.collectors.kubernetes.live import (
           ClusterTarget,
           collect_cluster,
           collect_target,
           targets,
)
from fleetscope.collectors.kubernetes.reader import read_list, read_list_file

__all__ = ["ClusterTarget", "collect_cluster", "collect_target", "read_list", "read_list_file",
           "targets"]
