"""The demo's git histories, image tags and incidents, and the lead-time effect planted in them.

Everything is checked from what the demo writes (the repositories, read with `git log`, and the
image tags the simulation deploys), never from the DORA models.
"""

from __future__ import annotations

import csv
import statistics
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from fleetscope.collectors.incidents import read_incidents_file
from fleetscope.demo.catalog import catalog_files
from fleetscope.demo.cluster import image_history
from fleetscope.demo.helios import app_jobs
from fleetscope.demo.history import (
    GIT_ORG,
    PLANTED_LEAD_TIME_FACTOR,
    migrated_at,
    plan_histories,
    write_repos,
)
from fleetscope.demo.incidents import write_incidents
from fleetscope.demo.objects import Clock
from fleetscope.demo.org import App, Org, build_org

START = datetime(2026, 9, 17, tzinfo=UTC)  # 75 days before 2026-12-01
EPOCH = int(START.timestamp())


def _app(deploys: list[tuple[float, bool]], **where: float | None) -> App:
    return App(
        "shop-api",
        "shop",
        "Deployment",
        "shop-api",
        "shop-api",
        ("prod-eu",),
        2,
        0.1,
        2**28,
        0.2,
        0.5,
        False,
        0.25,
        deploys=deploys,
        **where,
    )  # type: ignore[arg-type]


def _log(repo: Path) -> dict[str, tuple[list[str], int]]:
    """sha -> (parents, committer unix time), read by git itself."""
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%H %ct %P", "main"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {
        sha: (parents, int(at)) for sha, at, *parents in (ln.split() for ln in out.splitlines())
    }


def _shipped(log: dict[str, tuple[list[str], int]], sha: str, before: str | None) -> list[int]:
    """Commit times of what a deploy of `sha` shipped: reachable from it, not from `before`."""

    def reach(start: str | None) -> set[str]:
        seen: set[str] = set()
        todo = [start] if start else []
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += log[current][0]
        return seen

    return [log[c][1] for c in reach(sha) - reach(before)]


def test_a_hand_made_app_gets_real_commits_tags_and_helios_versions(tmp_path: Path) -> None:
    # Deploys at hours 30 and 80, a rollback at 50: two new releases after release 0.
    app = _app([(30.0, False), (50.0, True), (80.0, False)], helios_start=-1000.0)
    org = Org(days=5, teams={"shop": "progressing"}, apps=[app])
    histories = plan_histories(3, org, START)
    again = plan_histories(3, org, START)
    assert [c.sha for c in again["shop-api"].commits] == [
        c.sha for c in histories["shop-api"].commits
    ]  # same seed, same shas
    releases = histories["shop-api"].releases
    assert len(releases) == 3
    (repo,) = write_repos(tmp_path, histories)  # raises if git's head is not the planned one
    assert repo == tmp_path / GIT_ORG / "shop-api"
    log = _log(repo)
    assert set(releases) <= set(log)
    for deployed_at, sha, before in (
        (30.0, releases[1], releases[0]),
        (80.0, releases[2], releases[1]),
    ):
        shipped = _shipped(log, sha, before)
        assert shipped and all(t < EPOCH + deployed_at * 3600 for t in shipped)
    app.releases = releases
    images = image_history(np.random.default_rng(0), app)
    # before the window, deploy 1, the rollback (back to release 0's image), deploy 2
    assert [img.rsplit("-", 1)[1] for _, img in images] == [
        releases[0][:7],
        releases[1][:7],
        releases[0][:7],
        releases[2][:7],
    ]
    jobs = app_jobs(app, images, 120.0)
    assert [job.version for job in jobs] == [
        releases[0][:7],
        releases[1][:7],
        releases[0][:7],
        releases[2][:7],
    ]
    assert jobs[1].job_id.startswith(f"shop-api:{releases[1][:7]}:")


def test_same_seed_same_shas_and_a_few_merges() -> None:
    org = build_org(7, 30)
    one, two = plan_histories(7, org, START), plan_histories(7, org, START)
    assert {a: h.releases for a, h in one.items()} == {a: h.releases for a, h in two.items()}
    commits = [c for h in one.values() for c in h.commits]
    merges = [c for c in commits if len(c.parents) == 2]
    assert 1000 < len(commits) < 10_000  # "a few thousand commits"
    assert 0 < len(merges) < len(commits) / 10


def _ratios(org: Org, folder: Path) -> list[float]:
    """Per migrated app: median lead time of deploys after its cut-over / before its move."""
    histories = plan_histories(7, org, START)
    moved = [a for a in org.apps if migrated_at(a) is not None]
    write_repos(folder, {a.app_id: histories[a.app_id] for a in moved})
    ratios = []
    for app in moved:
        app.releases = histories[app.app_id].releases
        log = _log(folder / GIT_ORG / app.app_id)
        by_short = {sha[:7]: sha for sha in log}
        images = image_history(np.random.default_rng(0), app)
        before: list[float] = []
        after: list[float] = []
        for (at, image), (_, previous) in zip(images[1:], images, strict=False):
            sha, prior = by_short[image[-7:]], by_short[previous[-7:]]
            leads = [EPOCH + at * 3600 - t for t in _shipped(log, sha, prior)]
            assert app.k8s_start is not None
            cut = migrated_at(app)
            assert cut is not None
            (before if at < app.k8s_start else after if at >= cut else []).extend(leads)
        if len(before) >= 3 and len(after) >= 3:
            ratios.append(statistics.median(after) / statistics.median(before))
    return ratios


def test_migrated_apps_deliver_faster_by_the_planted_factor(tmp_path: Path) -> None:
    ratios = _ratios(build_org(7, 75), tmp_path)
    # Each ratio is a ratio of two sample medians of log-normal leads (sigma 0.6, a handful of
    # commits each side), so single apps scatter widely; the median over apps sits near the
    # planted 0.5: within 0.4-0.6 (+-20%) with the 20+ apps this seed gives.
    assert len(ratios) >= 20
    assert PLANTED_LEAD_TIME_FACTOR == 0.5
    assert 0.4 <= statistics.median(ratios) <= 0.6


def test_incidents_name_deployed_shas_and_load(tmp_path: Path) -> None:
    org = build_org(7, 30)
    histories = plan_histories(7, org, START)
    for app in org.apps:
        app.releases = histories[app.app_id].releases
    path = tmp_path / "incidents.csv"
    assert write_incidents(path, np.random.default_rng([7, 6]), org, Clock(START)) == 7
    rows = list(csv.DictReader(path.open()))
    assert [r["id"] for r in rows] == [f"INC-00{i}" for i in range(1, 8)]
    apps = {a.app_id: a for a in org.apps}
    for row in rows[:6]:  # caused by a deploy: the sha (or its first 7) of one of its releases
        assert any(sha.startswith(row["caused_by"]) for sha in apps[row["app"]].releases[1:])
        assert row["created"] < (row["resolved"] or "9")
    assert rows[6]["caused_by"] == ""
    batch = read_incidents_file(path, collected_at=datetime(2026, 12, 1))
    assert sum(len(f) for f in batch.tables.values()) == 7


def test_catalog_components_name_their_repository() -> None:
    org = build_org(7, 7, first_weekday=date(2026, 11, 24).weekday())
    components = [
        d
        for docs in catalog_files(np.random.default_rng([7, 4]), org).values()
        for d in docs
        if d["kind"] == "Component"
    ]
    assert components
    for doc in components:
        name = doc["metadata"]["name"]
        assert doc["metadata"]["annotations"]["github.com/project-slug"] == f"{GIT_ORG}/{name}"
