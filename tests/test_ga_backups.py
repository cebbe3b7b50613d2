"""Velero backups and schedules: collected read-only (offline Lists and the live client against
the fake API server), then mart_backups_daily and mart_backup_coverage_daily by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from ga_objects import backup, namespace, schedule
from k8s_fake_api import FakeKubeAPI, write_kubeconfig
from k8s_objects import sample_items

from fleetscope.collectors.kubernetes.live import collect_cluster
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.config import parse_config
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse

DAY19, DAY20 = datetime(2026, 11, 19, 12), datetime(2026, 11, 20, 12)
MARTS = ["mart_backups_daily", "mart_backup_coverage_daily"]


def _prod_items(day: datetime) -> list[dict]:
    """kube-system, payments, search, velero; `daily` backs up all but kube-system and search,
    `search-hourly` would cover search but is paused."""
    items = [namespace(n) for n in ("kube-system", "payments", "search", "velero")]
    items += [
        schedule("daily", ["*"], ["kube-system", "search"]),
        schedule("search-hourly", ["search"], paused=True),
        backup(
            "daily-a", "Completed", "2026-11-19T01:00:00Z", "2026-11-19T02:00:00Z", schedule="daily"
        ),
        backup(
            "search-hourly-x",
            "Completed",
            "2026-11-18T10:00:00Z",
            "2026-11-18T10:30:00Z",
            schedule="search-hourly",
        ),
    ]
    if day == DAY20:
        items += [
            backup(
                "daily-b",
                "Completed",
                "2026-11-20T01:00:00Z",
                "2026-11-20T01:30:00Z",
                schedule="daily",
            ),
            backup(
                "daily-c",
                "Failed",
                "2026-11-20T02:00:00Z",
                "2026-11-20T02:01:00Z",
                schedule="daily",
            ),
            backup(
                "daily-d",
                "PartiallyFailed",
                "2026-11-20T03:00:00Z",
                "2026-11-20T03:20:00Z",
                schedule="daily",
            ),
            # by hand, refused before it started: no startTimestamp, day from its creation
            backup("manual-1", "FailedValidation", None, created="2026-11-20T05:00:00Z"),
        ]
    return items


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ga-backups")
    with FakeKubeAPI(without_velero=True).add(sample_items()) as api:
        kubeconfig = write_kubeconfig(folder / "kubeconfig", {"bare": (api.url, api.token)})
        settings = parse_config({"kubernetes": {"kubeconfig": str(kubeconfig)}}).kubernetes
        bare = collect_cluster(settings, context="bare")
    with Warehouse(folder / "wh.duckdb") as wh:
        for day in (DAY19, DAY20):
            wh.load(
                read_list(
                    {"kind": "List", "items": _prod_items(day)}, cluster="prod", collected_at=day
                )
            )
        wh.load(bare)
        transform_warehouse(wh, parse_config({}), select=MARTS)
        yield wh, bare.collected_at


def _rows(wh, sql):
    cursor = wh.con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_backups_by_schedule_and_day_by_hand(warehouse):
    wh, _ = warehouse
    rows = {
        (r["day"], r["schedule_name"]): r
        for r in _rows(wh, "select * from mart_backups_daily where cluster = 'prod'")
    }
    assert sorted(rows) == [
        (date(2026, 11, 19), "daily"),
        (date(2026, 11, 19), "search-hourly"),
        (date(2026, 11, 20), "__manual__"),
        (date(2026, 11, 20), "daily"),
        (date(2026, 11, 20), "search-hourly"),
    ]
    daily = rows[date(2026, 11, 20), "daily"]
    # b, c, d started on the 20th: one each Completed, Failed, PartiallyFailed.
    assert (
        daily["backups_started"],
        daily["completed_backups"],
        daily["failed_backups"],
        daily["partially_failed_backups"],
    ) == (3, 1, 1, 1)
    # last completed: daily-b at 01:30; at the 12:00 snapshot it is 10.5 hours old
    assert daily["last_completed_backup"] == "daily-b"
    assert daily["last_completed_age_hours"] == pytest.approx(10.5)
    assert (daily["velero_status"], daily["schedule_cron"], daily["paused"]) == (
        "installed",
        "0 7 * * *",
        False,
    )
    # the 19th: daily-a completed at 02:00, 10 hours before that day's 12:00 snapshot
    before = rows[date(2026, 11, 19), "daily"]
    assert (
        before["backups_started"],
        before["completed_backups"],
        before["failed_backups"],
        before["last_completed_backup"],
        before["last_completed_age_hours"],
    ) == (1, 1, 0, "daily-a", pytest.approx(10.0))
    # paused, nothing on the 20th; its last backup finished 2026-11-18 10:30:
    # to 11-20 12:00 is 2 days (48 h) + 1.5 h = 49.5 h; to 11-19 12:00, 25.5 h
    paused = rows[date(2026, 11, 20), "search-hourly"]
    assert (paused["paused"], paused["backups_started"], paused["last_completed_age_hours"]) == (
        True,
        0,
        pytest.approx(49.5),
    )
    assert rows[date(2026, 11, 19), "search-hourly"]["last_completed_age_hours"] == (
        pytest.approx(25.5)
    )
    # a backup made by hand (no velero.io/schedule-name label); FailedValidation is a failure
    manual = rows[date(2026, 11, 20), "__manual__"]
    assert (
        manual["backups_started"],
        manual["failed_backups"],
        manual["completed_backups"],
        manual["last_completed_at"],
        manual["schedule_cron"],
    ) == (1, 1, 0, None, None)


def test_a_cluster_without_velero_says_so(warehouse):
    wh, collected_at = warehouse
    rows = _rows(wh, "select * from mart_backups_daily where cluster = 'bare'")
    # The live collector got 404 on /apis/velero.io/v1/...: one row saying so, not zeros
    # that would read as "Velero runs and made no backup".
    assert [
        (r["day"], r["schedule_name"], r["velero_status"], r["backups_started"]) for r in rows
    ] == [(collected_at.date(), "__no_velero__", "not_installed", 0)]
    assert wh.con.execute(
        "select velero_installed, detail from raw_velero_installs where cluster = 'bare'"
    ).fetchall() == [(False, "GET /apis/velero.io/v1/schedules: HTTP 404")]


def test_namespaces_no_schedule_covers(warehouse):
    wh, collected_at = warehouse
    rows = wh.con.execute(
        "select day, cluster, namespace, velero_status from mart_backup_coverage_daily order by all"
    ).fetchall()
    # prod: `daily` covers * minus kube-system and search, `search-hourly` is paused, so
    # kube-system and search are uncovered; payments and velero are covered. bare has no
    # Velero: its one namespace (payments) is uncovered.
    assert rows == sorted(
        [
            (date(2026, 11, 19), "prod", "kube-system", "installed"),
            (date(2026, 11, 19), "prod", "search", "installed"),
            (date(2026, 11, 20), "prod", "kube-system", "installed"),
            (date(2026, 11, 20), "prod", "search", "installed"),
            (collected_at.date(), "bare", "payments", "not_installed"),
        ]
    )


def test_the_live_collector_reads_velero_examples_through_custom_objects_api(tmp_path):
    items = [
        schedule("daily", ["*"], ["some-namespace"]),
        backup(
            "daily-1",
            "PartiallyFailed",
            "2019-04-29T15:58:43Z",
            "2019-04-29T15:58:56Z",
            schedule="daily",
        ),
    ]
    with FakeKubeAPI().add(items) as api:
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"prod": (api.url, api.token)})
        settings = parse_config(
            {"kubernetes": {"kubeconfig": str(kubeconfig), "page_size": 1}}
        ).kubernetes
        batch = collect_cluster(settings, context="prod")
    assert [r.path for r in api.requests if "velero" in r.path] == [
        "/apis/velero.io/v1/schedules",
        "/apis/velero.io/v1/backups",
    ]
    backups = batch.tables["raw_velero_backups"].to_dict("records")
    assert len(backups) == 1
    row = backups[0]
    # The example's own values: includedNamespaces [*], excluded some-namespace, 2 warnings.
    assert (
        row["backup_name"],
        row["schedule_name"],
        row["phase"],
        row["errors"],
        row["warnings"],
        row["included_namespaces"],
        row["excluded_namespaces"],
    ) == ("daily-1", "daily", "PartiallyFailed", 0, 2, '["*"]', '["some-namespace"]')
    assert row["started_at"] == datetime(2019, 4, 29, 15, 58, 43)
    schedules = batch.tables["raw_velero_schedules"].to_dict("records")
    assert [
        (s["schedule_name"], s["schedule"], s["paused"], s["included_namespaces"])
        for s in schedules
    ] == [("daily", "0 7 * * *", False, '["*"]')]
    assert batch.tables["raw_velero_installs"]["velero_installed"].tolist() == [True]
    assert batch.collected_at <= datetime.now(UTC).replace(tzinfo=None)


def test_a_backup_of_another_group_is_not_velero():
    # CloudNativePG also defines a `Backup` kind: only velero.io/v1 objects are read.
    cnpg = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Backup",
        "metadata": {"name": "pg-1", "namespace": "db"},
        "spec": {},
    }
    batch = read_list({"kind": "List", "items": [cnpg]}, cluster="prod", collected_at=DAY20)
    assert batch.tables["raw_velero_backups"].empty
    assert batch.tables["raw_velero_installs"]["velero_installed"].isna().all()
