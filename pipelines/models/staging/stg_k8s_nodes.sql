with

nodes as (
    select * from raw_k8s_nodes
),

final as (
    select
        collected_at,
        cluster,
        node_name,
        instance_type,
        provider_id,
        cpu_capacity_cores,
        memory_capacity_bytes,
        coalesce(gpu_capacity, 0) as gpu_capacity,
        cpu_allocatable_cores,
        memory_allocatable_bytes,
        is_spot,
        created_at,
        labels
    from nodes
)

select * from final
