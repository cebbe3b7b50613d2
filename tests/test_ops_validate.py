"""`fleetscope validate`: GX checks over hand-built marts whose numbers are worked out by hand."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from fleetscope.cli import cli
from fleetscope.config import parse_config
from fleetscope.pipelines.model_spec import load_specs, spec_for
from fleetscope.pipelines.quality import validate_warehouse
from fleetscope.warehouse import LoadBatch, Warehouse

NOW = datetime(2026, 11, 22, 0, 0)

# Per day on cluster prod: nodes cost 100 = payments 60 + search 25 + __unallocated__ 5
# + __idle__ 10; the idle 10 is shared 6 / 3 / 1. Unallocated share = 5 / 90 = 5.56 %.
# Nothing is shared ([sharing] unset): shared_cost 0 and no overhead.
TEAM_COST = """
select *, 0.0 as shared_cost, total_cost as reconciled_cost,
    idle_share_cost as reconciled_idle_share_cost from (values
  (date '2026-11-20', 'payments', 'prod', 40.0, 20.0, 0.0, 0.0, 60.0, 6.0, 100.0, 400.0),
  (date '2026-11-20', 'search', 'prod', 15.0, 10.0, 0.0, 0.0, 25.0, 3.0, 40.0, 100.0),
  (date '2026-11-20', '__unallocated__', 'prod', 3.0, 2.0, 0.0, 0.0, 5.0, 1.0, 8.0, 20.0),
  (date '2026-11-20', '__idle__', 'prod', 6.0, 4.0, 0.0, 0.0, 10.0, 0.0, 20.0, 80.0),
  (date '2026-11-21', 'payments', 'prod', 40.0, 20.0, 0.0, 0.0, 60.0, 6.0, 100.0, 400.0),
  (date '2026-11-21', 'search', 'prod', 15.0, 10.0, 0.0, 0.0, 25.0, 3.0, 40.0, 100.0),
  (date '2026-11-21', '__unallocated__', 'prod', 3.0, 2.0, 0.0, 0.0, 5.0, 1.0, 8.0, 20.0),
  (date '2026-11-21', '__idle__', 'prod', 6.0, 4.0, 0.0, 0.0, 10.0, 0.0, 20.0, 80.0)
) t(cost_date, team, cluster, cpu_cost, ram_cost, gpu_cost, storage_cost, total_cost,
    idle_share_cost, cpu_core_hours, ram_gib_hours)
"""

def _empty(name: str) -> str:
    """The model's columns, typed as its YAML declares, and no row."""
    spec = spec_for(name)
    assert spec is not None
    columns = ", ".join(f"cast(null as {c.data_type}) as {c.name}" for c in spec.columns)
    return f"select {columns} where false"


TABLES = {
    # the GA readiness models, empty here (their numbers: tests/test_ga_capacity_scheduling.py)
    **{name: _empty(name) for name in ("int_node_capacity_daily", "mart_cluster_capacity_daily",
                                       "mart_scheduling_daily", "mart_integration_signals_daily")},
    # budgets, anomalies and alerts, empty here (their numbers: tests/test_budgets.py,
    # tests/test_cost_anomalies.py)
    **{name: _empty(name) for name in ("mart_budget_status_daily", "mart_cost_anomalies",
                                       "mart_helios_savings", "mart_alerts")},
    "mart_team_cost_daily": TEAM_COST,
    # prod's nodes cost 97 a day, its volumes 2 and pods off any known node 1: 100.
    "int_node_hours": """select *, usage_date::timestamp as hour_start from (values
        ('prod', date '2026-11-20', 'n1', 48.5, 'm6i.xlarge', true, 24.0),
        ('prod', date '2026-11-20', 'n2', 48.5, 'm6i.xlarge', true, 24.0),
        ('prod', date '2026-11-21', 'n1', 97.0, 'm6i.xlarge', true, 24.0)
        ) t(cluster, usage_date, node_name, total_cost, instance_type,
            is_priced_by_instance_type, present_hours)""",
    "int_storage_costs_daily": """select * from (values
        ('prod', date '2026-11-20', 2.0, 'namespace'), ('prod', date '2026-11-21', 2.0, 'pods')
        ) t(cluster, cost_date, storage_cost, allocated_by)""",
    "int_workload_costs_daily": """select * from (values
        ('prod', date '2026-11-20', 1.0), ('prod', date '2026-11-21', 1.0)
        ) t(cluster, cost_date, off_node_cost)""",
    "ref_sharing_overhead": """select * from (values ('other', 0.0)) t(cluster, overhead_per_hour)
        where false""",
    "int_helios_app_cost_daily": """select * from (values
        ('helios', date '2026-11-20', 'checkout', 12.5)
        ) t(source, cost_date, app_id, total_cost)""",
    # The Kubernetes team rows by namespace: payments 60 = pay 50 + pay-batch 10.
    "mart_namespace_cost_daily": """select *, total_cost as cpu_cost, total_cost as reconciled_cost,
        0.0 as ram_cost,
        0.0 as gpu_cost, 0.0 as storage_cost, 0.0 as cpu_core_hours, 0.0 as ram_gib_hours
        from (values
        (date '2026-11-20', 'payments', 'prod', 'pay', 50.0),
        (date '2026-11-20', 'payments', 'prod', 'pay-batch', 10.0),
        (date '2026-11-20', 'search', 'prod', 'search', 25.0),
        (date '2026-11-20', '__unallocated__', 'prod', 'shop', 5.0),
        (date '2026-11-20', '__idle__', 'prod', '__idle__', 10.0),
        (date '2026-11-21', 'payments', 'prod', 'pay', 60.0),
        (date '2026-11-21', 'search', 'prod', 'search', 25.0),
        (date '2026-11-21', '__unallocated__', 'prod', 'shop', 5.0),
        (date '2026-11-21', '__idle__', 'prod', '__idle__', 10.0)
        ) t(cost_date, team, cluster, namespace, total_cost)""",
    "mart_app_cost_daily": """select *, total_cost as reconciled_cost from (values
        (date '2026-11-20', 'checkout', 'payments', 'prod', 'kubernetes', 60.0),
        (date '2026-11-20', 'checkout', 'payments', 'helios', 'helios', 12.5)
        ) t(cost_date, app_id, team, cluster, platform, total_cost)""",
    "mart_cluster_utilization_daily": """select * from (values
        (date '2026-11-20', 'prod', 96.0, 60.0, 40.0, 384.0, 200.0, 150.0, 10.0,
         62.5, 41.67, 52.08, 39.06, 0.0, 0.0)
        ) t(usage_date, cluster, cpu_capacity_core_hours, cpu_requested_core_hours,
            cpu_used_core_hours, ram_capacity_gib_hours, ram_requested_gib_hours,
            ram_used_gib_hours, idle_cost, cpu_requested_pct, cpu_used_pct, ram_requested_pct,
            ram_used_pct, pending_cpu_core_hours, pending_ram_gib_hours)""",
    "mart_app_migration_status": """select * from (values
        (date '2026-11-20', 'checkout', 'payments', 'migrating'),
        (date '2026-11-20', 'search-api', 'search', 'native')
        ) t(status_date, app_id, team, status)""",
    "mart_migration_daily": """select * from (values
        (date '2026-11-20', 'payments', 3, 1, 1, 1, 2, 33.333333, 40.0),
        (date '2026-11-20', '__all__', 3, 1, 1, 1, 2, 33.333333, 40.0)
        ) t(status_date, team, count_apps_in_scope, count_apps_legacy, count_apps_migrating,
            count_apps_migrated, count_apps_native, migrated_pct, migrated_capacity_pct)""",
    "mart_rightsizing": """select * from (values
        ('payments', 'prod', 'pay', 'Deployment', 'checkout', 1.0, 0.4, 12.5)
        ) t(team, cluster, namespace, workload_kind, workload, cpu_request_cores,
            recommended_cpu_request_cores, monthly_savings)""",
    "mart_deploys_weekly": """select * from (values
        (date '2026-11-16', 'checkout', 'payments', 'kubernetes', 4, 1)
        ) t(week_start_date, app_id, team, platform, count_deploys, count_rollbacks)""",
    "stg_k8s_pods": """select * from (values
        (timestamp '2026-11-21 06:00', 'prod', 'pay', 'checkout-1', 'n1', 'Deployment',
         'checkout', 'checkout', 'payments', 0.5, 1e9, 0.0)
        ) t(collected_at, cluster, namespace, pod_name, node_name, workload_kind,
            workload_name, app_id, team, cpu_request_cores, memory_request_bytes,
            gpu_request)""",
    "stg_k8s_pod_claims": """select * from (values
        (timestamp '2026-11-21 06:00', 'prod', 'pay', 'checkout-1', 'data', 'n1', 'Running',
         'checkout', 'payments')
        ) t(collected_at, cluster, namespace, pod_name, claim_name, node_name, phase, app_id,
            team)""",
    # No bill: every node keeps its modelled cost (reconciled_cost = total_cost above).
    "int_billing_resource_costs_daily": """select * from (values
        (date '2026-11-20', 'prod', 'node', 'n1', 48.5, false, null::double)
        ) t(cost_date, cluster, resource_kind, resource_name, modelled_cost, is_matched,
            effective_cost)""",
    "int_billing_line_days": """select * from (values (date '2026-11-20', 'cur', 'Usage'))
        t(cost_date, source, charge_category) where false""",
    "mart_billing_reconciliation_daily": """select * from (values
        (date '2026-11-20', 'prod', 97.0, 0.0, 0.0, 2, 0, 2.0, 0.0, 0.0, 1, 0)
        ) t(cost_date, cluster, modelled_node_cost, billed_node_cost,
            modelled_matched_node_cost, count_nodes, count_nodes_matched, modelled_volume_cost,
            billed_volume_cost, modelled_matched_volume_cost, count_volumes,
            count_volumes_matched)""",
    "mart_cloud_cost_daily": """select * from (values
        (date '2026-11-20', '__billing__', 'AWS', '', 'Tax', 3.0, 3.0)
        ) t(cost_date, team, provider, service_name, charge_category, billed_cost,
            effective_cost)""",
    "stg_billing_lines": "select * exclude (load_id, collected_at) from raw_billing_lines",
    # the git, incidents and DiRT models as they are, over their empty raw tables
    **{name: (Path(__file__).resolve().parent.parent / "pipelines" / "models" / layer /
              f"{name}.sql").read_text(encoding="utf-8")
       for layer, name in (("staging", "stg_git_commits"), ("staging", "stg_incidents"),
                           ("staging", "stg_dirt_exercises"),
                           ("marts", "mart_dirt_exercises"))},
    # the Velero and smoke-test models as they are, over their empty raw tables (in the order
    # they read each other); the smoke-test label as the default config gives it
    "ref_label_keys": """select * from (values ('smoke_test', 'fleetscope.io/smoke-test', 0))
        t(key_kind, label_key, priority)""",
    **{path.stem: path.read_text(encoding="utf-8") for path in (
        Path(__file__).resolve().parent.parent / "pipelines" / "models" / f"{name}.sql"
        for name in ("staging/stg_k8s_snapshots", "staging/stg_k8s_namespaces",
                     "staging/stg_k8s_workloads", "staging/stg_k8s_jobs",
                     "staging/stg_velero_installs", "staging/stg_velero_backups",
                     "staging/stg_velero_schedules", "intermediate/int_velero_backups_latest",
                     "intermediate/int_smoke_test_runs", "marts/mart_backups_daily",
                     "marts/mart_backup_coverage_daily", "marts/mart_smoke_tests_daily"))},
    "stg_k8s_nodes": """select * from (values
        (timestamp '2026-11-21 06:00', 'prod', 'n1', 'm5.xlarge', 4.0, 16e9, false)
        ) t(collected_at, cluster, node_name, instance_type, cpu_capacity_cores,
            memory_capacity_bytes, is_spot)""",
    # the delivery models and mart_ga_readiness, empty with their YAML's columns (no deploys,
    # commits or incidents; the GA checks have their own tests in tests/test_ga_readiness.py)
    **{spec.name: "select " + ", ".join(f"null::{c.data_type} as {c.name}" for c in spec.columns)
       + " where false"
       for spec in load_specs()
       if spec.name in ("int_app_repos", "int_git_commits_shipped_with", "int_deploy_shas",
                        "int_deploy_lead_times", "int_deploy_failures", "mart_delivery_weekly",
                        "mart_delivery_buckets", "mart_migration_impact",
                        "mart_migration_impact_summary", "mart_ga_readiness")},
}


def build(path: Path, **replace: str) -> None:
    with Warehouse(path) as wh:
        for name, sql in {**TABLES, **replace}.items():
            if sql:
                wh.replace_table(name, sql)


def failed(outcome) -> dict[str, object]:
    return {r.check.name: r.unexpected_count for r in outcome.results if not r.success}


def test_consistent_marts_pass_and_results_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    build(path)
    outcome = validate_warehouse(path, parse_config({}), page_dir=tmp_path / "site", now=NOW)
    assert failed(outcome) == {}
    assert outcome.status == "passed"
    with Warehouse(path) as wh:
        stored = wh.query_df("select * from validation_status")
        count = wh.query_df("select count(*) n from validation_results")["n"][0]
    assert stored["status"].tolist() == ["passed"]
    assert count == len(outcome.results) >= 60
    assert (tmp_path / "site" / "quality.html").read_text().count("<tr>") == count + 1


def test_duplicate_grain_and_broken_invariants_fail_with_counts(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    # The search row of 2026-11-21 twice: 2 duplicate rows; that day now sums to 125 ≠ 100 and
    # the idle shares to 6 + 3 + 3 + 1 = 13 ≠ 10. Used CPU 97.5 of 96 core-hours (101.56 %).
    duplicated = TEAM_COST.replace(
        "(date '2026-11-21', 'search', 'prod', 15.0, 10.0, 0.0, 0.0, 25.0, 3.0, 40.0, 100.0),",
        "(date '2026-11-21', 'search', 'prod', 15.0, 10.0, 0.0, 0.0, 25.0, 3.0, 40.0, 100.0),"
        * 2)
    scope = TABLES["mart_migration_daily"].replace("'__all__', 3, 1, 1, 1", "'__all__', 4, 1, 1, 1")
    util = TABLES["mart_cluster_utilization_daily"].replace("60.0, 40.0", "60.0, 97.5").replace(
        "41.67", "101.56")
    build(path, mart_team_cost_daily=duplicated, mart_migration_daily=scope,
          mart_cluster_utilization_daily=util)
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    assert failed(outcome) == {
        "mart_team_cost_daily.grain_unique": 2,
        "mart_team_cost_daily.idle_share_adds_up": 1,
        "mart_team_cost_daily.adds_up_to_cluster_cost": 1,
        "mart_team_cost_daily.adds_up_with_sharing": 1,  # the same 125 vs 100, with sharing
        "mart_team_cost_daily.reconciled_adds_up_to_bill": 1,  # and reconciled (no bill)
        "mart_cluster_utilization_daily.cpu_used_within_capacity": 1,
        "mart_cluster_utilization_daily.cpu_used_pct.percent": 1,
        "mart_migration_daily.scope_adds_up": 1,
    }
    assert outcome.status == "failed" and outcome.count_failed_critical == 8


def test_unallocated_share_over_the_threshold_fails(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    build(path)
    # 5 / (60 + 25 + 5) = 5.56 % of allocated cost: passes at 6 %, fails at 5 %.
    ok = validate_warehouse(path, parse_config({"validate": {"max_unallocated_share_pct": 6}}),
                            now=NOW)
    assert "mart_team_cost_daily.unallocated_share" not in failed(ok)
    bad = validate_warehouse(path, parse_config({"validate": {"max_unallocated_share_pct": 5}}),
                             now=NOW)
    assert failed(bad) == {"mart_team_cost_daily.unallocated_share": 1}
    result = next(r for r in bad.results if r.check.name.endswith("unallocated_share"))
    assert "5.55" in result.observed


def test_stale_source_is_a_warning_and_future_clock_is_critical(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    build(path)
    empty = {"raw_k8s_namespaces": pd.DataFrame({"namespace": pd.Series([], dtype="str")})}
    with Warehouse(path) as wh:
        # 48 h before NOW: stale past the 36 h default.
        wh.load(LoadBatch("kubernetes", "prod", datetime(2026, 11, 20), empty))
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    assert failed(outcome) == {"sources.fresh": 1}
    assert outcome.status == "warnings"
    with Warehouse(path) as wh:  # a clock 30 h ahead
        wh.load(LoadBatch("kubernetes", "staging", datetime(2026, 11, 23, 6), empty))
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    assert failed(outcome) == {"sources.fresh": 1, "loads.collected_at.not_in_future": 1}
    assert outcome.status == "failed"


def test_missing_mart_and_column_fail_by_name(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    build(path, mart_deploys_weekly="",
          mart_rightsizing="select 'payments' as team, 'prod' as cluster, 'pay' as namespace, "
                           "'Deployment' as workload_kind")
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    messages = {r.check.name: r.observed for r in outcome.results if not r.success}
    assert messages["mart_deploys_weekly.grain_unique"].startswith(
        "table(s) mart_deploys_weekly missing")
    assert messages["mart_rightsizing.grain_unique"] == (
        "column(s) workload missing from mart_rightsizing")
    assert outcome.status == "failed"


def test_a_failing_gate_fails_in_a_process_without_a_main_file(tmp_path: Path) -> None:
    # `python -c` (like pytest-xdist's workers) has a `__main__` without `__file__`; with pyspark
    # installed, importing great_expectations there once made pyspark.sql.connect call
    # sys.exit(0) (it takes such a process for a doctest run), and the gate "passed" with exit 0
    path = tmp_path / "wh.duckdb"
    build(path, mart_deploys_weekly="")
    script = ("from pathlib import Path; from fleetscope.config import parse_config; "
              "from fleetscope.pipelines.quality import validate_warehouse; "
              f"o = validate_warehouse(Path({str(path)!r}), parse_config({{}})); "
              "raise SystemExit(6 if o.status == 'failed' else 0)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode != 0, done.stderr[-2000:]


def test_cli_exit_code_6_and_escaped_page(tmp_path: Path, cli_runner) -> None:
    path = tmp_path / "wh.duckdb"
    evil = "<script>alert(1)</script>"
    build(path, mart_app_migration_status=TABLES["mart_app_migration_status"].replace(
        "'native'", f"'{evil}'"))
    result = cli_runner.invoke(cli, ["--warehouse", str(path), "validate", "--out",
                                     str(tmp_path / "site")])
    assert result.exit_code == 6, result.output
    assert "CRITICAL mart_app_migration_status.status.in_set: 1 of 2 row(s) fail" in result.output
    assert "Error: 1 critical check(s) failed" in result.output
    page = (tmp_path / "site" / "quality.html").read_text()
    assert evil not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("command", [["validate"]])
def test_validate_on_missing_warehouse_is_a_clear_error(tmp_path: Path, cli_runner,
                                                        command: list[str]) -> None:
    result = cli_runner.invoke(cli, ["--warehouse", str(tmp_path / "none.duckdb"), *command])
    assert result.exit_code == 5
    assert "does not exist" in result.output


def test_rounding_noise_is_not_a_violation(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    # 100 - 100.00000000000001 leaves -1.4e-14: noise. -0.001 is a real violation.
    noisy = TABLES["mart_migration_daily"].replace(
        "'payments', 3, 1, 1, 1, 2, 33.333333, 40.0", "'payments', 3, 1, 1, 1, 2, 33.333333, "
        "-1.4210854715202004e-14").replace(
        "'__all__', 3, 1, 1, 1, 2, 33.333333, 40.0", "'__all__', 3, 1, 1, 1, 2, -0.001, 40.0")
    build(path, mart_migration_daily=noisy)
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    assert failed(outcome) == {"mart_migration_daily.migrated_pct.percent": 1}


def test_instance_types_priced_at_default_rates_are_a_warning_with_their_node_hours(
        tmp_path: Path) -> None:
    # n2 is an x9.odd the config does not price: 24 h on 2026-11-20 and 6.5 h on 2026-11-21
    # (it left mid-morning), 30.5 node-hours at the default rates. n1's m6i.xlarge is priced.
    path = tmp_path / "wh.duckdb"
    build(path, int_node_hours="""select *, usage_date::timestamp as hour_start from (values
        ('prod', date '2026-11-20', 'n1', 48.5, 'm6i.xlarge', true, 24.0),
        ('prod', date '2026-11-20', 'n2', 48.5, 'x9.odd', false, 24.0),
        ('prod', date '2026-11-21', 'n1', 90.0, 'm6i.xlarge', true, 24.0),
        ('prod', date '2026-11-21', 'n2', 7.0, 'x9.odd', false, 6.5)
        ) t(cluster, usage_date, node_name, total_cost, instance_type,
            is_priced_by_instance_type, present_hours)""")
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    assert failed(outcome) == {"int_node_hours.instance_types_priced": 1}
    assert outcome.status == "warnings" and outcome.count_failed_critical == 0
    name = "int_node_hours.instance_types_priced"
    (result,) = [r for r in outcome.results if r.check.name == name]
    assert "x9.odd" in result.observed and "30.5" in result.observed
    assert "m6i.xlarge" not in result.observed


def test_a_bill_checks_reconciled_cost_and_warns_on_low_coverage(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    # A bill for 2026-11-20 names n1 only: n1 was modelled 48.5 and billed 38.5 (a discount),
    # n2 (48.5) has no line. Node-hours matched: 24 of 24 + 24 = 50 % < 90 %: a warning.
    # Reconciled, the cluster-day must add up to 100 - 48.5 + 38.5 = 90; the teams' rows below
    # still say 100 (reconciled_cost = total_cost): the critical check fails for that day only.
    resources = """select * from (values
        (date '2026-11-20', 'prod', 'node', 'n1', 48.5, true, 38.5),
        (date '2026-11-20', 'prod', 'node', 'n2', 48.5, false, null)
        ) t(cost_date, cluster, resource_kind, resource_name, modelled_cost, is_matched,
            effective_cost)"""
    lines = """select * from (values (date '2026-11-20', 'cur', 'Usage'))
        t(cost_date, source, charge_category)"""
    build(path, int_billing_resource_costs_daily=resources, int_billing_line_days=lines)
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    assert failed(outcome) == {"mart_team_cost_daily.reconciled_adds_up_to_bill": 1,
                               "mart_billing_reconciliation_daily.node_hours_matched": 1}
    coverage = next(r for r in outcome.results if r.check.name.endswith("node_hours_matched"))
    assert coverage.check.severity == "warning" and "50" in coverage.observed
    # With the teams reconciled (payments 60 -> 50: 50 + 25 + 5 + 10 = 90) the check passes.
    reconciled = TEAM_COST.replace("total_cost as reconciled_cost", "case when cost_date = "
                                   "date '2026-11-20' and team = 'payments' then 50.0 else "
                                   "total_cost end as reconciled_cost")
    build(path, mart_team_cost_daily=reconciled, int_billing_resource_costs_daily=resources,
          int_billing_line_days=lines)
    outcome = validate_warehouse(path, parse_config({}), now=NOW)
    assert failed(outcome) == {"mart_billing_reconciliation_daily.node_hours_matched": 1}
