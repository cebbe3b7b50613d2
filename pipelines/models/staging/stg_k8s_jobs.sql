with

jobs as (
    select * from raw_k8s_jobs
),

final as (
    select
        collected_at,
        cluster,
        namespace,
        job_name,
        uid,
        cronjob_name,
        started_at,
        completed_at,
        succeeded,
        failed,
        outcome,
        finished_at
    from jobs
)

select * from final
