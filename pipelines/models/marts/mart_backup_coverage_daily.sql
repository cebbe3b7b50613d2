with

snapshots as (
    select * from stg_k8s_snapshots
),

installs as (
    select * from stg_velero_installs
),

namespaces as (
    select * from stg_k8s_namespaces
),

schedules as (
    select * from stg_velero_schedules
    where not paused
),

days as (
    select cluster, cast(collected_at as date) as day, max(collected_at) as snapshot_at
    from snapshots
    group by cluster, cast(collected_at as date)
),

day_status as (
    select
        d.*,
        case when i.velero_installed then 'installed' else 'not_installed' end as velero_status
    from days as d
    inner join installs as i on i.cluster = d.cluster and i.collected_at = d.snapshot_at
    where i.velero_installed is not null
),

includes as (
    select
        cluster, collected_at, schedule_name,
        unnest(
            case
                when json_array_length(included_namespaces) = 0 then ['*']
                else cast(included_namespaces as varchar[])
            end
        ) as pattern
    from schedules
),

excludes as (
    select
        cluster, collected_at, schedule_name,
        unnest(cast(excluded_namespaces as varchar[])) as pattern
    from schedules
),

covered as (
    select distinct n.cluster, n.collected_at, n.namespace
    from namespaces as n
    inner join includes as i
        on i.cluster = n.cluster and i.collected_at = n.collected_at
        and n.namespace like replace(i.pattern, '*', '%')
    where not exists (
        select 1 from excludes as e
        where e.cluster = i.cluster and e.collected_at = i.collected_at
            and e.schedule_name = i.schedule_name
            and n.namespace like replace(e.pattern, '*', '%')
    )
),

final as (
    select
        d.day,
        d.cluster,
        n.namespace,
        d.velero_status,
        d.snapshot_at
    from day_status as d
    inner join namespaces as n on n.cluster = d.cluster and n.collected_at = d.snapshot_at
    where not exists (
        select 1 from covered as c
        where c.cluster = n.cluster and c.collected_at = n.collected_at
            and c.namespace = n.namespace
    )
)

select * from final
