with

schedules as (
    select * from raw_velero_schedules
),

final as (
    select
        collected_at,
        cluster,
        namespace,
        schedule_name,
        schedule,
        included_namespaces,
        excluded_namespaces,
        paused,
        last_backup_at,
        created_at
    from schedules
)

select * from final
