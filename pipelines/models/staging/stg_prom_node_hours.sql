with

node_hours as (
    select * from raw_prom_node_hours
),

final as (
    select
        load_id, collected_at,
        cluster, hour_start, cast(hour_start as date) as usage_date, node_name,
        cpu_capacity_cores,
        memory_capacity_bytes,
        gpu_capacity,
        present_hours,
        -- node facts from kube_node_labels; NULL: not seen there (int_node_hours falls back)
        instance_type,
        is_spot,
        zone
    from node_hours
)

select * from final
