with

backups as (
    select * from raw_velero_backups
),

final as (
    select
        collected_at,
        cluster,
        namespace,
        backup_name,
        schedule_name,
        phase,
        started_at,
        completed_at,
        expires_at,
        included_namespaces,
        excluded_namespaces,
        errors,
        warnings,
        created_at
    from backups
)

select * from final
