"""`check_invariants` finds each broken invariant and says where (marts tampered with by hand)."""

from __future__ import annotations

import pytest

from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse
from tests.test_cost_fixtures import CONFIG, DAY, load_prometheus, load_snapshot


@pytest.fixture
def built(warehouse: Warehouse) -> Warehouse:
    load_snapshot(warehouse)
    load_prometheus(warehouse)
    transform_warehouse(warehouse, CONFIG)
    assert check_invariants(warehouse.con) == []
    return warehouse


@pytest.mark.parametrize(("tampering", "expected"), [
    # a team's cost off by 2 cents: the cluster no longer adds up, with or without sharing, nor
    # does the namespace split
    # (beta: 3 h x (1.0 core, its request, whose burst did not fit on n2 + 0.3 RAM) = 3.9)
    ("update mart_team_cost_daily set total_cost = total_cost + 0.02 where team = 'beta'", [
        f"mart_namespace_cost_daily: team beta, cluster c1 on {DAY.date()}: namespaces sum to "
        "3.9000 but mart_team_cost_daily.total_cost is 3.9200",
        f"mart_team_cost_daily: cluster c1 on {DAY.date()}: teams (incl. __idle__, "
        "__unallocated__, __unmounted__) sum to 25.2200 but its nodes and volumes cost 25.2000",
        f"mart_team_cost_daily: cluster c1 on {DAY.date()}: teams with sharing sum to 25.2200 "
        "but its nodes, volumes and overhead cost 25.2000"]),
    # shared cost that does not net to the overhead (none configured here) breaks only that sum
    ("update mart_team_cost_daily set shared_cost = 0.02 where team = 'beta'", [
        f"mart_team_cost_daily: cluster c1 on {DAY.date()}: teams with sharing sum to 25.2200 "
        "but its nodes, volumes and overhead cost 25.2000"]),
    # a cent of rounding is tolerated
    ("update mart_team_cost_daily set total_cost = total_cost + 0.004 where team = 'beta'", []),
    ("update mart_cluster_utilization_daily set cpu_used_core_hours = 19, ram_used_pct = 101", [
        f"mart_cluster_utilization_daily: cluster c1 on {DAY.date()}: cpu used exceeds capacity "
        "(19.000 of 18.000 core-hours)",
        f"mart_cluster_utilization_daily: cluster c1 on {DAY.date()}: ram_used_pct 101.0 lies "
        "outside [0, 100]"]),
], ids=["cost_off_by_two_cents", "shared_cost_off_by_two_cents", "a_cent_of_rounding",
        "usage_above_capacity_bad_percent"])
def test_a_tampered_mart_is_reported_where_it_breaks(built: Warehouse, tampering: str,
                                                     expected: list[str]) -> None:
    built.con.execute(tampering)
    assert check_invariants(built.con) == expected


def test_idle_shares_that_do_not_add_up_are_reported(built: Warehouse) -> None:
    built.con.execute("update mart_team_cost_daily set idle_share_cost = 0 where team = 'alpha'")
    problems = check_invariants(built.con)
    assert len(problems) == 1
    assert problems[0].startswith(f"mart_team_cost_daily: cluster c1 on {DAY.date()}: "
                                  "idle_share_cost sums to")
    assert problems[0].endswith("but __idle__ costs 10.9500")


def test_migration_counts_that_do_not_add_up_are_reported(built: Warehouse) -> None:
    built.con.execute("drop table if exists mart_migration_daily")
    built.con.execute("""
        create table mart_migration_daily as select * from (values
            (date '2026-11-02', '__all__', 5, 2, 1, 2, 1, 40.0, 50.0),
            (date '2026-11-02', 'alpha', 3, 1, 1, 0, 0, 0.0, 120.0)
        ) as t (status_date, team, count_apps_in_scope, count_apps_legacy,
                count_apps_migrating, count_apps_migrated, count_apps_native, migrated_pct,
                migrated_capacity_pct)""")
    assert check_invariants(built.con) == [
        "mart_migration_daily: team alpha on 2026-11-02: count_apps_in_scope 3 <> legacy 1 + "
        "migrating 1 + migrated 0",
        "mart_migration_daily: team alpha on 2026-11-02: migrated_capacity_pct 120.0 lies "
        "outside [0, 100]"]


def test_many_violations_are_summarised(built: Warehouse) -> None:
    built.con.execute("""
        insert into mart_cluster_utilization_daily by name
        select usage_date + n as usage_date, 'c' || n as cluster, 1.0 as cpu_capacity_core_hours,
               2.0 as cpu_used_core_hours, 1.0 as ram_capacity_gib_hours,
               0.0 as ram_used_gib_hours, 0.0 as cpu_requested_pct, 0.0 as cpu_used_pct,
               0.0 as ram_requested_pct, 0.0 as ram_used_pct, 0.0 as pending_cpu_core_hours,
               0.0 as pending_ram_gib_hours
        from mart_cluster_utilization_daily, (values (1), (2), (3), (4), (5), (6), (7)) as v (n)
        """)
    problems = check_invariants(built.con)
    assert len(problems) == 6
    assert problems[-1] == "mart_cluster_utilization_daily: ... and 2 more"
