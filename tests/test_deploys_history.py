"""Deploys, rollbacks and Four Keys frequency buckets on a hand-made history.

Cluster `prod`, namespace `shop` (snapshots at 18:00 on Nov 2, 3, 4, 10 and 12, 2026):
- Deployment `web` (team checkout): rev 1 `web-aaa` web:1 created Oct 20 (before the data:
  history only); rev 2 `web-bbb` web:2 created Nov 3 10:00; rev 3 `web-ccc` web:3 created Nov 4
  09:00; rev 4 is a rollback to web:2: Kubernetes reuses `web-bbb` (still created Nov 3), its
  new pods start Nov 4 15:00 (6 h after rev 3: a rollback); rev 5 `web-ddd` web:4 created Nov 10
  11:00; rev 6 reuses `web-bbb` again (web:2, as rev 4 two back) with pods from Nov 12 10:00,
  47 h after rev 5: not a rollback.
- Deployment `api` (team platform): rev 1 created Nov 2 08:00 (the first snapshot day: counted).
Cluster `stage` (snapshots Oct 27 and Nov 12): Deployment `batch` (team data) rev 1, Oct 27 08:00.
Helios `helios` (snapshots 18:00 Nov 2, 5, 9, 10), job `web` (team checkout from metadata):
web:1 first event Oct 1 (history only); web:2 first event Nov 5 12:00; web:3 no events, first
deployed in the Nov 9 snapshot (18:00); web:5 has web:2's image, first event Nov 10 09:00 (15 h
after web:3: a rollback); web:4 is defined but never deployed (no deploy).

ISO weeks: W44 starts Mon Oct 26, W45 Nov 2, W46 Nov 9. Data: Oct 27 .. Nov 12.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from helios_fake_api import document, host_status, job

from fleetscope.collectors.helios import read_dump
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.config import parse_config
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse

W44, W45, W46 = date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9)
DEPLOY_MARTS = ("mart_deploys_weekly", "mart_deploy_frequency")


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def deployment(name: str, ns: str, labels: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "uid": f"uid-{name}", "labels": labels,
                         "creationTimestamp": "2026-10-01T00:00:00Z"},
            "spec": {"replicas": 1}}


def replicaset(name: str, ns: str, deploy: str, revision: int, image: str,
               created: datetime) -> dict:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": ns, "uid": f"uid-{name}",
                         "creationTimestamp": iso(created),
                         "annotations": {"deployment.kubernetes.io/revision": str(revision)},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                              "name": deploy, "uid": f"uid-{deploy}",
                                              "controller": True}]},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "main", "image": image}, {"name": "proxy", "image": "envoy:1.30"}]}}}}


def rs_pod(rs: str, ns: str, image: str, created: datetime) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{rs}-{created:%d%H}", "namespace": ns, "uid": f"uid-p-{rs}",
                         "creationTimestamp": iso(created),
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": rs, "uid": f"uid-{rs}",
                                              "controller": True}]},
            "spec": {"nodeName": "n1", "containers": [{"name": "main", "image": image}]},
            "status": {"phase": "Running"}}


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour)


# The `web` ReplicaSets each prod snapshot lists: (name, revision, image, created, pods' start)
WEB = {
    2: [("web-aaa", 1, "web:1", at(20, 0, 10), at(21, 0, 10))],
    3: [("web-aaa", 1, "web:1", at(20, 0, 10), None),
        ("web-bbb", 2, "web:2", at(3, 10), at(3, 10))],
    4: [("web-aaa", 1, "web:1", at(20, 0, 10), None), ("web-ccc", 3, "web:3", at(4, 9), None),
        ("web-bbb", 4, "web:2", at(3, 10), at(4, 15))],
    10: [("web-ccc", 3, "web:3", at(4, 9), None), ("web-bbb", 4, "web:2", at(3, 10), None),
         ("web-ddd", 5, "web:4", at(10, 11), at(10, 11))],
    12: [("web-ccc", 3, "web:3", at(4, 9), None), ("web-ddd", 5, "web:4", at(10, 11), None),
         ("web-bbb", 6, "web:2", at(3, 10), at(12, 10))],
}


def prod_snapshot(day: int) -> dict:
    items = [deployment("web", "shop", {"app": "web", "team": "checkout"}),
             deployment("api", "shop", {"app": "api", "team": "platform"}),
             replicaset("api-111", "shop", "api", 1, "api:1", at(2, 8)),
             rs_pod("api-111", "shop", "api:1", at(2, 8))]
    for name, revision, image, created, pods_from in WEB[day]:
        items.append(replicaset(name, "shop", "web", revision, image, created))
        if pods_from is not None:
            items.append(rs_pod(name, "shop", image, pods_from))
    return {"apiVersion": "v1", "kind": "List", "items": items}


def stage_snapshot() -> dict:
    return {"apiVersion": "v1", "kind": "List", "items": [
        deployment("batch", "jobs", {"app": "batch", "team": "data"}),
        replicaset("batch-111", "jobs", "batch", 1, "batch:1", at(27, 8, 10))]}


def millis(when: datetime) -> int:
    return int((when - datetime(1970, 1, 1)).total_seconds() * 1000)


def helios_job(job_id: str, image: str | None = None) -> dict:
    out = job(job_id, cpu_shares=1024, metadata={"team": "checkout"})
    if image is not None:
        out["image"] = image
    return out


def events(first: datetime) -> dict:
    return {"events": [{"timestamp": millis(first), "host": "h1",
                        "status": {"state": "PULLING_IMAGE"}},
                       {"timestamp": millis(first + timedelta(minutes=1)), "host": "h1",
                        "status": {"state": "RUNNING"}}]}


JOB1, JOB2, JOB3, JOB4, JOB5 = "web:1:a1", "web:2:b2", "web:3:c3", "web:4:d4", "web:5:e5"
HELIOS = {
    # day: (jobs listed by /jobs, the job running on h1, history)
    2: ([JOB1], JOB1, {JOB1: events(at(1, 9, 10))}),
    5: ([JOB1, JOB2], JOB2, {JOB1: events(at(1, 9, 10)), JOB2: events(at(5, 12))}),
    9: ([JOB2, JOB3, JOB4], JOB3, {JOB2: events(at(5, 12))}),
    10: ([JOB3, JOB4, JOB5], JOB5, {JOB5: events(at(10, 9))}),
}
IMAGES = {JOB5: "registry/web:2"}


def helios_snapshot(day: int) -> dict:
    listed, running, history = HELIOS[day]
    return document({j: helios_job(j, IMAGES.get(j)) for j in listed},
                    {"h1": host_status(cpus=8, running=(running,))}, history)


def history_batches() -> list:
    """Every snapshot of the history as LoadBatches, in collection order."""
    batches = [read_list(stage_snapshot(), cluster="stage", collected_at=at(27, 18, 10))]
    for day in range(2, 13):
        if day in (2, 3, 4, 10, 12):
            batches.append(read_list(prod_snapshot(day), cluster="prod", collected_at=at(day, 18)))
        if day in HELIOS:
            batches.append(read_dump(helios_snapshot(day), source="helios",
                                     collected_at=at(day, 18)))
    batches.append(read_list(stage_snapshot(), cluster="stage", collected_at=at(12, 18)))
    return batches


def load_history(wh: Warehouse) -> None:
    for batch in history_batches():
        wh.load(batch)


def run_deploy_models(wh: Warehouse, *, extra: tuple[str, ...] = ()) -> None:
    """Reference tables, then the deploy marts and the models they read, with the real runner."""
    transform_warehouse(wh, parse_config({}), select=[*DEPLOY_MARTS, *extra])


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    with Warehouse(tmp_path_factory.mktemp("deploys") / "wh.duckdb") as wh:
        load_history(wh)
        run_deploy_models(wh)
        yield wh


def test_each_revision_and_job_version_is_one_deploy_at_its_time(history):
    rows = history.con.execute(
        "select platform, source_name, workload_name, revision_key, deployed_at, app_id, team, "
        "is_rollback from int_deploy_events order by platform, source_name, workload_name, "
        "revision_number").fetchall()
    assert rows == [
        ("helios", "helios", "web", JOB2, at(5, 12), "web", "checkout", False),
        ("helios", "helios", "web", JOB3, at(9, 18), "web", "checkout", False),
        ("helios", "helios", "web", JOB5, at(10, 9), "web", "checkout", True),
        ("kubernetes", "prod", "api", "1", at(2, 8), "api", "platform", False),
        ("kubernetes", "prod", "web", "2", at(3, 10), "web", "checkout", False),
        ("kubernetes", "prod", "web", "3", at(4, 9), "web", "checkout", False),
        # reused ReplicaSet: the time its new pods started
        ("kubernetes", "prod", "web", "4", at(4, 15), "web", "checkout", True),
        ("kubernetes", "prod", "web", "5", at(10, 11), "web", "checkout", False),
        # same images as two back, but 47 h after the deploy before it
        ("kubernetes", "prod", "web", "6", at(12, 10), "web", "checkout", False),
        ("kubernetes", "stage", "batch", "1", at(27, 8, 10), "batch", "data", False),
    ]


def test_weekly_deploys_and_rollbacks_per_app_and_platform(history):
    rows = history.con.execute(
        "select week_start_date, iso_week, app_id, team, platform, count_deploys, "
        "count_rollbacks, count_days_deployed from mart_deploys_weekly "
        "order by week_start_date, app_id, platform").fetchall()
    assert rows == [
        (W44, "2026-W44", "batch", "data", "kubernetes", 1, 0, 1),
        (W45, "2026-W45", "api", "platform", "kubernetes", 1, 0, 1),
        (W45, "2026-W45", "web", "checkout", "helios", 1, 0, 1),         # Nov 5
        (W45, "2026-W45", "web", "checkout", "kubernetes", 3, 1, 2),     # Nov 3, 4, 4
        (W46, "2026-W46", "web", "checkout", "helios", 2, 1, 2),         # Nov 9, 10
        (W46, "2026-W46", "web", "checkout", "kubernetes", 2, 0, 2),     # Nov 10, 12
    ]


# Hand computation, per scope: days with a deploy in W44, W45, W46 (both platforms), then the
# medians over the weeks of the window (from W44, the first week of data, to the as-of week):
#   checkout/web: 0, 3 (Nov 3, 4, 5), 3 (Nov 9, 10, 12)
#     as of W45: days [0, 3] median 1.5; deployed [0, 1] median 0.5; weeks deployed in the
#       week's month [Oct 0, Nov 1] median 0.5 -> yearly (the empty first week weighs half)
#     as of W46: days [0, 3, 3] median 3 -> daily
#   platform/api: 0, 1, 0 -> as of W45 [0, 1]: 0.5, 0.5 -> yearly; as of W46 deployed
#     [0, 1, 0] median 0, month counts [0, 1, 1] median 1 -> monthly
#   data/batch: 1, 0, 0 -> as of W44 deployed [1] -> weekly; W45 deployed [1, 0] 0.5, months
#     [1, 0] 0.5 -> yearly; W46 months [1, 0, 0] median 0 -> yearly
#   __all__: 1, 4 (Nov 2, 3, 4, 5), 3 -> W44 days [1] -> weekly; W45 days [1, 4] 2.5, deployed
#     [1, 1] -> weekly; W46 days [1, 4, 3] median 3 -> daily
EXPECTED_BUCKETS = {
    ("checkout", "web"): {W45: "yearly", W46: "daily"},
    ("checkout", "__all__"): {W45: "yearly", W46: "daily"},
    ("platform", "api"): {W45: "yearly", W46: "monthly"},
    ("platform", "__all__"): {W45: "yearly", W46: "monthly"},
    ("data", "batch"): {W44: "weekly", W45: "yearly", W46: "yearly"},
    ("data", "__all__"): {W44: "weekly", W45: "yearly", W46: "yearly"},
    ("__all__", "__all__"): {W44: "weekly", W45: "weekly", W46: "daily"},
}


def test_four_keys_frequency_buckets_equal_the_hand_computation(history):
    got: dict[tuple[str, str], dict[date, str]] = {}
    for week, team, app, bucket in history.con.execute(
            "select week_start_date, team, app_id, deployment_frequency "
            "from mart_deploy_frequency").fetchall():
        got.setdefault((team, app), {})[week] = bucket
    assert got == EXPECTED_BUCKETS


def test_frequency_medians_for_the_organisation(history):
    rows = history.con.execute(
        "select week_start_date, count_weeks_in_window, count_deploys_in_window, "
        "median_days_deployed_per_week, median_week_deployed, median_deployed_weeks_per_month "
        "from mart_deploy_frequency where team = '__all__' order by week_start_date").fetchall()
    # deploys per week: W44 1 (batch); W45 5 (api, web x3 on prod, Helios web:2); W46 4.
    # Weeks with a deploy in the week's month: W44 (Oct) 1; as of W45 W45 (Nov) 1; as of W46
    # W45 and W46 (Nov) 2 each -> medians [1] 1, [1, 1] 1, [1, 2, 2] 2.
    assert rows == [(W44, 1, 1, 1.0, 1.0, 1.0),
                    (W45, 2, 6, 2.5, 1.0, 1.0),
                    (W46, 3, 10, 3.0, 1.0, 2.0)]


def test_runs_after_each_new_snapshot_equal_one_full_build(history, tmp_path):
    tables = ("int_deploy_events", "mart_deploys_weekly", "mart_deploy_frequency")
    batches = history_batches()
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        # a run after the first five snapshots (Oct 27 .. Nov 3), then after each later one
        for batch in batches[:5]:
            wh.load(batch)
        run_deploy_models(wh)
        for batch in batches[5:]:
            wh.load(batch)
            run_deploy_models(wh)
        for table in tables:
            got = wh.con.execute(f"select * from {table} order by all").fetchall()
            want = history.con.execute(f"select * from {table} order by all").fetchall()
            assert got == want, table
