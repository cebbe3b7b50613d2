"""Smoke deploys: Jobs labelled as smoke tests (on the Job or its CronJob) -> runs, success rate,
duration p50/p95 and hours since the last success, by hand; live through the real client."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from ga_objects import SMOKE_LABEL, cronjob, job
from k8s_fake_api import FakeKubeAPI, write_kubeconfig

from fleetscope.collectors.kubernetes.live import collect_cluster
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.config import parse_config
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse

NS = "smoke"
DAY20, DAY21 = datetime(2026, 11, 20, 12), datetime(2026, 11, 21, 6)


def _items() -> list[dict]:
    """dns-check (a CronJob labelled `true`): successes of 60, 120, 180 and 240 s, one failure,
    one still running; db-write (a Job labelled with the test's name): one success of 30 s;
    two Jobs that are no smoke test (no label, label `false`)."""

    def dns(n: int, start: str, end: str | None = None, outcome: str | None = None) -> dict:
        return job(
            f"dns-check-{n}",
            NS,
            f"2026-11-20T{start}Z",
            ended=f"2026-11-20T{end}Z" if end else None,
            outcome=outcome,
            cronjob="dns-check",
        )

    return [
        cronjob("dns-check", NS, {SMOKE_LABEL: "true"}),
        dns(1, "00:00:00", "00:01:00", "Complete"),  # 60 s
        dns(2, "01:00:00", "01:02:00", "Complete"),  # 120 s
        dns(3, "02:00:00", "02:03:00", "Complete"),  # 180 s
        dns(4, "05:56:00", "06:00:00", "Complete"),  # 240 s, the last success: 06:00
        dns(5, "04:00:00", "04:10:00", "Failed"),
        dns(6, "11:00:00"),  # running at the 12:00 snapshot
        job(
            "db-write-x1",
            NS,
            "2026-11-20T03:00:00Z",
            ended="2026-11-20T03:00:30Z",
            outcome="Complete",
            labels={SMOKE_LABEL: "db-write"},
        ),
        job(
            "migrate", NS, "2026-11-20T03:00:00Z", ended="2026-11-20T03:05:00Z", outcome="Complete"
        ),
        job(
            "not-smoke",
            NS,
            "2026-11-20T03:00:00Z",
            ended="2026-11-20T03:05:00Z",
            outcome="Failed",
            labels={SMOKE_LABEL: "false"},
        ),
    ]


def _build(path, config: dict | None = None) -> list[dict]:
    with Warehouse(path) as wh:
        wh.load(read_list({"kind": "List", "items": _items()}, cluster="prod", collected_at=DAY20))
        # the next morning the Jobs are gone (ttlSecondsAfterFinished): nothing ran
        wh.load(
            read_list(
                {"kind": "List", "items": [cronjob("dns-check", NS, {SMOKE_LABEL: "true"})]},
                cluster="prod",
                collected_at=DAY21,
            )
        )
        transform_warehouse(wh, parse_config(config or {}), select=["mart_smoke_tests_daily"])
        cursor = wh.con.execute("select * from mart_smoke_tests_daily order by all")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_smoke_tests_by_hand(tmp_path):
    rows = {(r["day"], r["smoke_test"]): r for r in _build(tmp_path / "wh.duckdb")}
    assert sorted(rows) == [
        (date(2026, 11, 20), "db-write"),
        (date(2026, 11, 20), "dns-check"),
        (date(2026, 11, 21), "db-write"),
        (date(2026, 11, 21), "dns-check"),
    ]
    dns = rows[date(2026, 11, 20), "dns-check"]
    # 6 runs: 4 Complete, 1 Failed, 1 running; rate over finished runs 4 / (4 + 1) = 0.8
    assert (dns["runs"], dns["successes"], dns["failures"]) == (6, 4, 1)
    assert dns["success_rate"] == pytest.approx(0.8)
    # durations 60, 120, 180, 240 s. p50 = (120 + 180) / 2 = 150. p95 at position
    # 0.95 x (4 - 1) = 2.85 (0-based): 180 + 0.85 x (240 - 180) = 231
    assert dns["duration_p50_seconds"] == pytest.approx(150.0)
    assert dns["duration_p95_seconds"] == pytest.approx(231.0)
    # last success 06:00, the day's last snapshot 12:00: 6 hours
    assert dns["hours_since_last_success"] == pytest.approx(6.0)
    db = rows[date(2026, 11, 20), "db-write"]
    assert (
        db["runs"],
        db["success_rate"],
        db["duration_p50_seconds"],
        db["duration_p95_seconds"],
    ) == (1, 1.0, 30.0, 30.0)
    # 03:00:30 to 12:00:00 = 8 h 59 min 30 s = 8.991666... h
    assert db["hours_since_last_success"] == pytest.approx(8 + 59.5 / 60)
    # the 21st: no run, no rate; the last success ages to the 06:00 snapshot: 24 h
    quiet = rows[date(2026, 11, 21), "dns-check"]
    assert (quiet["runs"], quiet["success_rate"], quiet["duration_p50_seconds"]) == (0, None, None)
    assert quiet["hours_since_last_success"] == pytest.approx(24.0)


def test_the_smoke_label_key_comes_from_the_config(tmp_path):
    # With another key nothing above is a smoke test.
    rows = _build(tmp_path / "wh.duckdb", {"ga": {"smoke_test_label": "example.com/smoke"}})
    assert rows == []


def test_job_status_through_the_live_client(tmp_path):
    with FakeKubeAPI().add(_items()) as api:
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"prod": (api.url, api.token)})
        settings = parse_config(
            {"kubernetes": {"kubeconfig": str(kubeconfig), "page_size": 3}}
        ).kubernetes
        batch = collect_cluster(settings, context="prod")
    jobs = batch.tables["raw_k8s_jobs"].set_index("job_name")
    assert len(jobs) == 9  # 6 dns-check, db-write, migrate, not-smoke
    first = jobs.loc["dns-check-1"]
    assert (first["cronjob_name"], first["outcome"], first["succeeded"]) == (
        "dns-check",
        "Complete",
        1,
    )
    assert (first["started_at"], first["completed_at"]) == (
        datetime(2026, 11, 20, 0, 0),
        datetime(2026, 11, 20, 0, 1),
    )
    failed = jobs.loc["dns-check-5"]
    # completionTime is set on success only: a failure ends at its condition's time
    assert (failed["outcome"], failed["failed"], failed["finished_at"]) == (
        "Failed",
        1,
        datetime(2026, 11, 20, 4, 10),
    )
    assert pd.isna(failed["completed_at"])
    assert pd.isna(jobs.loc["dns-check-6", "outcome"])  # still running
