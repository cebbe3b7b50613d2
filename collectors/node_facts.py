"""Which node labels say spot, read the same way from the inventory and from Prometheus.

The inventory reads a node's own labels (`karpenter.sh/capacity-type`); Prometheus reads them
through kube-state-metrics' `kube_node_labels`, which writes each allow-listed label as
`label_<name>` with every character outside `[a-zA-Z0-9_]` as `_` and camelCase as snake_case
(`eks.amazonaws.com/capacityType` -> `label_eks_amazonaws_com_capacity_type`). One table of
(label, spot value) serves both, so a node is spot in both sources for the same reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Node labels that mark spot / preemptible capacity and the value (case-insensitive) that does.
SPOT_LABELS = (
    ("karpenter.sh/capacity-type", "spot"),
    ("eks.amazonaws.com/capacityType", "spot"),
    ("cloud.google.com/gke-spot", "true"),
    ("cloud.google.com/gke-preemptible", "true"),
    ("kubernetes.azure.com/scalesetpriority", "spot"),
)
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")


def prometheus_label(name: str) -> str:
    """The label kube-state-metrics gives a node label on `kube_node_labels`."""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return "label_" + re.sub(r"[^a-z0-9_]", "_", snake)


# both spellings of each label -> its spot value; a label not listed here (a configured one)
# is spot when its value is `spot`
_SPOT_VALUES = {
    **dict(SPOT_LABELS),
    **{prometheus_label(name): value for name, value in SPOT_LABELS},
}


def is_spot_value(label: str, value: object) -> bool:
    """Whether `label` (either spelling) with `value` marks a spot node."""
    return str(value).lower() == _SPOT_VALUES.get(label, "spot")


def is_spot_node(labels: Mapping[str, object]) -> bool:
    """Whether any of a node's own labels marks it spot (the inventory's rule)."""
    return any(is_spot_value(name, labels.get(name, "")) for name, _ in SPOT_LABELS)
