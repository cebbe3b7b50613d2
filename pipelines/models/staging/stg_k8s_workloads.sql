-- grain: one row per cluster, namespace, workload (kind and name) and snapshot (collected_at)
-- materialized: view
-- Deployments, StatefulSets, DaemonSets, Jobs and CronJobs as listed (ReplicaSets are in
-- stg_k8s_replicasets); `owner_kind`/`owner_name` name the controller that owns one, if any.
with

workloads as (
    select * from raw_k8s_workloads
),

final as (
    select
        collected_at,
        cluster,
        namespace,
        workload_kind,
        workload_name,
        owner_kind,
        owner_name,
        labels
    from workloads
)

select * from final
