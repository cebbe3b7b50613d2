"""Migration status and percent migrated on a hand-made five-day history, checked day by day.

Apps (one Kubernetes cluster `prod`, one Helios installation `helios`, a Backstage catalog):
- alpha   (payments, team from a workload label): legacy → migrating → migrated
- bravo   (search): native, only ever on Kubernetes
- charlie (payments): legacy, then retired (gone from Helios, never on Kubernetes)
- delta   (search): legacy → migrated → migrating → legacy again (moves back to Helios)
- echo    (payments): its workload `echo-k8s-svc` is echo only through the override file
- foxtrot (no owner anywhere): legacy throughout, team `__unallocated__`
- golf    (search): legacy; its host goes DOWN on day 3 (retired that day), UP again on day 4

Snapshots: Helios every day (two on day 2: the later one counts); Kubernetes on days 1, 2, 3
and 5 (day 4 carries day 3 forward). CPU: Helios cpuShares / 1024, or the host's CPUs shared
among its started jobs (delta, with no cpuShares, on a 4-CPU host with foxtrot: 2 cores);
Kubernetes: the pods' requests.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from helios_fake_api import document, host_status, job
from k8s_objects import as_list, container, meta, pod

from fleetscope.collectors.catalog import read_catalog_path
from fleetscope.collectors.helios import read_dump
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.config import parse_config
from fleetscope.pipelines.runner import discover_models, run_models
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse

D = [date(2026, 11, d) for d in range(1, 6)]

ALPHA, CHARLIE, ECHO = "alpha:1:a1", "charlie:3:c3", "echo:2:e2"
DELTA, FOXTROT, GOLF = "delta:9:d9", "foxtrot:1:f1", "golf:4:g4"
JOBS = {
    ALPHA: job(ALPHA, cpu_shares=1024),
    CHARLIE: job(CHARLIE, cpu_shares=2048),
    ECHO: job(ECHO, cpu_shares=1024),
    DELTA: job(DELTA),                      # no cpuShares: half of its 4-CPU host
    FOXTROT: job(FOXTROT, cpu_shares=1024),
    GOLF: job(GOLF, cpu_shares=512),
}

CATALOG = """\
kind: Component
metadata: {name: alpha}
spec: {owner: group:default/payments}
---
kind: Component
metadata: {name: bravo}
spec: {owner: search}
---
kind: Component
metadata: {name: charlie}
spec: {owner: group:payments}
---
kind: Component
metadata: {name: delta, annotations: {backstage.io/kubernetes-id: delta-k8s}}
spec: {owner: search}
---
kind: Component
metadata: {name: echo}
spec: {owner: payments}
---
kind: Component
metadata: {name: foxtrot}
spec: {type: service}
---
kind: Component
metadata: {name: golf}
spec: {owner: search}
"""

OVERRIDES = """\
apps:
  echo:
    kubernetes: [apps/echo-k8s-svc]
"""


def helios_snapshot(day: int, *, early: bool = False) -> dict:
    """Hosts h1 (8 CPUs), h2 (4 CPUs), h3 (2 CPUs) on day `day` (1-based)."""
    h1 = {1: (ALPHA, CHARLIE, ECHO), 2: (ALPHA, CHARLIE)}.get(day, ())
    if early:  # the morning snapshot of day 2, replaced by the evening one
        h1 = (CHARLIE, ECHO)
    h2 = {1: (DELTA, FOXTROT), 2: (FOXTROT,), 3: (FOXTROT,)}.get(day, (DELTA, FOXTROT))
    hosts = {
        "h1": host_status(cpus=8, running=h1),
        "h2": host_status(cpus=4, running=h2),
        # day 3: the host is DOWN, its task still reported RUNNING from before
        "h3": host_status(cpus=2, running=(GOLF,), status="DOWN" if day == 3 else "UP"),
    }
    return document({j: JOBS[j] for hs in (h1, h2, (GOLF,)) for j in hs}, hosts)


def deployment(name: str, pods: int, cpu: str, *, labels: dict | None = None) -> list[dict]:
    """A Deployment in namespace `apps` with `pods` running pods requesting `cpu` each."""
    items: list[dict] = [{"apiVersion": "apps/v1", "kind": "Deployment",
                          "metadata": meta(name, "apps", labels=labels or {}),
                          "spec": {"replicas": pods}}]
    for i in range(pods):
        items.append(pod(f"{name}-7f9-{i}", "apps", [container("main", f"{name}:1", {"cpu": cpu})],
                         owner=("ReplicaSet", f"{name}-7f9"),
                         labels={**(labels or {}), "pod-template-hash": "7f9"}))
    return items


def kubernetes_snapshot(day: int) -> dict:
    items: list[dict] = [{"apiVersion": "v1", "kind": "Namespace", "metadata": meta("apps")}]
    items += deployment("bravo", 1, "200m")
    if day >= 2:
        items += deployment("alpha", 2, "250m", labels={"app": "alpha", "team": "payments"})
        items += deployment("echo-k8s-svc", 2, "500m")
    if day in (2, 3):
        items += deployment("delta", 1, "1", labels={"app.kubernetes.io/name": "delta-k8s"})
    return as_list(items)


def build_history(wh, tmp_path: Path) -> None:
    """Load every snapshot through the real readers and run the migration models."""
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog-info.yaml").write_text(CATALOG)
    (tmp_path / "overrides.yaml").write_text(OVERRIDES)
    wh.load(read_catalog_path(tmp_path / "catalog", collected_at=datetime(2026, 11, 1)))
    for day in range(1, 6):
        at = datetime(2026, 11, day, 18)
        if day == 2:
            wh.load(read_dump(helios_snapshot(2, early=True), source="helios",
                              collected_at=datetime(2026, 11, 2, 6)))
        wh.load(read_dump(helios_snapshot(day), source="helios", collected_at=at))
        if day != 4:
            wh.load(read_list(kubernetes_snapshot(day), cluster="prod", collected_at=at))
    config = parse_config({"ownership": {"overrides_file": str(tmp_path / "overrides.yaml")}})
    run_migration_models(wh, config)


def run_migration_models(wh, config) -> None:
    """Reference tables, then only the models the migration marts need (and what they read)."""
    transform_warehouse(wh, config, select=["mart_migration_forecast", "mart_identity_gaps",
                                            "int_helios_app_cost_daily"])


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    folder = tmp_path_factory.mktemp("history")
    with Warehouse(folder / "wh.duckdb") as wh:
        build_history(wh, folder)
        yield wh


EXPECTED_STATUS = {
    #          day1       day2         day3        day4         day5
    "alpha":   ["legacy", "migrating", "migrated", "migrated",  "migrated"],
    "bravo":   ["native", "native",    "native",   "native",    "native"],
    "charlie": ["legacy", "legacy",    "retired",  "retired",   "retired"],
    "delta":   ["legacy", "migrated",  "migrated", "migrating", "legacy"],
    "echo":    ["legacy", "migrated",  "migrated", "migrated",  "migrated"],
    "foxtrot": ["legacy", "legacy",    "legacy",   "legacy",    "legacy"],
    "golf":    ["legacy", "legacy",    "retired",  "legacy",    "legacy"],
}


def test_every_transition_day_by_day(history):
    rows = history.con.execute(
        "select app_id, status_date, status from mart_app_migration_status "
        "order by app_id, status_date").fetchall()
    got: dict[str, list[str]] = {}
    for app_id, day, status in rows:
        assert day == D[len(got.setdefault(app_id, []))]
        got[app_id].append(status)
    assert got == EXPECTED_STATUS


def test_teams_come_from_label_catalog_override_or_nobody(history):
    rows = dict(history.con.execute(
        "select app_id, team from mart_app_migration_status where status_date = ?",
        [D[4]]).fetchall())
    assert rows == {"alpha": "payments", "bravo": "search", "charlie": "payments",
                    "delta": "search", "echo": "payments", "foxtrot": "__unallocated__",
                    "golf": "search"}


# Hand computation (see the module docstring for the CPU of each app):
#   day 1: scope alpha charlie delta echo foxtrot golf (6), migrated 0; Kubernetes CPU 0 of
#          1 + 2 + 2 + 1 + 1 + 0.5 = 7.5.
#   day 2: scope 6, migrated delta echo (2) -> 33.33 %; Kubernetes alpha 0.5 + delta 1 + echo 1
#          = 2.5 of (0.5 + 1) + 2 + 1 + 1 + 1 + 0.5 = 7 -> 35.714 %.
#   day 3: charlie and golf retired; scope alpha delta echo foxtrot (4), migrated 3 -> 75 %;
#          2.5 of 2.5 + 1 = 3.5 -> 71.43 %.
#   day 4: golf back, delta migrating; scope 5, migrated alpha echo -> 40 %; 2.5 of
#          0.5 + (1 + 2) + 1 + 1 + 0.5 = 6 -> 41.67 %.
#   day 5: delta legacy; scope 5, migrated 2 -> 40 %; 1.5 of 0.5 + 2 + 1 + 1 + 0.5 = 5 -> 30 %.
EXPECTED_ALL = [
    # in scope, legacy, migrating, migrated, native, migrated_pct, migrated_capacity_pct
    (6, 6, 0, 0, 1, 0.0, 0.0),
    (6, 3, 1, 2, 1, 100 * 2 / 6, 100 * 2.5 / 7),
    (4, 1, 0, 3, 1, 75.0, 100 * 2.5 / 3.5),
    (5, 2, 1, 2, 1, 40.0, 100 * 2.5 / 6),
    (5, 3, 0, 2, 1, 40.0, 30.0),
]


def test_percent_migrated_by_count_and_capacity_equals_the_hand_computation(history):
    rows = history.con.execute(
        "select status_date, count_apps_in_scope, count_apps_legacy, count_apps_migrating, "
        "count_apps_migrated, count_apps_native, migrated_pct, migrated_capacity_pct "
        "from mart_migration_daily where team = '__all__' order by status_date").fetchall()
    assert [r[0] for r in rows] == D
    for row, expected in zip(rows, EXPECTED_ALL, strict=True):
        assert row[1:6] == expected[:5]
        assert row[6] == pytest.approx(expected[5], abs=1e-9)
        assert row[7] == pytest.approx(expected[6], abs=1e-9)


def test_per_team_percentages(history):
    rows = history.con.execute(
        "select team, list(migrated_pct order by status_date), "
        "list(count_apps_in_scope order by status_date) "
        "from mart_migration_daily where team <> '__all__' group by team order by team"
    ).fetchall()
    # payments: alpha charlie echo; search: bravo (native) delta golf; nobody: foxtrot
    assert rows == [
        ("__unallocated__", [0.0] * 5, [1] * 5),
        ("payments", [0.0, 100 / 3, 100.0, 100.0, 100.0], [3, 3, 2, 2, 2]),
        ("search", [0.0, 50.0, 100.0, 0.0, 0.0], [2, 2, 1, 2, 2]),
    ]


def test_scope_invariant_holds_every_day(history):
    bad = history.con.execute(
        "select count(*) from mart_migration_daily where count_apps_in_scope <> "
        "count_apps_legacy + count_apps_migrating + count_apps_migrated "
        "or migrated_pct not between 0 and 100 or migrated_capacity_pct not between 0 and 100"
    ).fetchone()[0]
    assert bad == 0


def test_transform_after_each_day_equals_a_full_rebuild(tmp_path):
    """Incremental runs (one per day of snapshots) end where a --full-refresh does."""
    (tmp_path / "overrides.yaml").write_text(OVERRIDES)
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "catalog-info.yaml").write_text(CATALOG)
    config = parse_config({"ownership": {"overrides_file": str(tmp_path / "overrides.yaml")}})
    tables = ("mart_app_migration_status", "mart_migration_daily", "mart_migration_forecast",
              "int_helios_app_cost_daily")
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        wh.load(read_catalog_path(tmp_path / "catalog", collected_at=datetime(2026, 11, 1)))
        for day in range(1, 6):
            at = datetime(2026, 11, day, 18)
            wh.load(read_dump(helios_snapshot(day), source="helios", collected_at=at))
            if day != 4:
                wh.load(read_list(kubernetes_snapshot(day), cluster="prod", collected_at=at))
            run_migration_models(wh, config)
        incremental = {t: wh.con.execute(f"select * from {t} order by all").fetchall()
                       for t in tables}
        models = [m for m in discover_models() if m.name in tables or m.layer == "staging"
                  or m.name.startswith("int_app_")]
        with wh.transaction():
            run_models(wh, full_refresh=True, models=models)
        for table in tables:
            assert wh.con.execute(f"select * from {table} order by all").fetchall() \
                == incremental[table], table
