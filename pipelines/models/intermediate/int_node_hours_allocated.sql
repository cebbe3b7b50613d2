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
    select
        *,
        case when cpu_charged_cost > cpu_cost then cpu_cost / cpu_charged_cost else 1.0 end
            as cpu_scale,
        case when ram_charged_cost > ram_cost then ram_cost / ram_charged_cost else 1.0 end
            as ram_scale,
        case when gpu_charged_cost > gpu_cost then gpu_cost / gpu_charged_cost else 1.0 end
            as gpu_scale
    from joined
),

final as (
    select
        *,
        cpu_charged_cost * cpu_scale as cpu_allocated_cost,
        ram_charged_cost * ram_scale as ram_allocated_cost,
        gpu_charged_cost * gpu_scale as gpu_allocated_cost,
        greatest(cpu_cost - cpu_charged_cost * cpu_scale, 0) as cpu_idle_cost,
        greatest(ram_cost - ram_charged_cost * ram_scale, 0) as ram_idle_cost,
        greatest(gpu_cost - gpu_charged_cost * gpu_scale, 0) as gpu_idle_cost,
        greatest(cpu_capacity_core_hours - cpu_charged_core_hours, 0) as cpu_idle_core_hours,
        greatest(ram_capacity_gib_hours - ram_charged_gib_hours, 0) as ram_idle_gib_hours,
        least(cpu_used_core_hours, cpu_capacity_core_hours) as cpu_used_capped_core_hours,
        least(ram_used_gib_hours, ram_capacity_gib_hours) as ram_used_capped_gib_hours
    from scaled
)

select * from final
