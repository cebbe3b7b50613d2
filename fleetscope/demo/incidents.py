"""A handful of incidents, in the CSV `fleetscope collect incidents` reads (docs/sources.md).

`INCIDENTS` deploys inside the window, not already rolled back, are picked at random; each
incident names its deploy's commit (the full sha, or the short one as people paste it), opens
0.5-4 h after the deploy and is resolved 0.5-6 h later (left open if that is after the window).
One more incident names no cause (an outage nobody traced to a deploy).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from fleetscope.demo.objects import Clock
from fleetscope.demo.org import Org

INCIDENTS = 6  # incidents caused by a deploy; one more names no cause


def _candidates(org: Org) -> list[tuple[str, float, str]]:
    """(app, deploy hour, sha) of every non-rollback deploy not followed by a rollback."""
    found = []
    for app in org.apps:
        shipped = 0
        for i, (at, is_rollback) in enumerate(app.deploys):
            if is_rollback:
                continue
            shipped += 1
            rolled_back = i + 1 < len(app.deploys) and app.deploys[i + 1][1]
            if not rolled_back and shipped < len(app.releases):
                found.append((app.app_id, at, app.releases[shipped]))
    return found


def write_incidents(path: Path, rng: np.random.Generator, org: Org, clock: Clock) -> int:
    """Write the incidents CSV; returns how many incidents it holds."""
    candidates = _candidates(org)
    picks = sorted(
        int(i)
        for i in rng.choice(len(candidates), replace=False, size=min(INCIDENTS, len(candidates)))
    )
    rows = []
    for n, index in enumerate(picks, start=1):
        app_id, at, sha = candidates[index]
        created = at + float(rng.uniform(0.5, 4))
        resolved = created + float(rng.uniform(0.5, 6))
        rows.append(
            [
                f"INC-{n:03d}",
                app_id,
                clock.iso(created),
                clock.iso(resolved) if resolved < org.hours else "",
                sha if n % 2 else sha[:7],
            ]
        )
    if candidates:  # an outage nobody traced to a deploy
        app_id, at, _ = candidates[int(rng.integers(len(candidates)))]
        rows.append(
            [
                f"INC-{len(rows) + 1:03d}",
                app_id,
                clock.iso(at + 2.0),
                clock.iso(at + 3.5) if at + 3.5 < org.hours else "",
                "",
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "app", "created", "resolved", "caused_by"])
        writer.writerows(rows)
    return len(rows)
