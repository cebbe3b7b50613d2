"""Velero objects and smoke-test Jobs shaped like the API serves them, for the GA-readiness tests.

The Velero ones start from Velero's own example manifests (tests/fixtures/velero, Apache-2.0,
see the NOTICE there) with the fields a test works with set.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "velero"
SMOKE_LABEL = "fleetscope.io/smoke-test"


@cache
def _example(kind: str) -> dict[str, Any]:
    # yaml reads the timestamps as datetimes; JSON (as the API serves them) keeps them text.
    loaded = yaml.safe_load((FIXTURES / f"{kind}.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(loaded, default=lambda v: v.isoformat().replace("+00:00", "Z")))


def backup(
    name: str,
    phase: str,
    started: str | None,
    completed: str | None = None,
    *,
    schedule: str | None = None,
    created: str = "2026-11-01T00:00:00Z",
) -> dict[str, Any]:
    """Velero's example Backup renamed, in `phase`, made by `schedule` (None: by hand)."""
    item = copy.deepcopy(_example("backup"))
    item["metadata"] = {
        "name": name,
        "namespace": "velero",
        "uid": f"uid-{name}",
        "creationTimestamp": created,
    }
    if schedule:
        item["metadata"]["labels"] = {"velero.io/schedule-name": schedule}
    item["status"].update(phase=phase, startTimestamp=started, completionTimestamp=completed)
    return item


def schedule(
    name: str,
    included: list[str] | None,
    excluded: list[str] | None = None,
    *,
    paused: bool = False,
) -> dict[str, Any]:
    """Velero's example Schedule renamed, covering `included` minus `excluded`."""
    item = copy.deepcopy(_example("schedule"))
    item["metadata"] = {
        "name": name,
        "namespace": "velero",
        "uid": f"uid-{name}",
        "creationTimestamp": "2026-11-01T00:00:00Z",
    }
    template = item["spec"]["template"]
    for key, value in (("includedNamespaces", included), ("excludedNamespaces", excluded)):
        if value is None:
            template.pop(key, None)
        else:
            template[key] = value
    item["spec"]["paused"] = paused
    return item


def namespace(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "uid": f"uid-ns-{name}",
            "creationTimestamp": "2026-11-01T00:00:00Z",
        },
    }


def cronjob(name: str, ns: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": f"uid-{name}",
            "labels": labels or {},
            "creationTimestamp": "2026-11-01T00:00:00Z",
        },
        "spec": {"schedule": "0 * * * *"},
    }


def job(
    name: str,
    ns: str,
    started: str,
    *,
    ended: str | None = None,
    outcome: str | None = None,
    cronjob: str | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Job as the Job controller leaves it: completionTime set on success only."""
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": ns,
        "uid": f"uid-{name}",
        "labels": labels or {},
        "creationTimestamp": started,
    }
    if cronjob:
        metadata["ownerReferences"] = [
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "name": cronjob,
                "uid": f"uid-{cronjob}",
                "controller": True,
            }
        ]
    status: dict[str, Any] = {"startTime": started, "active": 0 if outcome else 1}
    if outcome:
        status["conditions"] = [{"type": outcome, "status": "True", "lastTransitionTime": ended}]
        status["succeeded" if outcome == "Complete" else "failed"] = 1
    if outcome == "Complete":
        status["completionTime"] = ended
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "status": status}
