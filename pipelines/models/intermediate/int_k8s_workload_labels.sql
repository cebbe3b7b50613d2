with

pods as (
    -- the raw table: stg_k8s_pods carries the owners resolved from these labels
    select collected_at, cluster, namespace, workload_kind, workload_name, pod_name, labels
    from raw_k8s_pods
),

workloads as (
    select collected_at, cluster, namespace, workload_kind, workload_name, labels
    from stg_k8s_workloads
    -- pods of a CronJob's Job resolve to the CronJob: the Job is not a workload of its own
    where not (workload_kind = 'Job' and coalesce(owner_kind, '') = 'CronJob')
),

final as (
    select collected_at, cluster, namespace, workload_kind, workload_name, labels,
        0 as source_rank, workload_name as object_name
    from workloads
    union all
    select collected_at, cluster, namespace, workload_kind, workload_name, labels,
        1 as source_rank, pod_name as object_name
    from pods
)

select * from final
