"""The demo's GA-readiness sources (issue 15): a two-week demo run through the real readers and
loader, checked against the plan in fleetscope/demo/plan_ga.py, worked out by hand.

Window: days=14, end 2026-12-01, so day 0 is 2026-11-17 and day 13 is 2026-11-30.
- failing schedule (prod-eu daily-data) from day 14 - 10 = 4 (2026-11-21): PartiallyFailed on
  days 4, 5, 6 (3 backups), Failed on days 7..13 (7 backups), Completed on days 0..3 (4);
- smoke bad week (prod-us): days 14 - 12 = 2 .. 14 - 6 = 8, i.e. 2026-11-19..2026-11-25: 2 of the
  6 daily runs succeed (1/3 < the 0.8 fail threshold); every other day 6 of 6;
- crunch (prod-eu): days 14 - 9 = 5, 6, 7, i.e. 2026-11-22..2026-11-24;
- DiRT: prod-eu 12 days before the window (2026-11-05), prod-us 30 (2026-10-18), staging-eu 50.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fleetscope.demo.run import run_demo

START = date(2026, 11, 17)
BAD_WEEK = [date(2026, 11, d) for d in range(19, 26)]
CRUNCH = [date(2026, 11, d) for d in (22, 23, 24)]
# The details mart_ga_readiness gives a check that had no source data to judge.
LACK_OF_DATA = (
    "no smoke test",
    "no DiRT exercise",
    "no active Velero schedule",
    "no smoke run finished",
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gademo")
    result = run_demo(out, days=14, end=date(2026, 12, 1), reports=False)
    return result.warehouse


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    from fleetscope.warehouse import connect_read_only

    with connect_read_only(warehouse) as con:
        return con.execute(sql).fetchall()


def test_no_check_fails_for_lack_of_data(warehouse: Path) -> None:
    # 9 checks per cluster-day before (backups 3, smoke 2, capacity 2, DiRT 2), now also
    # scheduling 2 and the 6 default golden signals: 17 on every day of the window.
    counts = _rows(
        warehouse,
        """
        select cluster, day, count(distinct check_name) from mart_ga_readiness
        where day >= date '2026-11-17' group by all""",
    )
    assert {n for _, _, n in counts} == {17}
    assert len(counts) == 3 * 14
    lacking = _rows(
        warehouse,
        f"""
        select cluster, day, check_name, detail from mart_ga_readiness
        where detail in {LACK_OF_DATA!r} or detail like '%never%'""",
    )
    assert lacking == []
    # 'unknown' only where a List cannot tell "no Velero" from "not dumped" (staging-eu), and
    # the p95 of a day on which no pod was scheduled (there is none to take)
    unknown = _rows(
        warehouse,
        """
        select distinct cluster, check_name, detail from mart_ga_readiness
        where status = 'unknown'""",
    )
    velero = "Velero status unknown (offline snapshot)"
    assert {(c, n, d) for c, n, d in unknown if c == "staging-eu" and d == velero} == {
        ("staging-eu", f"backups.{n}", velero)
        for n in ("failed", "last_completed_age_hours", "namespaces_uncovered")
    }
    assert {(n, d) for c, n, d in unknown if d != velero} <= {
        ("scheduling.schedule_seconds_p95", "0 pods scheduled")
    }


def test_the_failing_schedule_and_the_cluster_without_velero(warehouse: Path) -> None:
    by_schedule = _rows(
        warehouse,
        """
        select cluster, schedule_name, any_value(velero_status), sum(completed_backups),
               sum(failed_backups), sum(partially_failed_backups), count(*)
        from mart_backups_daily group by all order by all""",
    )
    assert by_schedule == [
        ("prod-eu", "daily-cluster", "installed", 14, 0, 0, 14),
        ("prod-eu", "daily-data", "installed", 4, 7, 3, 14),  # see the module docstring
        ("prod-us", "daily-cluster", "installed", 14, 0, 0, 14),
        ("staging-eu", "__no_velero__", "unknown", 0, 0, 0, 14),  # not zero: no Velero
    ]
    last_day = _rows(
        warehouse,
        """
        select cluster, check_name, status, value from mart_ga_readiness
        where day = date '2026-11-30' and check_group = 'backups' and cluster <> 'staging-eu'
        order by all""",
    )
    # daily-data last completed on day 3 (2026-11-20 01:00 + minutes): at the 2026-11-30 23:30
    # snapshot that is 10 days and 22.5 hours less the backup's 3-13 minutes: 262.3-262.45 h.
    values = {(c, n): (s, v) for c, n, s, v in last_day}
    status, age = values[("prod-eu", "backups.last_completed_age_hours")]
    assert status == "fail" and 262.2 < age < 262.5
    assert values[("prod-eu", "backups.failed")] == ("fail", 1.0)
    # prod-us leaves out `logging` and its last team namespace: 2 uncovered, a warning
    assert values[("prod-us", "backups.namespaces_uncovered")] == ("warn", 2.0)


def test_the_bad_smoke_week(warehouse: Path) -> None:
    days = _rows(
        warehouse,
        """
        select day, runs, successes, failures, duration_p50_seconds from mart_smoke_tests_daily
        where cluster = 'prod-us' order by day""",
    )
    assert [d for d, *_ in days] == [date(2026, 11, d) for d in range(17, 31)]
    for day, runs, successes, failures, p50 in days:
        bad = day in BAD_WEEK
        assert (runs, successes, failures) == ((6, 2, 4) if bad else (6, 6, 0)), day
        # slow successes take 900-1500 s in the bad week, 70-150 s otherwise
        assert (900 <= p50 < 1500) if bad else (70 <= p50 < 150), (day, p50)
    rates = _rows(
        warehouse,
        """
        select day, status from mart_ga_readiness
        where cluster = 'prod-us' and check_name = 'smoke.success_rate' order by day""",
    )
    assert [d for d, s in rates if s == "fail"] == BAD_WEEK  # 2/6 = 0.33 < 0.8


def test_the_capacity_crunch_is_pending_time(warehouse: Path) -> None:
    days = _rows(
        warehouse,
        """
        select usage_date, pending_pod_hours, count_pods_unschedulable, count_pods_scheduled,
               schedule_seconds_p95
        from mart_scheduling_daily where cluster = 'prod-eu' order by usage_date""",
    )
    for day, pending, stuck, scheduled, p95 in days:
        if day in CRUNCH:
            # at least 6 overflow pods a day, each Pending 6 hours (plus seconds)
            assert stuck >= 6 and abs(pending - 6.0 * stuck) < 0.2, day
            # more than 5% of the day's pods waited 6 h: the p95 is one of them
            assert stuck / scheduled > 0.05 and p95 > 6 * 3600, day
        else:
            # every other pod waits 1-6 s: well under half a pod-hour a day (no p95 on a day
            # without a new pod)
            assert stuck == 0 and pending < 0.5 and (p95 or 0) < 10, day
    failing = _rows(
        warehouse,
        """
        select day from mart_ga_readiness where cluster = 'prod-eu'
        and check_name = 'scheduling.schedule_seconds_p95' and status = 'fail' order by day""",
    )
    assert [d for (d,) in failing] == CRUNCH


def test_the_dirt_exercises(warehouse: Path) -> None:
    exercises = _rows(
        warehouse,
        """
        select cluster, exercise_date, scenario, outcome, open_follow_ups_count
        from mart_dirt_exercises order by cluster""",
    )
    assert exercises == [
        ("prod-eu", date(2026, 11, 5), "control-plane-down", "pass", 0),
        ("prod-us", date(2026, 10, 18), "cluster-deletion", "partial", 1),
        ("staging-eu", date(2026, 9, 28), "node-pool-loss", "pass", 0),
    ]
