with

node_hours as (
    select * from int_node_hours where usage_date in (select day from _fleetscope_dates)
),

container_hours as (
    select * from int_container_hours where usage_date in (select day from _fleetscope_dates)
),

charged as (
    select
        cluster,
        node_name,
        hour_start,
        sum(cpu_cost_unscaled) as cpu_charged_cost,
        sum(ram_cost_unscaled) as ram_charged_cost,
        sum(gpu_cost_unscaled) as gpu_charged_cost,
        sum(cpu_request_cost_unscaled) as cpu_request_cost,
        sum(ram_request_cost_unscaled) as ram_request_cost,
        sum(cpu_charged_core_hours) as cpu_charged_core_hours,
        sum(ram_charged_gib_hours) as ram_charged_gib_hours,
        sum(cpu_requested_core_hours) as cpu_requested_core_hours,
        sum(ram_requested_gib_hours) as ram_requested_gib_hours,
        sum(cpu_used_core_hours) as cpu_used_core_hours,
        sum(ram_used_gib_hours) as ram_used_gib_hours
    from container_hours
    group by cluster, node_name, hour_start
),

joined as (
    select
        n.usage_date,
        n.hour_start,
        n.cluster,
        n.node_name,
        n.cpu_capacity_core_hours,
        n.ram_capacity_gib_hours,
        n.gpu_capacity_hours,
        n.cpu_cost,
        n.ram_cost,
        n.gpu_cost,
        n.total_cost,
        coalesce(c.cpu_charged_cost, 0) as cpu_charged_cost,
        coalesce(c.ram_charged_cost, 0) as ram_charged_cost,
        coalesce(c.gpu_charged_cost, 0) as gpu_charged_cost,
        coalesce(c.cpu_request_cost, 0) as cpu_request_cost,
        coalesce(c.ram_request_cost, 0) as ram_request_cost,
        -- GPUs are charged their request only: no burst
        coalesce(c.gpu_charged_cost, 0) as gpu_request_cost,
        coalesce(c.cpu_charged_core_hours, 0) as cpu_charged_core_hours,
        coalesce(c.ram_charged_gib_hours, 0) as ram_charged_gib_hours,
        coalesce(c.cpu_requested_core_hours, 0) as cpu_requested_core_hours,
        coalesce(c.ram_requested_gib_hours, 0) as ram_requested_gib_hours,
        coalesce(c.cpu_used_core_hours, 0) as cpu_used_core_hours,
        coalesce(c.ram_used_gib_hours, 0) as ram_used_gib_hours
    from node_hours as n
    left join charged as c using (cluster, node_name, hour_start)
),

scaled as (
    -- oversubscription: requests are charged whole (the scheduler reserved them); where usage
    -- above requests (the burst) does not fit in what is left of the node-hour's cost, only the
    -- burst is scaled down, per resource, so charged + idle = node cost and idle stays >= 0.
    -- OpenCost instead charges the burst whole and lets idle go negative. Requests alone above
    -- the node's cost (impossible for scheduled pods; a data gap) are scaled as a last resort.
    select
        *,
        case when cpu_request_cost > cpu_cost then cpu_cost / cpu_request_cost else 1.0 end
            as cpu_request_scale,
        case when cpu_charged_cost > cpu_cost and cpu_charged_cost > cpu_request_cost
            then greatest(cpu_cost - cpu_request_cost, 0) / (cpu_charged_cost - cpu_request_cost)
            else 1.0 end as cpu_burst_scale,
        case when ram_request_cost > ram_cost then ram_cost / ram_request_cost else 1.0 end
            as ram_request_scale,
        case when ram_charged_cost > ram_cost and ram_charged_cost > ram_request_cost
            then greatest(ram_cost - ram_request_cost, 0) / (ram_charged_cost - ram_request_cost)
            else 1.0 end as ram_burst_scale,
        case when gpu_request_cost > gpu_cost then gpu_cost / gpu_request_cost else 1.0 end
            as gpu_request_scale
    from joined
),

allocated as (
    select
        *,
        cpu_request_cost * cpu_request_scale
            + (cpu_charged_cost - cpu_request_cost) * cpu_burst_scale as cpu_allocated_cost,
        ram_request_cost * ram_request_scale
            + (ram_charged_cost - ram_request_cost) * ram_burst_scale as ram_allocated_cost,
        gpu_request_cost * gpu_request_scale as gpu_allocated_cost
    from scaled
),

final as (
    select
        *,
        greatest(cpu_cost - cpu_allocated_cost, 0) as cpu_idle_cost,
        greatest(ram_cost - ram_allocated_cost, 0) as ram_idle_cost,
        greatest(gpu_cost - gpu_allocated_cost, 0) as gpu_idle_cost,
        greatest(cpu_capacity_core_hours - cpu_charged_core_hours, 0) as cpu_idle_core_hours,
        greatest(ram_capacity_gib_hours - ram_charged_gib_hours, 0) as ram_idle_gib_hours,
        least(cpu_used_core_hours, cpu_capacity_core_hours) as cpu_used_capped_core_hours,
        least(ram_used_gib_hours, ram_capacity_gib_hours) as ram_used_capped_gib_hours
    from allocated
)

select * from final
