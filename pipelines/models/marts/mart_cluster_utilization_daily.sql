with

node_allocations as (
    select * from int_node_hours_allocated where usage_date in (select day from _fleetscope_dates)
),

workload_costs as (
    select * from int_workload_costs_daily where cost_date in (select day from _fleetscope_dates)
),

pending as (
    -- requests of pods not yet running: charged to nobody, kept for capacity and scheduling
    select
        cost_date as usage_date,
        cluster,
        sum(pending_cpu_core_hours) as pending_cpu_core_hours,
        sum(pending_ram_gib_hours) as pending_ram_gib_hours
    from workload_costs
    group by cost_date, cluster
),

totals as (
    select
        usage_date,
        cluster,
        count(distinct node_name) as count_nodes,
        sum(cpu_capacity_core_hours) as cpu_capacity_core_hours,
        sum(cpu_requested_core_hours) as cpu_requested_core_hours,
        sum(cpu_used_capped_core_hours) as cpu_used_core_hours,
        sum(ram_capacity_gib_hours) as ram_capacity_gib_hours,
        sum(ram_requested_gib_hours) as ram_requested_gib_hours,
        sum(ram_used_capped_gib_hours) as ram_used_gib_hours,
        sum(total_cost) as node_cost,
        sum(cpu_idle_cost + ram_idle_cost + gpu_idle_cost) as idle_cost
    from node_allocations
    group by usage_date, cluster
),

final as (
    select
        t.*,
        coalesce(p.pending_cpu_core_hours, 0.0) as pending_cpu_core_hours,
        coalesce(p.pending_ram_gib_hours, 0.0) as pending_ram_gib_hours,
        case when cpu_capacity_core_hours > 0
            then 100.0 * least(cpu_requested_core_hours, cpu_capacity_core_hours)
                / cpu_capacity_core_hours
            else 0.0 end as cpu_requested_pct,
        case when cpu_capacity_core_hours > 0
            then 100.0 * cpu_used_core_hours / cpu_capacity_core_hours
            else 0.0 end as cpu_used_pct,
        case when ram_capacity_gib_hours > 0
            then 100.0 * least(ram_requested_gib_hours, ram_capacity_gib_hours)
                / ram_capacity_gib_hours
            else 0.0 end as ram_requested_pct,
        case when ram_capacity_gib_hours > 0
            then 100.0 * ram_used_gib_hours / ram_capacity_gib_hours
            else 0.0 end as ram_used_pct
    from totals as t
    left join pending as p using (usage_date, cluster)
)

select * from final
