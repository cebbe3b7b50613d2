with

factors as (
    -- nodes and volumes with a bill line that day: their costs are reconciled by this factor
    select cost_date, cluster, resource_kind, resource_name, reconcile_factor
    from int_billing_resource_costs_daily
    where is_matched and cost_date between $first_day and $last_day
        and cost_date in (select day from _fleetscope_dates)
),

idle as (
    -- the unused part of the nodes, per cluster and day
    select
        a.usage_date as cost_date,
        a.cluster,
        sum(a.cpu_idle_cost) as cpu_cost,
        sum(a.ram_idle_cost) as ram_cost,
        sum(a.gpu_idle_cost) as gpu_cost,
        sum(a.cpu_idle_cost + a.ram_idle_cost + a.gpu_idle_cost) as total_cost,
        sum((a.cpu_idle_cost + a.ram_idle_cost + a.gpu_idle_cost)
            * coalesce(f.reconcile_factor, 1.0)) as reconciled_cost,
        sum(a.cpu_idle_core_hours) as cpu_core_hours,
        sum(a.ram_idle_gib_hours) as ram_gib_hours
    from int_node_hours_allocated as a
    left join factors as f
        on f.resource_kind = 'node' and f.cost_date = a.usage_date and f.cluster = a.cluster
        and f.resource_name = a.node_name
    group by a.usage_date, a.cluster
),

volume_lines as (
    select
        s.cost_date, s.cluster, s.namespace, s.team, s.pv_name,
        sum(s.storage_cost) as storage_cost,
        sum(s.storage_cost * coalesce(f.reconcile_factor, 1.0)) as reconciled_cost
    from int_storage_costs_daily as s
    left join factors as f
        on f.resource_kind = 'volume' and f.cost_date = s.cost_date and f.cluster = s.cluster
        and f.resource_name = s.pv_name
    group by s.cost_date, s.cluster, s.namespace, s.team, s.pv_name
),

cost_lines as (
    select
        cost_date, 'kubernetes' as platform, cluster, namespace, team, app_id,
        workload_kind || '/' || workload_name as item,
        cpu_cost, ram_cost, gpu_cost, 0.0 as storage_cost, total_cost, reconciled_cost,
        cpu_core_hours, ram_gib_hours, cpu_requested_core_hours, cpu_used_core_hours,
        ram_requested_gib_hours, ram_used_gib_hours
    from int_workload_costs_daily
    union all
    select
        -- app_id stays null: mart_app_cost_daily.total_cost has no volumes (the split's app is
        -- in int_storage_costs_daily), so a volume's apps of one team make one line
        cost_date, 'kubernetes', cluster, coalesce(namespace, '__unbound__'), team, null, pv_name,
        0.0, 0.0, 0.0, storage_cost, storage_cost, reconciled_cost,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    from volume_lines
    union all
    select
        cost_date, 'kubernetes', cluster, '__idle__', '__idle__', null, '__idle__',
        cpu_cost, ram_cost, gpu_cost, 0.0, total_cost, reconciled_cost, cpu_core_hours,
        ram_gib_hours, 0.0, 0.0, 0.0, 0.0
    from idle
    union all
    select
        cost_date, 'helios', source, null, team, app_id, app_id,
        -- no bill reconciles Helios hosts: their cost stays as modelled
        cpu_cost, ram_cost, 0.0, 0.0, total_cost, total_cost, cpu_core_hours, ram_gib_hours,
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
