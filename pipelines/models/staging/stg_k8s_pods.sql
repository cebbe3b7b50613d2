with

pods as (
    select * from raw_k8s_pods
),

containers as (
    select * from stg_k8s_containers
),

owners as (
    select * from int_k8s_workloads_owned
),

pod_requests as (
    select
        collected_at,
        cluster,
        namespace,
        pod_name,
        sum(cpu_request_cores) as cpu_request_cores,
        sum(memory_request_bytes) as memory_request_bytes,
        sum(gpu_request) as gpu_request,
        count(*) as count_containers
    from containers
    group by collected_at, cluster, namespace, pod_name
),

final as (
    -- every pod's workload is one int_k8s_workloads_owned resolves (its pods make it a
    -- workload), so app_id, team and team_source are always found
    select
        p.collected_at, p.cluster, p.namespace, p.pod_name, p.pod_uid, p.node_name, p.phase,
        p.workload_kind, p.workload_name,
        o.app_id, o.team, o.team_source,
        -- a pod-level request (spec.resources, Kubernetes 1.32+) is the pod's request for
        -- that resource, as the scheduler sees it (KEP-2837); else its containers' sum
        coalesce(p.pod_cpu_request_cores, r.cpu_request_cores, 0) as cpu_request_cores,
        coalesce(p.pod_memory_request_bytes, r.memory_request_bytes, 0) as memory_request_bytes,
        coalesce(r.gpu_request, 0) as gpu_request,
        coalesce(r.count_containers, 0) as count_containers,
        (p.pod_cpu_request_cores is not null or p.pod_memory_request_bytes is not null)
            as is_pod_level_request,
        coalesce(r.cpu_request_cores, 0) as container_cpu_request_cores,
        coalesce(r.memory_request_bytes, 0) as container_memory_request_bytes,
        p.created_at
    from pods as p
    left join owners as o using (collected_at, cluster, namespace, workload_kind, workload_name)
    left join pod_requests as r using (collected_at, cluster, namespace, pod_name)
)

select * from final
