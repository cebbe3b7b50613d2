with

hosts as (
    select * from raw_helios_hosts
),

final as (
    select
        collected_at,
        source,
        host,
        upper(status) as host_status,
        upper(status) = 'UP' as is_up,
        cpus as cpu_cores,
        memory_total_bytes as memory_bytes
    from hosts
)

select * from final
