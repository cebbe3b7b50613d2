with

idle as (
    -- the unused part of the nodes, per cluster and day
    select
        usage_date as cost_date,
        cluster,
        sum(cpu_idle_cost) as cpu_cost,
        sum(ram_idle_cost) as ram_cost,
        sum(gpu_idle_cost) as gpu_cost,
        sum(cpu_idle_cost + ram_idle_cost + gpu_idle_cost) as total_cost,
        sum(cpu_idle_core_hours) as cpu_core_hours,
        sum(ram_idle_gib_hours) as ram_gib_hours
    from int_node_hours_allocated
    group by usage_date, cluster
),

cost_lines as (
    select
        cost_date, 'kubernetes' as platform, cluster, namespace, team, app_id,
        workload_kind || '/' || workload_name as item,
        cpu_cost, ram_cost, gpu_cost, 0.0 as storage_cost, total_cost,
        cpu_core_hours, ram_gib_hours, cpu_requested_core_hours, cpu_used_core_hours,
        ram_requested_gib_hours, ram_used_gib_hours
    from int_workload_costs_daily
    union all
    select
        -- app_id stays null: mart_app_cost_daily.total_cost has no volumes (the split's app is
        -- in int_storage_costs_daily), so a volume's apps of one team make one line
        cost_date, 'kubernetes', cluster, coalesce(namespace, '__unbound__'), team, null, pv_name,
        0.0, 0.0, 0.0, sum(storage_cost), sum(storage_cost), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    from int_storage_costs_daily
    group by cost_date, cluster, namespace, team, pv_name
    union all
    select
        cost_date, 'kubernetes', cluster, '__idle__', '__idle__', null, '__idle__',
        cpu_cost, ram_cost, gpu_cost, 0.0, total_cost, cpu_core_hours, ram_gib_hours,
        0.0, 0.0, 0.0, 0.0
    from idle
    union all
    select
        cost_date, 'helios', source, null, team, app_id, app_id,
        cpu_cost, ram_cost, 0.0, 0.0, total_cost, cpu_core_hours, ram_gib_hours,
        0.0, 0.0, 0.0, 0.0
    from int_helios_app_cost_daily
),

final as (
    -- the days computed: $first_day and $last_day are constants that DuckDB pushes into the
    -- scan of every input, the join drops the days between them that are not computed
    select * from cost_lines
    where cost_date between $first_day and $last_day
        and cost_date in (select day from _fleetscope_dates)
)

select * from final
