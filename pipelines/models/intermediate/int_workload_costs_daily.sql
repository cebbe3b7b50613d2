with

allocations as (
    select * from int_node_hours_allocated where usage_date in (select day from _fleetscope_dates)
),

node_factors as (
    -- nodes with a bill line that day (int_billing_resource_costs_daily): their costs reconciled
    select cost_date as usage_date, cluster, resource_name as node_name, reconcile_factor
    from int_billing_resource_costs_daily
    where resource_kind = 'node' and is_matched
        and cost_date in (select day from _fleetscope_dates)
),

scaled as (
    select
        c.usage_date,
        c.cluster,
        c.namespace,
        c.workload_kind,
        c.workload_name,
        c.app_id,
        c.team,
        c.is_node_known,
        -- requests and burst scaled apart (int_node_hours_allocated: oversubscription)
        c.cpu_request_cost_unscaled * coalesce(a.cpu_request_scale, 1.0)
            + (c.cpu_cost_unscaled - c.cpu_request_cost_unscaled)
            * coalesce(a.cpu_burst_scale, 1.0) as cpu_cost,
        c.ram_request_cost_unscaled * coalesce(a.ram_request_scale, 1.0)
            + (c.ram_cost_unscaled - c.ram_request_cost_unscaled)
            * coalesce(a.ram_burst_scale, 1.0) as ram_cost,
        c.gpu_cost_unscaled * coalesce(a.gpu_request_scale, 1.0) as gpu_cost,
        c.cpu_charged_core_hours,
        c.ram_charged_gib_hours,
        c.cpu_requested_core_hours,
        c.ram_requested_gib_hours,
        c.cpu_used_core_hours,
        c.ram_used_gib_hours,
        c.cpu_cost_unscaled,
        c.ram_cost_unscaled,
        c.pending_cpu_core_hours,
        c.pending_ram_gib_hours,
        coalesce(f.reconcile_factor, 1.0) as reconcile_factor
    from int_container_hours as c
    left join allocations as a using (cluster, node_name, hour_start)
    left join node_factors as f
        on f.usage_date = c.usage_date and f.cluster = c.cluster and f.node_name = c.node_name
    where c.usage_date in (select day from _fleetscope_dates)
),

final as (
    select
        usage_date as cost_date,
        cluster,
        namespace,
        workload_kind,
        workload_name,
        app_id,
        team,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(gpu_cost) as gpu_cost,
        sum(cpu_cost + ram_cost + gpu_cost) as total_cost,
        sum((cpu_cost + ram_cost + gpu_cost) * reconcile_factor) as reconciled_cost,
        sum(case when is_node_known then 0 else cpu_cost + ram_cost + gpu_cost end)
            as off_node_cost,
        sum(cpu_charged_core_hours) as cpu_core_hours,
        sum(ram_charged_gib_hours) as ram_gib_hours,
        sum(cpu_requested_core_hours) as cpu_requested_core_hours,
        sum(ram_requested_gib_hours) as ram_requested_gib_hours,
        sum(cpu_used_core_hours) as cpu_used_core_hours,
        sum(ram_used_gib_hours) as ram_used_gib_hours,
        sum(cpu_cost_unscaled) as cpu_cost_unscaled,
        sum(ram_cost_unscaled) as ram_cost_unscaled,
        sum(pending_cpu_core_hours) as pending_cpu_core_hours,
        sum(pending_ram_gib_hours) as pending_ram_gib_hours
    from scaled
    group by usage_date, cluster, namespace, workload_kind, workload_name, app_id, team
)

select * from final
