with

days as (
    select day from _fleetscope_dates
),

workload_costs as (
    select w.*
    from int_workload_costs_daily as w
    inner join days as d on d.day = w.cost_date
),

storage_costs as (
    select s.*
    from int_storage_costs_daily as s
    inner join days as d on d.day = s.cost_date
),

node_allocations as (
    select a.*
    from int_node_hours_allocated as a
    inner join days as d on d.day = a.usage_date
),

charged_rows as (
    select
        cost_date, team, cluster, namespace, cpu_cost, ram_cost, gpu_cost,
        0.0 as storage_cost, cpu_core_hours, ram_gib_hours,
        cpu_requested_core_hours, cpu_used_core_hours, ram_requested_gib_hours,
        ram_used_gib_hours
    from workload_costs
    union all
    select
        cost_date, team, cluster, coalesce(namespace, '__unbound__'), 0.0, 0.0, 0.0,
        storage_cost, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    from storage_costs
),

charged_namespaces as (
    select
        cost_date, team, cluster, namespace,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(gpu_cost) as gpu_cost,
        sum(storage_cost) as storage_cost,
        sum(cpu_cost + ram_cost + gpu_cost + storage_cost) as total_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours,
        sum(cpu_requested_core_hours) as cpu_requested_core_hours,
        sum(cpu_used_core_hours) as cpu_used_core_hours,
        sum(ram_requested_gib_hours) as ram_requested_gib_hours,
        sum(ram_used_gib_hours) as ram_used_gib_hours
    from charged_rows
    group by cost_date, team, cluster, namespace
),

idle as (
    -- the same sums as mart_team_cost_daily's `__idle__` team
    select
        usage_date as cost_date,
        '__idle__' as team,
        cluster,
        '__idle__' as namespace,
        sum(cpu_idle_cost) as cpu_cost,
        sum(ram_idle_cost) as ram_cost,
        sum(gpu_idle_cost) as gpu_cost,
        0.0 as storage_cost,
        sum(cpu_idle_cost + ram_idle_cost + gpu_idle_cost) as total_cost,
        sum(cpu_idle_core_hours) as cpu_core_hours,
        sum(ram_idle_gib_hours) as ram_gib_hours,
        0.0 as cpu_requested_core_hours,
        0.0 as cpu_used_core_hours,
        0.0 as ram_requested_gib_hours,
        0.0 as ram_used_gib_hours
    from node_allocations
    group by usage_date, cluster
),

final as (
    select * from charged_namespaces
    union all
    select * from idle
)

select * from final
