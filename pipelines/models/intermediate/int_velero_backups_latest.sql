with

backups as (
    select * from stg_velero_backups
),

ranked as (
    select
        *,
        row_number() over (
            partition by cluster, namespace, backup_name order by collected_at desc
        ) as recency
    from backups
),

final as (
    select
        cluster,
        namespace,
        backup_name,
        coalesce(schedule_name, '__manual__') as schedule_name,
        phase,
        started_at,
        completed_at,
        cast(coalesce(started_at, created_at) as date) as backup_date,
        errors,
        warnings,
        collected_at as last_seen_at
    from ranked
    where recency = 1
)

select * from final
