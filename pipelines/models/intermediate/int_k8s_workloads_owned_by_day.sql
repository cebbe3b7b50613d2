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
