-- grain: one row per Kubernetes workload snapshot (collected_at, cluster, namespace,
-- workload_kind, workload_name) and object labelling it: the workload itself, then its pods
-- materialized: view
-- Workloads are those pods resolve to plus every controller, except a Job run by a CronJob
-- (counted as its CronJob). `source_rank` 0 is the workload object's own labels, 1 its pods':
-- a label on the workload wins over the same key on its pods. Every workload snapshot has a
-- row here, so this is also the set of workloads the ownership rules resolve.
with

pods as (
    -- the raw table: stg_k8s_pods carries the owners resolved from these labels
    select collected_at, cluster, namespace, workload_kind, workload_name, labels
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
        0 as source_rank
    from workloads
    union all
    select collected_at, cluster, namespace, workload_kind, workload_name, labels,
        1 as source_rank
    from pods
)

select * from final
