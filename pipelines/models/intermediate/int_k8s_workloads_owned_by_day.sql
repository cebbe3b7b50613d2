-- grain: one row per cluster, namespace, workload (kind and name) and Kubernetes snapshot
-- (collected_at), stored under the snapshot's day (snapshot_date)
-- materialized: incremental
-- date_column: snapshot_date
-- int_k8s_workloads_owned (the ownership view) stored one day of snapshots at a time: models
-- that need the owner in an old snapshot (int_deploy_events: the snapshot that first showed a
-- revision) read this table instead of evaluating the view over every snapshot of the history.
-- A snapshot's owners change with its own load and with the catalog snapshot in force, whose
-- loads change the same days.
with

days as (
    select day from _fleetscope_dates
),

owners as (
    -- constants, so that DuckDB reads only these days' snapshots through the view
    select * from int_k8s_workloads_owned
    where collected_at >= cast($first_day as timestamp)
        and collected_at < cast($last_day as timestamp) + interval '1' day
),

final as (
    select
        cast(collected_at as date) as snapshot_date,
        collected_at, cluster, namespace, workload_kind, workload_name,
        app_id, team, team_source, app_source, is_catalog_component
    from owners
    where cast(collected_at as date) in (select day from days)
)

select * from final
