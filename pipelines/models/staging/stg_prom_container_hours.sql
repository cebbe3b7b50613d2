with

container_hours as (
    select * from raw_prom_container_hours
),

final as (
    select
        load_id, collected_at,
        cluster, hour_start, cast(hour_start as date) as usage_date,
        namespace, pod_name, container_name, node_name,
        cpu_usage_cores,
        memory_working_set_bytes_avg,
        memory_working_set_bytes_max,
        cpu_request_cores,
        memory_request_bytes,
        gpu_request,
        running_hours,
        -- NULL on rows loaded before init containers were collected: none was one
        coalesce(is_init, false) as is_init
    from container_hours
)

select * from final
