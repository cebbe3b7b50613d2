with

team_costs as (
    select * from int_team_costs_daily
    where is_team_total and cost_date in (select day from _fleetscope_dates)
),

shared_costs as (
    select * from int_shared_costs_daily
    where cost_date in (select day from _fleetscope_dates)
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

unallocated_shared as (
    -- cluster-days where `__unallocated__` receives shared cost (it may have no cost of its own)
    select cost_date, cluster from shared_costs
    where team = '__unallocated__' and shared_cost <> 0
),

teams as (
    select
        cost_date, platform, team, cluster, cpu_cost, ram_cost, gpu_cost, storage_cost,
        total_cost, reconciled_cost, cpu_core_hours, ram_gib_hours, cpu_requested_core_hours,
        cpu_used_core_hours, ram_requested_gib_hours, ram_used_gib_hours, false as is_padding
    from team_costs
    union all
    -- a zero row so that `__unallocated__` exists wherever it may receive the idle or shared cost
    select cost_date, platform, '__unallocated__', cluster, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, true
    from cluster_totals
    where not has_unallocated and (
        idle_cost > 0
        or (cost_date, cluster) in (select (cost_date, cluster) from unallocated_shared)
    )
),

sharers as (
    -- `__idle__` takes no share; a resource nobody was charged for leaves its idle to
    -- `__unallocated__`, so that the shares still add up to the idle cost
    select
        *,
        case when team = '__idle__' then 0.0 else 1.0 end as share_factor,
        case when team = '__unallocated__' then 1.0 else 0.0 end as fallback_share
    from teams
),

idle_reconciliation as (
    -- the bill's factor on the cluster-day's idle (reconciled / modelled; 1 without a bill)
    select cost_date, platform, cluster,
        coalesce(sum(reconciled_cost) / nullif(sum(total_cost), 0), 1.0) as idle_factor
    from teams
    where team = '__idle__'
    group by cost_date, platform, cluster
),

shared as (
    -- OpenCost's shareIdle "weighted": each resource's idle by the team's cost of that resource
    -- (CPU by CPU, RAM by RAM, GPU by GPU); volumes neither weigh nor are shared
    select
        s.*,
        s.share_factor * c.cpu_idle_cost
            * coalesce(s.cpu_cost / nullif(c.cpu_charged_cost, 0), s.fallback_share)
            as cpu_idle_share_cost,
        s.share_factor * c.ram_idle_cost
            * coalesce(s.ram_cost / nullif(c.ram_charged_cost, 0), s.fallback_share)
            as ram_idle_share_cost,
        s.share_factor * c.gpu_idle_cost
            * coalesce(s.gpu_cost / nullif(c.gpu_charged_cost, 0), s.fallback_share)
            as gpu_idle_share_cost,
        coalesce(i.idle_factor, 1.0) as idle_factor
    from sharers as s
    inner join cluster_totals as c using (cost_date, platform, cluster)
    left join idle_reconciliation as i using (cost_date, platform, cluster)
),

with_shared as (
    -- shared namespaces and overhead (int_shared_costs_daily); 0 where nothing is shared
    select s.*, coalesce(sc.shared_cost, 0.0) as shared_cost
    from shared as s
    left join shared_costs as sc
        on s.platform = 'kubernetes' and sc.cost_date = s.cost_date
        and sc.cluster = s.cluster and sc.team = s.team
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
        reconciled_cost,
        cpu_idle_share_cost + ram_idle_share_cost + gpu_idle_share_cost as idle_share_cost,
        (cpu_idle_share_cost + ram_idle_share_cost + gpu_idle_share_cost) * idle_factor
            as reconciled_idle_share_cost,
        shared_cost,
        cpu_core_hours,
        ram_gib_hours,
        cpu_requested_core_hours,
        cpu_used_core_hours,
        ram_requested_gib_hours,
        ram_used_gib_hours
    from with_shared
    -- drop the helper zero rows that received nothing
    where not (
        is_padding and shared_cost = 0
        and cpu_idle_share_cost + ram_idle_share_cost + gpu_idle_share_cost = 0
    )
)

select * from final
