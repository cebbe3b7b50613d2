with

team_costs as (
    select * from int_team_costs_daily
    where is_team_total and cost_date in (select day from _fleetscope_dates)
),

cluster_totals as (
    select
        cost_date,
        platform,
        cluster,
        sum(case when team = '__idle__' then total_cost else 0.0 end) as idle_cost,
        sum(case when team <> '__idle__' then total_cost else 0.0 end) as charged_cost,
        max(case when team = '__unallocated__' then 1 else 0 end) = 1 as has_unallocated
    from team_costs
    group by cost_date, platform, cluster
),

teams as (
    select
        cost_date, platform, team, cluster, cpu_cost, ram_cost, gpu_cost, storage_cost,
        total_cost, cpu_core_hours, ram_gib_hours, cpu_requested_core_hours,
        cpu_used_core_hours, ram_requested_gib_hours, ram_used_gib_hours
    from team_costs
    union all
    -- a zero row so that `__unallocated__` exists wherever it may receive the idle share
    select cost_date, platform, '__unallocated__', cluster, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0
    from cluster_totals
    where idle_cost > 0 and not has_unallocated
),

final as (
    select
        t.cost_date,
        t.team,
        t.cluster,
        t.cpu_cost,
        t.ram_cost,
        t.gpu_cost,
        t.storage_cost,
        t.total_cost,
        case
            when t.team = '__idle__' then 0.0
            when c.charged_cost > 0 then c.idle_cost * t.total_cost / c.charged_cost
            when t.team = '__unallocated__' then c.idle_cost
            else 0.0
        end as idle_share_cost,
        t.cpu_core_hours,
        t.ram_gib_hours,
        t.cpu_requested_core_hours,
        t.cpu_used_core_hours,
        t.ram_requested_gib_hours,
        t.ram_used_gib_hours
    from teams as t
    inner join cluster_totals as c using (cost_date, platform, cluster)
    -- drop the helper zero rows that received nothing
    where not (t.team = '__unallocated__' and t.total_cost = 0 and c.charged_cost > 0)
)

select * from final
