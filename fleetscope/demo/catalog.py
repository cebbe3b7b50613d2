"""Backstage descriptors: one Group and a few Systems per team, one Component per app.

Gaps on purpose: a few components have no owner, a couple of Kubernetes-native apps have no
component, and renamed workloads are linked through `backstage.io/kubernetes-id`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fleetscope.demo.history import GIT_ORG
from fleetscope.demo.org import App, Org

SYSTEM_WORDS = ("core", "edge", "data", "ops")


def _entity(kind: str, name: str, spec: dict[str, Any], *, description: str,
            annotations: dict[str, str] | None = None,
            labels: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "description": description}
    if annotations:
        metadata["annotations"] = annotations
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": metadata,
            "spec": spec}


def _component(app: App, system: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "service" if app.kind != "CronJob" else "batch",
                            "lifecycle": "production", "system": system}
    if app.catalog_owner:
        spec["owner"] = f"group:{app.team}"
    annotations = {"github.com/project-slug": f"{GIT_ORG}/{app.app_id}"}
    if app.k8s_name != app.app_id and app.backstage_label:
        annotations["backstage.io/kubernetes-id"] = app.app_id
    elif app.k8s_start is not None and app.k8s_name == app.app_id:
        # (A renamed workload without the label is left unannotated: a gap to be found.)
        annotations["backstage.io/kubernetes-label-selector"] = (
            f"app.kubernetes.io/name={app.k8s_name}")
    return _entity("Component", app.app_id, spec, annotations=annotations,
                   description=f"{app.app_id.replace('-', ' ')} ({app.kind.lower()})")


def catalog_files(rng: np.random.Generator, org: Org) -> dict[str, list[dict[str, Any]]]:
    """File name -> documents (a multi-document catalog-info YAML per team, plus the org)."""
    files: dict[str, list[dict[str, Any]]] = {
        "org.yaml": [_entity("Group", "engineering", {"type": "department", "children": [
            t for t in org.teams]}, description="Engineering")]}
    for team in org.teams:
        systems = [f"{team}-{w}" for w in SYSTEM_WORDS[:int(rng.integers(1, 4))]]
        docs = [_entity("Group", team, {"type": "team", "parent": "engineering",
                                        "children": []},
                        description=f"The {team} team")]
        docs += [_entity("System", s, {"owner": f"group:{team}"}, description=f"{s} system")
                 for s in systems]
        for app in (a for a in org.apps if a.team == team and a.in_catalog):
            docs.append(_component(app, systems[int(rng.integers(len(systems)))]))
        files[f"{team}.yaml"] = docs
    return files
