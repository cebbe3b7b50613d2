with

team_costs as (
    select * from int_team_costs_daily
    where is_team_total and cost_date in (select day from _fleetscope_dates)
),

cluster_totals as (
    -- per cluster-day and resource: the idle cost to share and the charged cost that weighs it
    select
        cost_date,
        platform,
        cluster,
        sum(case when team = '__idle__' then cpu_cost else 0.0 end) as cpu_idle_cost,
        sum(case when team = '__idle__' then ram_cost else 0.0 end) as ram_idle_cost,
        sum(case when team = '__idle__' then gpu_cost else 0.0 end) as gpu_idle_cost,
        sum(case when team <> '__idle__' then cpu_cost else 0.0 end) as cpu_charged_cost,
        sum(case when team <> '__idle__' then ram_cost else 0.0 end) as ram_charged_cost,
        sum(case when team <> '__idle__' then gpu_cost else 0.0 end) as gpu_charged_cost,
        sum(case when team = '__idle__' then total_cost else 0.0 end) as idle_cost,
        max(case when team = '__unallocated__' then 1 else 0 end) = 1 as has_unallocated
    from team_costs
    group by cost_date, platform, cluster
),

teams as (
    select
        cost_date, platform, team, cluster, cpu_cost, ram_cost, gpu_cost, storage_cost,
        total_cost, cpu_core_hours, ram_gib_hours, cpu_requested_core_hours,
        cpu_used_core_hours, ram_requested_gib_hours, ram_used_gib_hours, false as is_padding
    from team_costs
    union all
    -- a zero row so that `__unallocated__` exists wherever it may receive the idle share
    select cost_date, platform, '__unallocated__', cluster, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, true
    from cluster_totals
    where idle_cost > 0 and not has_unallocated
),

shared as (
    -- OpenCost's shareIdle "weighted": each resource's idle by the team's cost of that resource
    -- (CPU by CPU, RAM by RAM, GPU by GPU), volumes excluded; a resource nobody was charged for
    -- leaves its idle to `__unallocated__` so that the shares still add up to the idle cost
    select
        t.*,
        case
            when t.team = '__idle__' then 0.0
            when c.cpu_charged_cost > 0 then c.cpu_idle_cost * t.cpu_cost / c.cpu_charged_cost
            when t.team = '__unallocated__' then c.cpu_idle_cost
            else 0.0
        end as cpu_idle_share_cost,
        case
            when t.team = '__idle__' then 0.0
            when c.ram_charged_cost > 0 then c.ram_idle_cost * t.ram_cost / c.ram_charged_cost
            when t.team = '__unallocated__' then c.ram_idle_cost
            else 0.0
        end as ram_idle_share_cost,
        case
            when t.team = '__idle__' then 0.0
            when c.gpu_charged_cost > 0 then c.gpu_idle_cost * t.gpu_cost / c.gpu_charged_cost
            when t.team = '__unallocated__' then c.gpu_idle_cost
            else 0.0
        end as gpu_idle_share_cost
    from teams as t
    inner join cluster_totals as c using (cost_date, platform, cluster)
),

final as (
    select
        cost_date,
        team,
        cluster,
        cpu_cost,
        ram_cost,
        gpu_cost,
        storage_cost,
        total_cost,
        cpu_idle_share_cost + ram_idle_share_cost + gpu_idle_share_cost as idle_share_cost,
        cpu_core_hours,
        ram_gib_hours,
        cpu_requested_core_hours,
        cpu_used_core_hours,
        ram_requested_gib_hours,
        ram_used_gib_hours
    from shared
    -- drop the helper zero rows that received nothing
    where not (
        is_padding and cpu_idle_share_cost + ram_idle_share_cost + gpu_idle_share_cost = 0
    )
)

select * from final
