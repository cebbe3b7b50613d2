with

namespace_costs as (
    select * from int_team_costs_daily
    where platform = 'kubernetes' and not is_team_total
        and cost_date in (select day from _fleetscope_dates)
),

final as (
    select
        cost_date, team, cluster, namespace, cpu_cost, ram_cost, gpu_cost, storage_cost,
        total_cost, reconciled_cost, cpu_core_hours, ram_gib_hours, cpu_requested_core_hours, cpu_used_core_hours,
        ram_requested_gib_hours, ram_used_gib_hours
    from namespace_costs
)

select * from final
