"""The demo's DiRT log (docs/sources.md, "DiRT log"): one exercise per cluster, all before the
window, so every day of it has a latest exercise to judge.

The two the GA page is about: `prod-eu` survived its control plane going down (pass), `prod-us`
restored only part of a deleted cluster from its Velero backups (partial, a follow-up still
open). `staging-eu` lost a node pool (pass), so no cluster fails for never being exercised.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

RUNBOOKS = "https://runbooks.example.com/dirt"
TRACKER = "https://tracker.example.com"
# (cluster, days before the window, scenario, validated, outcome, minutes to recover, follow-ups)
EXERCISES: tuple[tuple[str, int, str, list[str], str, int, list[dict[str, str]]], ...] = (
    (
        "prod-eu",
        12,
        "control-plane-down",
        [
            "API server alerts page the on-call within 5 minutes",
            "running workloads keep serving",
            "etcd restored from its latest snapshot",
        ],
        "pass",
        35,
        [
            {
                "title": "Add the etcd restore timings to the playbook",
                "status": "done",
                "link": f"{TRACKER}/OPS-131",
            }
        ],
    ),
    (
        "prod-us",
        30,
        "cluster-deletion",
        [
            "velero restore of every namespace into a new cluster",
            "ingress and DNS cut-over",
            "stateful apps come back with their data",
        ],
        "partial",
        240,
        [
            {
                "title": "Back up the payments CRDs: their restore failed",
                "status": "open",
                "link": f"{TRACKER}/OPS-140",
            },
            {"title": "Script the DNS cut-over", "status": "done", "link": f"{TRACKER}/OPS-141"},
        ],
    ),
    (
        "staging-eu",
        50,
        "node-pool-loss",
        ["pods reschedule onto the remaining pool", "the autoscaler replaces the nodes"],
        "pass",
        18,
        [],
    ),
)


def dirt_document(start: date) -> dict[str, Any]:
    """The log's document: `exercises`, dated back from the window's first day."""
    exercises = []
    for cluster, before, scenario, validated, outcome, minutes, follow_ups in EXERCISES:
        exercise: dict[str, Any] = {
            "date": f"{start - timedelta(days=before)}",
            "cluster": cluster,
            "scenario": scenario,
            "validated": validated,
            "outcome": outcome,
            "time_to_recover_minutes": minutes,
            "playbook": f"{RUNBOOKS}/{scenario}",
        }
        if follow_ups:
            exercise["follow_ups"] = follow_ups
        exercises.append(exercise)
    return {"exercises": exercises}


def write_dirt(path: Path, start: date) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dirt_document(start), sort_keys=False), encoding="utf-8")
