with

cost_lines as (
    select * from int_cost_lines_daily
    where cost_date in (select day from _fleetscope_dates)
),

final as (
    select
        cost_date,
        platform,
        cluster,
        team,
        namespace,
        grouping(namespace) = 1 as is_team_total,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(gpu_cost) as gpu_cost,
        sum(storage_cost) as storage_cost,
        sum(total_cost) as total_cost,
        sum(reconciled_cost) as reconciled_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours,
        sum(cpu_requested_core_hours) as cpu_requested_core_hours,
        sum(cpu_used_core_hours) as cpu_used_core_hours,
        sum(ram_requested_gib_hours) as ram_requested_gib_hours,
        sum(ram_used_gib_hours) as ram_used_gib_hours
    from cost_lines
    group by grouping sets (
        (cost_date, platform, cluster, team),
        (cost_date, platform, cluster, team, namespace)
    )
)

select * from final
