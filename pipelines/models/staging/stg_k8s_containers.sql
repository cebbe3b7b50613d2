with

containers as (
    select * from raw_k8s_containers
),

final as (
    select
        collected_at,
        cluster,
        namespace,
        pod_name,
        container_name,
        image,
        cpu_request_cores,
        memory_request_bytes,
        gpu_request,
        cpu_limit_cores,
        memory_limit_bytes
    from containers
)

select * from final
