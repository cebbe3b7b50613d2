with

jobs as (
    select * from stg_k8s_jobs
),

workloads as (
    select collected_at, cluster, namespace, workload_kind, workload_name, labels
    from stg_k8s_workloads
    where workload_kind in ('Job', 'CronJob')
),

label_key as (
    select label_key from ref_label_keys where key_kind = 'smoke_test'
),

latest as (
    select
        *,
        row_number() over (
            partition by cluster, namespace, job_name, coalesce(uid, '')
            order by collected_at desc
        ) as recency
    from jobs
),

labelled as (
    select
        j.*,
        coalesce(
            json_extract_string(job.labels, '$."' || k.label_key || '"'),
            json_extract_string(cron.labels, '$."' || k.label_key || '"')
        ) as label_value
    from latest as j
    cross join label_key as k
    left join workloads as job
        on job.collected_at = j.collected_at and job.cluster = j.cluster
        and job.namespace = j.namespace and job.workload_kind = 'Job'
        and job.workload_name = j.job_name
    left join workloads as cron
        on cron.collected_at = j.collected_at and cron.cluster = j.cluster
        and cron.namespace = j.namespace and cron.workload_kind = 'CronJob'
        and cron.workload_name = j.cronjob_name
    where j.recency = 1
),

final as (
    select
        cluster,
        namespace,
        case
            when label_value in ('', 'true') then coalesce(cronjob_name, job_name)
            else label_value
        end as smoke_test,
        job_name,
        cronjob_name,
        started_at,
        cast(started_at as date) as run_date,
        outcome,
        completed_at,
        case
            when outcome = 'Complete'
                then date_diff('millisecond', started_at, completed_at) / 1000.0
        end as duration_seconds,
        collected_at as last_seen_at
    from labelled
    where label_value is not null and label_value <> 'false' and started_at is not null
)

select * from final
