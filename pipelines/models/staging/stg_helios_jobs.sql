with

jobs as (
    select * from raw_helios_jobs
),

final as (
    select
        collected_at,
        source,
        job_id,
        job_name,
        job_version,
        image,
        cpu_shares,
        memory_bytes,
        metadata,
        created_at
    from jobs
)

select * from final
