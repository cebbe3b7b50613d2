"""mart_ga_readiness over hand-built source marts (tests/ga_readiness_rows.py), and the GA numbers
of the reports, against values worked out by hand with the default `[ga]` thresholds."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from ga_readiness_rows import (
    W46,
    W47,
    build_ga_readiness,
    ga_warehouse,
    pool_row,
    schedule_row,
    smoke_row,
)

from fleetscope.config import parse_config
from fleetscope.errors import ConfigError
from fleetscope.reports import ga
from fleetscope.reports.weeks import IsoWeek
from fleetscope.warehouse import Warehouse


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = ga_warehouse(tmp_path_factory.mktemp("ga") / "wh.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def _check(con, cluster: str, check: str, day=W47) -> tuple:
    return con.execute(
        "select value, warn_threshold, fail_threshold, status, detail from mart_ga_readiness "
        "where day = ? and cluster = ? and check_name = ?", [day, cluster, check]).fetchone()


def test_backups_judge_the_oldest_schedule_and_count_failures(con) -> None:
    # daily 30 h, hourly 2 h: the oldest, 30 h, is past 26 (warn) but not 48 (fail).
    assert _check(con, "prod-eu", "backups.last_completed_age_hours") == (
        30.0, 26.0, 48.0, "warn", "oldest: schedule daily")
    # 1 failed + 0 partially failed = 1 > 0: fail.
    assert _check(con, "prod-eu", "backups.failed")[::4] == (1.0, "1 failed, 0 partially failed")
    assert _check(con, "prod-eu", "backups.failed")[3] == "fail"
    # team-a and team-b uncovered: 2 > 0 warns, not > 5.
    assert _check(con, "prod-eu", "backups.namespaces_uncovered") == (
        2.0, 0.0, 5.0, "warn", "team-a, team-b")


def test_a_cluster_without_velero_says_so(con) -> None:
    for check in ("backups.last_completed_age_hours", "backups.failed",
                  "backups.namespaces_uncovered"):
        assert _check(con, "lab", check)[0] is None  # not zero
        assert _check(con, "lab", check)[3:] == ("fail", "Velero not installed")
        assert _check(con, "old", check)[3] == "unknown"


def test_smoke_rate_and_staleness(con) -> None:
    # (9 + 10) / (10 + 10) = 0.95: not below 0.95, a pass.
    assert _check(con, "prod-eu", "smoke.success_rate")[::4] == (0.95, "19 of 20 runs succeeded")
    assert _check(con, "prod-eu", "smoke.success_rate")[3] == "pass"
    # api 3 h, dns 8 h: the stalest, 8 > 6 warns.
    assert _check(con, "prod-eu", "smoke.hours_since_last_success") == (
        8.0, 6.0, 24.0, "warn", "stalest: smoke/dns")
    assert _check(con, "lab", "smoke.success_rate")[3:] == ("fail", "no smoke test")


def test_of_two_pools_reaching_the_threshold_the_same_day_the_first_name_is_named(
        tmp_path) -> None:
    # zeta and alpha both reach 80% in 12 days, mid in 15: min 12 (< 30 warns); the detail names
    # alpha, whatever the rows' order (DuckDB's arg_min and Spark's min_by each picked one)
    pools = [pool_row(W47, name, (10, 40), (20, 100), days)
             for name, days in (("zeta", 12), ("mid", 15), ("alpha", 12))]
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        build_ga_readiness(wh, replace={"mart_cluster_capacity_daily": pd.DataFrame(pools)})
        row = wh.con.execute(
            "select value, status, detail from mart_ga_readiness where day = ? and "
            "cluster = 'prod-eu' and check_name = 'capacity.days_to_threshold'", [W47]).fetchone()
    assert row == (12, "warn", "first: node pool alpha")


def test_ties_of_the_oldest_schedule_and_the_stalest_test_name_the_last_name(tmp_path) -> None:
    # two schedules never completed (both infinitely old) and two tests 8 h since a success,
    # listed first name first: the detail names the last name, whatever the rows' order
    schedules = [schedule_row(W47, "prod-eu", name) for name in ("alpha", "zeta")]
    tests = [smoke_row(W47, name, 1, 0, 8.0) for name in ("api", "dns")]
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        build_ga_readiness(wh, replace={"mart_backups_daily": pd.DataFrame(schedules),
                                        "mart_smoke_tests_daily": pd.DataFrame(tests)})
        details = dict(wh.con.execute(
            "select check_name, detail from mart_ga_readiness where day = ? and "
            "cluster = 'prod-eu' and check_name in ('backups.last_completed_age_hours', "
            "'smoke.hours_since_last_success')", [W47]).fetchall())
    assert details == {"backups.last_completed_age_hours": "schedule zeta never completed a backup",
                       "smoke.hours_since_last_success": "stalest: smoke/dns"}


def test_capacity_scheduling_and_signals(con) -> None:
    # CPU (30 + 10) / (40 + 40) = 50%, memory (60 + 20) / 200 = 40%: 50 <= 80 - 10 passes.
    assert _check(con, "prod-eu", "capacity.requested_share_pct")[:4] == (50.0, 70.0, 80.0, "pass")
    # pool a reaches 80% in 20 days (b flat): 20 < 30 warns, not < 7.
    assert _check(con, "prod-eu", "capacity.days_to_threshold")[::3] == (20, "warn")
    assert _check(con, "prod-eu", "capacity.days_to_threshold", W46)[3] == "pass"
    assert _check(con, "prod-eu", "scheduling.schedule_seconds_p95")[3] == "warn"  # 75 > 60
    assert _check(con, "prod-eu", "scheduling.count_pods_unschedulable")[3] == "fail"  # 12 > 10
    assert _check(con, "prod-eu", "signals.apiserver.error_ratio")[:4] == (
        0.02, 0.001, 0.01, "fail")


def test_dirt_days_since_the_last_exercise_and_its_outcome(con) -> None:
    # prod-eu: 2026-10-01 to 2026-11-22 = 30 + 22 = 52 days <= 90, outcome pass (score 1).
    assert _check(con, "prod-eu", "dirt.days_since_last_exercise")[:4] == (
        52.0, 90.0, 180.0, "pass")
    assert _check(con, "prod-eu", "dirt.last_outcome")[::3] == (1.0, "pass")
    # lab: 2026-05-01 to 2026-11-22 = 30+30+31+31+30+31+21 = 205 days > 180; outcome fail (0).
    assert _check(con, "lab", "dirt.days_since_last_exercise")[::3] == (205.0, "fail")
    assert _check(con, "lab", "dirt.last_outcome") == (
        0.0, 1.0, 0.5, "fail", "backup-restore on 2026-05-01: fail, 2 open follow-up(s)")
    assert _check(con, "old", "dirt.last_outcome")[3:] == ("fail", "no DiRT exercise")


def test_thresholds_come_from_the_config(tmp_path) -> None:
    config = parse_config({"ga": {"backup_age_warn_hours": 36, "schedule_p95_warn_seconds": 90},
                           "capacity": {"requested_share_threshold_pct": 55}})
    wh = Warehouse(tmp_path / "wh.duckdb")
    try:
        build_ga_readiness(wh, config)
        rows = dict(wh.con.execute(
            "select check_name, status from mart_ga_readiness where day = ? and cluster = ?",
            [W47, "prod-eu"]).fetchall())
    finally:
        wh.close()
    assert rows["backups.last_completed_age_hours"] == "pass"  # 30 <= 36
    assert rows["scheduling.schedule_seconds_p95"] == "pass"  # 75 <= 90
    assert rows["capacity.requested_share_pct"] == "warn"  # 50 > 55 - 10, not > 55


def test_a_warn_threshold_past_its_fail_threshold_is_named() -> None:
    with pytest.raises(ConfigError, match=r"ga\.smoke_success_rate_warn: 0\.5 is past"):
        parse_config({"ga": {"smoke_success_rate_warn": 0.5}})


def test_report_numbers(con) -> None:
    week = IsoWeek.parse("2026-W47")
    # Failing on 2026-11-22: lab 3 backups + 2 smoke + 2 DiRT, old 2 smoke + 2 DiRT, the
    # hostile cluster 2 DiRT, prod-eu backups.failed, unschedulable pods and the apiserver
    # error ratio: 7 + 4 + 2 + 3 = 16, of 7 + 7 + 7 + 12 = 33 judged.
    assert ga.count_failing(con, week) == (16, 33)
    card = ga.scorecard(con, week)
    assert list(card["status"].head(16)) == ["fail"] * 16
    counts = ga.status_counts(card).set_index("cluster")
    assert counts.loc["prod-eu"].tolist() == [3, 5, 0, 4]
    assert counts.index[0] == "lab"  # the most failing first
    # The trend keeps one row per check, cluster and week: prod-eu's p95 was 20 s in W46.
    trend = ga.trend(con, week)
    p95 = trend[(trend["check_name"] == "scheduling.schedule_seconds_p95")]
    assert p95["value"].tolist() == [20.0, 75.0]


def test_status_matrix_has_a_row_per_check(con) -> None:
    matrix = ga.status_matrix(ga.scorecard(con, IsoWeek.parse("2026-W47"))).set_index(
        "check_name")
    assert matrix.loc["backups.failed", "lab"] == "fail"
    assert matrix.loc["capacity.days_to_threshold", "prod-eu"] == "warn"
    assert matrix.loc["capacity.days_to_threshold", "lab"] == ""  # lab has no usage data
