"""The analysts' reference `docs/marts.md`: grain from each model's header, types from a built
warehouse, units and meanings from the hand-maintained dictionary below.

Regenerate after changing a mart: `.venv/bin/python -m fleetscope.pipelines.catalog_doc WAREHOUSE`
(a warehouse the current models were built in, e.g. the demo's) rewrites `docs/marts.md`;
`tests/test_deploys_catalog_doc.py` fails while a column lacks a description or the file is
out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb

from fleetscope.pipelines.runner import discover_models

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "marts.md"

MONEY = "currency"  # `pricing.currency` (USD by default)

# relation -> column -> (unit, meaning). Units: "" where the column is a name or a flag.
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "mart_team_cost_daily": {
        "cost_date": ("UTC day", "The day the cost was incurred."),
        "team": ("", "Owning team; `__idle__` = unused node capacity, `__unallocated__` = no "
                     "owner found."),
        "cluster": ("", "Kubernetes cluster, or the Helios source name for legacy cost."),
        "cpu_cost": (MONEY, "Cost of the charged CPU core-hours."),
        "ram_cost": (MONEY, "Cost of the charged RAM GiB-hours."),
        "gpu_cost": (MONEY, "Cost of the requested GPU-hours."),
        "storage_cost": (MONEY, "Cost of the persistent volumes claimed in the team's "
                                "namespaces."),
        "total_cost": (MONEY, "cpu + ram + gpu + storage cost. Per cluster and day the teams "
                              "(with `__idle__` and `__unallocated__`) add up to the nodes' "
                              "and volumes' cost."),
        "idle_share_cost": (MONEY, "The team's share of the cluster-day's idle cost, in "
                                   "proportion to its charged cost (0 for `__idle__` and "
                                   "Helios rows)."),
        "cpu_core_hours": ("core-hours", "Charged CPU: max(request, usage) per container and "
                                         "hour; for `__idle__`, capacity not charged."),
        "ram_gib_hours": ("GiB-hours", "Charged RAM: max(request, working set) per container "
                                       "and hour; for `__idle__`, capacity not charged."),
        "cpu_requested_core_hours": ("core-hours", "CPU requested by the team's containers "
                                                   "(request x running fraction); 0 for "
                                                   "`__idle__` and Helios rows."),
        "cpu_used_core_hours": ("core-hours", "CPU used by the team's containers (hourly "
                                              "average); OpenCost CPU efficiency = used / "
                                              "requested. 0 for `__idle__` and Helios rows."),
        "ram_requested_gib_hours": ("GiB-hours", "Memory requested by the team's containers; "
                                                 "0 for `__idle__` and Helios rows."),
        "ram_used_gib_hours": ("GiB-hours", "Working set of the team's containers while "
                                            "running; RAM efficiency = used / requested. 0 "
                                            "for `__idle__` and Helios rows."),
    },
    "mart_namespace_cost_daily": {
        "cost_date": ("UTC day", "The day the cost was incurred."),
        "team": ("", "Owning team, as in mart_team_cost_daily (`__idle__` = unused node "
                     "capacity)."),
        "cluster": ("", "Kubernetes cluster (Helios sources have no namespaces and are not "
                        "here)."),
        "namespace": ("", "Namespace the containers ran in or the volume's claim is in; "
                          "`__idle__` for the unused node capacity, `__unbound__` for volumes "
                          "no claim is bound to."),
        "cpu_cost": (MONEY, "Cost of the charged CPU core-hours."),
        "ram_cost": (MONEY, "Cost of the charged RAM GiB-hours."),
        "gpu_cost": (MONEY, "Cost of the requested GPU-hours."),
        "storage_cost": (MONEY, "Cost of the persistent volumes claimed in the namespace."),
        "total_cost": (MONEY, "cpu + ram + gpu + storage cost (no idle share). Per team, "
                              "cluster and day the namespaces add up to "
                              "mart_team_cost_daily.total_cost."),
        "cpu_core_hours": ("core-hours", "Charged CPU: max(request, usage) per container and "
                                         "hour; for `__idle__`, capacity not charged."),
        "ram_gib_hours": ("GiB-hours", "Charged RAM: max(request, working set) per container "
                                       "and hour; for `__idle__`, capacity not charged."),
        "cpu_requested_core_hours": ("core-hours", "CPU requested by the namespace's "
                                                   "containers (0 for `__idle__`)."),
        "cpu_used_core_hours": ("core-hours", "CPU used by the namespace's containers; CPU "
                                              "efficiency = used / requested."),
        "ram_requested_gib_hours": ("GiB-hours", "Memory requested by the namespace's "
                                                 "containers (0 for `__idle__`)."),
        "ram_used_gib_hours": ("GiB-hours", "Working set of the namespace's containers; RAM "
                                            "efficiency = used / requested."),
    },
    "mart_app_cost_daily": {
        "cost_date": ("UTC day", "The day the cost was incurred."),
        "app_id": ("", "Canonical app id (the Backstage component name where one matches)."),
        "team": ("", "The team charged most for the app that day in that cluster."),
        "cluster": ("", "Kubernetes cluster, or the Helios source name."),
        "platform": ("", "`kubernetes` or `helios`."),
        "cpu_cost": (MONEY, "Cost of the app's charged CPU."),
        "ram_cost": (MONEY, "Cost of the app's charged RAM."),
        "gpu_cost": (MONEY, "Cost of the app's requested GPUs (0 on Helios)."),
        "total_cost": (MONEY, "cpu + ram + gpu cost (no idle share, no volumes)."),
        "cpu_core_hours": ("core-hours", "Charged CPU core-hours (Helios: declared share of "
                                         "the host)."),
        "ram_gib_hours": ("GiB-hours", "Charged RAM GiB-hours (Helios: declared share of the "
                                       "host)."),
    },
    "mart_cluster_utilization_daily": {
        "usage_date": ("UTC day", "The day measured."),
        "cluster": ("", "Kubernetes cluster."),
        "count_nodes": ("nodes", "Distinct nodes present during the day."),
        "cpu_capacity_core_hours": ("core-hours", "Node CPU capacity x hours present."),
        "cpu_requested_core_hours": ("core-hours", "CPU requested by the containers on the "
                                                   "nodes."),
        "cpu_used_core_hours": ("core-hours", "CPU used, capped at each node-hour's capacity."),
        "ram_capacity_gib_hours": ("GiB-hours", "Node memory capacity x hours present."),
        "ram_requested_gib_hours": ("GiB-hours", "Memory requested by the containers."),
        "ram_used_gib_hours": ("GiB-hours", "Working set, capped at each node-hour's "
                                            "capacity."),
        "node_cost": (MONEY, "Cost of the nodes for the day."),
        "idle_cost": (MONEY, "Node cost not charged to any container (team `__idle__`)."),
        "cpu_requested_pct": ("percent", "100 x requested / capacity CPU, in [0, 100]."),
        "cpu_used_pct": ("percent", "100 x used / capacity CPU, in [0, 100]."),
        "ram_requested_pct": ("percent", "100 x requested / capacity RAM, in [0, 100]."),
        "ram_used_pct": ("percent", "100 x used / capacity RAM, in [0, 100]."),
    },
    "mart_app_migration_status": {
        "status_date": ("UTC day", "The day (state of the day's last snapshot)."),
        "app_id": ("", "Canonical app id."),
        "team": ("", "Best-sourced team among the app's running workloads and jobs; its last "
                     "known team while it runs nowhere."),
        "status": ("", "`legacy`, `migrating`, `migrated`, `native` or `retired`."),
        "is_on_kubernetes": ("", "A pod of the app is Running on Kubernetes that day."),
        "is_on_helios": ("", "A job of the app runs on Helios (goal START, RUNNING, host UP)."),
        "kubernetes_cpu_cores": ("cores", "CPU requested by the app's running pods."),
        "helios_cpu_cores": ("cores", "The app's Helios CPU: cpuShares / 1024, or its even "
                                      "share of the host's CPUs."),
    },
    "mart_migration_daily": {
        "status_date": ("UTC day", "The day."),
        "team": ("", "Team, or `__all__` for the whole organisation."),
        "count_apps_in_scope": ("apps", "legacy + migrating + migrated."),
        "count_apps_legacy": ("apps", "Apps only on Helios."),
        "count_apps_migrating": ("apps", "Apps on both platforms."),
        "count_apps_migrated": ("apps", "Apps only on Kubernetes after having run on Helios."),
        "count_apps_native": ("apps", "Apps born on Kubernetes (not in scope)."),
        "count_apps_retired": ("apps", "Apps that ran on Helios and run nowhere now (not in "
                                       "scope)."),
        "migrated_pct": ("percent", "100 x migrated / in scope (0 where the scope is empty)."),
        "migrated_capacity_pct": ("percent", "Share of the scope's requested CPU that runs on "
                                             "Kubernetes."),
        "scope_kubernetes_cpu_cores": ("cores", "Numerator of migrated_capacity_pct."),
        "scope_cpu_cores": ("cores", "Denominator of migrated_capacity_pct (both platforms)."),
    },
    "mart_migration_forecast": {
        "as_of_date": ("UTC day", "The day the forecast is made on."),
        "team": ("", "Team, or `__all__`."),
        "forecast_status": ("", "`on_track`, `no_progress`, `complete`, `no_scope` or "
                                "`insufficient_data`."),
        "forecast_completion_date": ("UTC day", "Day migrated_pct reaches 100 on the trend "
                                                "(`on_track` only)."),
        "migrated_pct": ("percent", "migrated_pct on as_of_date."),
        "slope_pct_per_day": ("percent per day", "Theil-Sen slope over the 56 days ending "
                                                 "on as_of_date."),
        "fitted_pct": ("percent", "The fitted migrated_pct on as_of_date (Theil-Sen "
                                  "intercept)."),
        "count_days": ("days", "Days of data in the fit."),
        "count_apps_in_scope": ("apps", "Apps in scope on as_of_date."),
    },
    "mart_rightsizing": {
        "team": ("", "Owning team of the workload."),
        "cluster": ("", "Kubernetes cluster."),
        "namespace": ("", "Namespace."),
        "workload_kind": ("", "Deployment, StatefulSet, DaemonSet, CronJob, ..."),
        "workload": ("", "Workload name."),
        "count_containers": ("containers", "Containers per replica."),
        "cpu_request_cores": ("cores", "Current CPU request per replica (sum over "
                                       "containers)."),
        "recommended_cpu_request_cores": ("cores", "p95 of hourly CPU usage / target "
                                                   "utilisation, at least 10m per container."),
        "memory_request_bytes": ("bytes", "Current memory request per replica."),
        "recommended_memory_request_bytes": ("bytes", "p95 of peak working set / target "
                                                      "utilisation, at least 20 MiB per "
                                                      "container."),
        "monthly_cost": (MONEY + " per month", "Charged cost now, over 730 hours."),
        "monthly_recommended_cost": (MONEY + " per month", "Charged cost at the recommended "
                                                           "requests, over 730 hours."),
        "monthly_savings": (MONEY + " per month", "monthly_cost - monthly_recommended_cost "
                                                  "(negative: under-requested)."),
    },
    "mart_identity_gaps": {
        "gap_kind": ("", "`workload_without_component`, `helios_job_without_component`, "
                         "`component_without_owner` or `team_mismatch`."),
        "platform": ("", "`kubernetes`, `helios` or `catalog`: where the gap was found."),
        "source": ("", "Cluster, Helios source or catalog source."),
        "namespace": ("", "Kubernetes namespace or catalog entity namespace (NULL on Helios)."),
        "object_kind": ("", "Workload kind, `Job` (Helios) or `Component`."),
        "object_name": ("", "Workload name, Helios job id or component name."),
        "app_id": ("", "The app id the object resolved to."),
        "team": ("", "The team the object resolved to."),
        "detail": ("", "What to fix."),
        "collected_at": ("UTC timestamp", "The snapshot the gap was found in."),
    },
    "mart_deploys_weekly": {
        "week_start_date": ("UTC day (Monday)", "First day of the ISO week."),
        "iso_week": ("", "The ISO week as `YYYY-Www` (as `fleetscope report --week`)."),
        "app_id": ("", "Canonical app id of the deployed workload or Helios job."),
        "team": ("", "Team of the app's latest deploy of the week on that platform."),
        "platform": ("", "`kubernetes` or `helios`."),
        "count_deploys": ("deploys", "New Deployment revisions (all clusters) or new Helios "
                                     "job versions deployed."),
        "count_rollbacks": ("deploys", "Deploys whose images equal those of the deploy two "
                                       "before, at most 24 h after the one they undo."),
        "count_days_deployed": ("days", "Days of the week with at least one deploy."),
    },
    "mart_deploy_frequency": {
        "week_start_date": ("UTC day (Monday)", "The as-of ISO week: the window is the 13 "
                                                "weeks ending with it."),
        "team": ("", "Team, or `__all__` for the organisation."),
        "app_id": ("", "App, or `__all__` for the whole team."),
        "count_weeks_in_window": ("weeks", "Weeks of the window with data (at most 13)."),
        "count_deploys_in_window": ("deploys", "Deploys in the window, both platforms."),
        "count_weeks_deployed": ("weeks", "Weeks of the window with at least one deploy."),
        "median_days_deployed_per_week": ("days", "Median over the window's weeks of the "
                                                  "days with a deploy."),
        "median_week_deployed": ("0..1", "Median over the window's weeks of 1 if the week had "
                                         "a deploy, else 0."),
        "median_deployed_weeks_per_month": ("weeks", "Median over the window's weeks of the "
                                                     "weeks with a deploy in that week's "
                                                     "calendar month."),
        "deployment_frequency": ("", "Four Keys bucket: `daily` (median days >= 3), `weekly` "
                                     "(median week deployed), `monthly` (median month has a "
                                     "deployed week), else `yearly`."),
    },
    "int_deploy_events": {
        "platform": ("", "`kubernetes` or `helios`."),
        "source_name": ("", "Kubernetes cluster or Helios source."),
        "namespace": ("", "Namespace of the Deployment (NULL on Helios)."),
        "workload_name": ("", "Deployment name, or Helios job name."),
        "revision_key": ("", "Deployment revision number as text, or the Helios job id."),
        "revision_number": ("", "Deployment revision, or the job version's rank by deploy "
                                "time within its job name."),
        "deployed_at": ("UTC timestamp", "When the revision or version was rolled out."),
        "deploy_date": ("UTC day", "Day of deployed_at."),
        "app_id": ("", "Canonical app id."),
        "team": ("", "Owning team at deploy time."),
        "images_key": ("", "Kubernetes: the pod template's images as a JSON list; Helios: the "
                           "job image."),
        "is_rollback": ("", "Same images as the deploy two before, at most 24 h after the "
                            "deploy it undoes."),
    },
    "stg_k8s_pods": {
        "collected_at": ("UTC timestamp", "The snapshot."),
        "cluster": ("", "Kubernetes cluster."),
        "namespace": ("", "Namespace."),
        "pod_name": ("", "Pod name."),
        "pod_uid": ("", "Pod uid."),
        "node_name": ("", "Node the pod is scheduled on (NULL while pending)."),
        "phase": ("", "Pod phase: Pending, Running, Succeeded, Failed, Unknown."),
        "workload_kind": ("", "Top-level owner kind (Deployment, StatefulSet, DaemonSet, "
                              "CronJob, Job, ReplicaSet, Pod)."),
        "workload_name": ("", "Top-level owner name."),
        "app_id": ("", "Canonical app id of the workload."),
        "team": ("", "Owning team of the workload."),
        "team_source": ("", "Where the team came from: override, label, catalog, namespace, "
                            "unallocated."),
        "cpu_request_cores": ("cores", "CPU requested, summed over the pod's containers."),
        "memory_request_bytes": ("bytes", "Memory requested, summed over the containers."),
        "gpu_request": ("GPUs", "GPUs requested, summed over the containers."),
        "count_containers": ("containers", "Regular containers (and native sidecars)."),
        "created_at": ("UTC timestamp", "Pod creation time."),
    },
    "stg_k8s_nodes": {
        "collected_at": ("UTC timestamp", "The snapshot."),
        "cluster": ("", "Kubernetes cluster."),
        "node_name": ("", "Node name."),
        "instance_type": ("", "Instance type label (NULL if none)."),
        "provider_id": ("", "spec.providerID, the billing ResourceId."),
        "cpu_capacity_cores": ("cores", "CPU capacity (not allocatable)."),
        "memory_capacity_bytes": ("bytes", "Memory capacity."),
        "gpu_capacity": ("GPUs", "GPU capacity."),
        "cpu_allocatable_cores": ("cores", "CPU allocatable to pods."),
        "memory_allocatable_bytes": ("bytes", "Memory allocatable to pods."),
        "is_spot": ("", "Spot / preemptible capacity (from the provider's labels)."),
        "created_at": ("UTC timestamp", "Node creation time."),
    },
    "stg_helios_deployments": {
        "collected_at": ("UTC timestamp", "The snapshot."),
        "source": ("", "Helios installation (configured source name)."),
        "host": ("", "Helios host."),
        "job_id": ("", "Job id `name:version:hash`."),
        "job_name": ("", "The `name` of the job id."),
        "app_id": ("", "Canonical app id of the job."),
        "team": ("", "Owning team of the job."),
        "team_source": ("", "override, label (job metadata), catalog or unallocated."),
        "goal": ("", "START, STOP or UNDEPLOY."),
        "state": ("", "Task state: RUNNING, STOPPED, PULLING_IMAGE, ..."),
        "host_status": ("", "UP or DOWN."),
        "is_running": ("", "Goal START, state RUNNING and host UP."),
        "cpu_cores": ("cores", "cpuShares / 1024, or the host's CPUs shared among its started "
                               "jobs."),
        "memory_bytes": ("bytes", "Declared memory (NULL if none)."),
    },
}

EXAMPLES: dict[str, str] = {
    "mart_team_cost_daily": (
        "select team, sum(total_cost + idle_share_cost) as cost\n"
        "from mart_team_cost_daily\n"
        "where cost_date >= current_date - 7 and team <> '__idle__'\n"
        "group by team order by cost desc"),
    "mart_app_cost_daily": (
        "select app_id, platform, sum(total_cost) as cost\n"
        "from mart_app_cost_daily\n"
        "where team = 'payments' and cost_date >= current_date - 30\n"
        "group by app_id, platform order by cost desc"),
    "mart_namespace_cost_daily": (
        "select cluster, namespace, sum(total_cost) as cost,\n"
        "       sum(cpu_used_core_hours) / nullif(sum(cpu_requested_core_hours), 0)\n"
        "           as cpu_efficiency\n"
        "from mart_namespace_cost_daily\n"
        "where team = 'payments' and cost_date >= current_date - 7\n"
        "group by cluster, namespace order by cost desc"),
    "mart_cluster_utilization_daily": (
        "select cluster, avg(cpu_requested_pct) as cpu_requested_pct, sum(idle_cost) as idle\n"
        "from mart_cluster_utilization_daily\n"
        "where usage_date >= current_date - 7 group by cluster"),
    "mart_app_migration_status": (
        "select app_id, team from mart_app_migration_status\n"
        "where status = 'legacy'\n"
        "  and status_date = (select max(status_date) from mart_app_migration_status)"),
    "mart_migration_daily": (
        "select status_date, migrated_pct, migrated_capacity_pct\n"
        "from mart_migration_daily where team = '__all__' order by status_date"),
    "mart_migration_forecast": (
        "select team, forecast_status, forecast_completion_date\n"
        "from mart_migration_forecast\n"
        "where as_of_date = (select max(as_of_date) from mart_migration_forecast)"),
    "mart_rightsizing": (
        "select team, cluster, namespace, workload, monthly_savings\n"
        "from mart_rightsizing order by monthly_savings desc limit 20"),
    "mart_identity_gaps": (
        "select gap_kind, count(*) from mart_identity_gaps group by gap_kind"),
    "mart_deploys_weekly": (
        "select iso_week, team, sum(count_deploys) as deploys,\n"
        "       sum(count_rollbacks) as rollbacks\n"
        "from mart_deploys_weekly group by iso_week, team order by iso_week, team"),
    "mart_deploy_frequency": (
        "select team, deployment_frequency from mart_deploy_frequency\n"
        "where app_id = '__all__'\n"
        "  and week_start_date = (select max(week_start_date) from mart_deploy_frequency)"),
    "int_deploy_events": (
        "select team, count(*) as production_deploys\n"
        "from int_deploy_events\n"
        "where platform = 'helios' or source_name like 'prod-%'\n"
        "group by team"),
    "stg_k8s_pods": (
        "select team, count(*) as pods, sum(cpu_request_cores) as cpu_cores\n"
        "from stg_k8s_pods\n"
        "where collected_at = (select max(collected_at) from stg_k8s_pods)\n"
        "  and phase = 'Running'\n"
        "group by team"),
    "stg_k8s_nodes": (
        "select cluster, instance_type, count(*) as nodes, sum(cpu_capacity_cores) as cores\n"
        "from stg_k8s_nodes\n"
        "where collected_at = (select max(collected_at) from stg_k8s_nodes)\n"
        "group by cluster, instance_type"),
    "stg_helios_deployments": (
        "select host, count(*) as running_jobs from stg_helios_deployments\n"
        "where is_running\n"
        "  and collected_at = (select max(collected_at) from stg_helios_deployments)\n"
        "group by host order by running_jobs desc"),
}

# Besides the marts: the staging views DESIGN names, and the deploy events behind the deploy
# marts (analysts filter them by cluster, e.g. production only).
OTHER_RELATIONS = ("stg_k8s_pods", "stg_k8s_nodes", "stg_helios_deployments", "int_deploy_events")

_INTRO = """\
# Marts reference

The analysts' API: every mart, the staging views DESIGN.md names and the deploy events, with
their grain, columns (type, unit, meaning) and an example query. Dates are UTC calendar days;
money is DOUBLE in `pricing.currency` (USD by default); `__idle__`, `__unallocated__` and
`__all__` are reserved team names (docs/architecture.md). Open the warehouse read-only
(`fleetscope query SQL`, or `duckdb.connect(path, read_only=True)` in a notebook).

Generated by `pipelines/catalog_doc.py` from the models' `-- grain:` headers, the column types of
a built warehouse and the descriptions in that module; regenerate with
`.venv/bin/python -m fleetscope.pipelines.catalog_doc WAREHOUSE` after changing a mart. Deploys and
deployment frequency: see the last section.
"""

_DEPLOYS = """\
## Deploys and deployment frequency: definitions

- A deploy is a new revision of a Kubernetes Deployment (each cluster, namespace, Deployment and
  revision counts once) or a new Helios job id of a job name first seen deployed.
- Time of a Kubernetes deploy: the ReplicaSet's creation, except where Kubernetes reused an
  older ReplicaSet for the revision (a return to an earlier pod template keeps the old
  ReplicaSet and gives it the next revision number); then the first pod it started after the
  earlier revisions, else the first snapshot showing the revision. Helios: the job's first
  history event, else the first snapshot with it deployed (goal START).
- Rollback (change-failure proxy): a deploy whose images equal those of the deploy two before it
  (same workload, among the revisions observed), at most 24 h after the deploy it undoes.
  Redeploying an existing Helios job id is not a new version and is not counted.
- Every cluster counts: a release rolled out to a staging and two production clusters is three
  deploys. `int_deploy_events` (one row per deploy, with its cluster) is there to restrict an
  analysis to production clusters.
- Deploys before the first snapshot day of their cluster or Helios installation are left out
  (only the ReplicaSets kept by `revisionHistoryLimit` survive from before).
- Deployment frequency follows the Four Keys dashboard query (fourkeys), per ISO week over the
  13 ISO weeks ending that week (weeks before the data start left out): `daily` when the median
  number of days with a deploy per week is at least 3; `weekly` when the median week has a
  deploy; `monthly` when, for the median week, its calendar month has a week with a deploy;
  else `yearly`. Rows exist only where the window holds a deploy. Weeks without a deploy count
  from the data start, so an app first deployed recently reads a slower bucket until its
  deploys fill the window.
- Limits: a Deployment deleted and recreated under the same name restarts its revisions, and
  its new revisions that reuse a number already seen are not counted again; rollbacks on
  Helios (redeploying an earlier job id) are not seen; lead time is not built (no commit
  timestamps are collected).
"""


_HEADER_KEY = re.compile(r"^--\s*[a-z_]+\s*:")


def model_grain(sql: str) -> str:
    """The `-- grain:` header with its continuation lines (comment lines up to the next key)."""
    parts: list[str] = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        if parts and _HEADER_KEY.match(stripped):
            break
        if parts or stripped.lstrip("- ").startswith("grain:"):
            text = stripped.lstrip("-").strip()
            parts.append(text.removeprefix("grain:").strip())
    return " ".join(parts)


def documented_relations() -> list[str]:
    """Every mart (from the models folder), then the staging views DESIGN names and the
    deploy events."""
    marts = sorted(m.name for m in discover_models() if m.layer == "marts")
    return [*marts, *OTHER_RELATIONS]


def relation_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    """(column, type) of a relation in a built warehouse, in table order."""
    return [(str(c), str(t)) for c, t in con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_name = ? and table_schema = 'main' order by ordinal_position",
        [name]).fetchall()]


def missing_descriptions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per column without a description, described column that no longer exists,
    relation without an example, or documented relation missing from the warehouse."""
    problems: list[str] = []
    for name in documented_relations():
        columns = relation_columns(con, name)
        if not columns:
            problems.append(f"{name}: not in the warehouse")
            continue
        described = COLUMNS.get(name, {})
        names = [c for c, _ in columns]
        problems += [f"{name}.{c}: no description" for c in names if c not in described]
        problems += [f"{name}.{c}: described but not a column" for c in described
                     if c not in names]
        if name not in EXAMPLES:
            problems.append(f"{name}: no example query")
    return problems


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_marts_doc(con: duckdb.DuckDBPyConnection) -> str:
    """The Markdown of docs/marts.md for the relations of a built warehouse."""
    models = {m.name: m for m in discover_models()}
    out = [_INTRO]
    out.append("## Contents\n")
    out += [f"- [`{name}`](#{name})" for name in documented_relations()]
    out.append("")
    for name in documented_relations():
        model = models[name]
        described = COLUMNS.get(name, {})
        out.append(f"## {name}\n")
        grain = model_grain(model.path.read_text(encoding="utf-8")) or "(not stated)"
        out.append(f"Grain: {grain}. "
                   f"Materialized: {model.materialized}; model "
                   f"`pipelines/models/{model.layer}/{name}.sql`.\n")
        out.append("| column | type | unit | meaning |")
        out.append("|---|---|---|---|")
        for column, data_type in relation_columns(con, name):
            unit, meaning = described.get(column, ("", "(undocumented)"))
            out.append(f"| `{column}` | {data_type} | {_cell(unit)} | {_cell(meaning)} |")
        out.append("")
        if name in EXAMPLES:
            out.append(f"```sql\n{EXAMPLES[name]}\n```\n")
    out.append(_DEPLOYS)
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """`python -m fleetscope.pipelines.catalog_doc WAREHOUSE [OUT]`: (re)write docs/marts.md."""
    if not argv:
        print("usage: python -m fleetscope.pipelines.catalog_doc WAREHOUSE [OUT]", file=sys.stderr)
        return 2
    if not Path(argv[0]).is_file():
        print(f"Error: {argv[0]}: no such warehouse file", file=sys.stderr)
        return 2
    con = duckdb.connect(argv[0], read_only=True)
    try:
        problems = missing_descriptions(con)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        text = render_marts_doc(con)
    finally:
        con.close()
    out = Path(argv[1]) if len(argv) > 1 else DOC_PATH
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
