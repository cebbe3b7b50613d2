-- grain: one row per Helios job per snapshot (source, collected_at, job_id)
-- materialized: view
-- `job_id` is name:version:hash; `job_name` and `job_version` are its first two parts. App and
-- team are resolved in int_helios_jobs_owned.
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
