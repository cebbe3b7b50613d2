with

days as (
    select day from _fleetscope_dates
),

namespace_costs as (
    -- Kubernetes rows: the namespace mart, which splits the same charges, volumes and idle
    -- finer; rolling it up keeps the two marts equal by construction
    select n.*
    from mart_namespace_cost_daily as n
    inner join days as d on d.day = n.cost_date
),

helios_costs as (
    select h.*
    from int_helios_app_cost_daily as h
    inner join days as d on d.day = h.cost_date
),

charged_rows as (
    select
        cost_date, team, cluster, cpu_cost, ram_cost, gpu_cost, storage_cost,
        cpu_core_hours, ram_gib_hours, cpu_requested_core_hours, cpu_used_core_hours,
        ram_requested_gib_hours, ram_used_gib_hours
    from namespace_costs
    where team <> '__idle__'
),

idle as (
    select
        cost_date,
        cluster,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(gpu_cost) as gpu_cost,
        sum(total_cost) as total_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours
    from namespace_costs
    where team = '__idle__'
    group by cost_date, cluster
),

charged_teams as (
    select
        cost_date, team, cluster,
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
    from (
        select * from charged_rows
        union all
        -- a zero row so that `__unallocated__` exists wherever it may receive the idle share
        select cost_date, '__unallocated__', cluster, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0
        from idle
        where total_cost > 0
    ) as all_rows
    group by cost_date, team, cluster
),

cluster_charged as (
    select cost_date, cluster, sum(total_cost) as charged_cost
    from charged_teams
    group by cost_date, cluster
),

kubernetes_teams as (
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
            when i.total_cost is null then 0.0
            when c.charged_cost > 0 then i.total_cost * t.total_cost / c.charged_cost
            when t.team = '__unallocated__' then i.total_cost
            else 0.0
        end as idle_share_cost,
        t.cpu_core_hours,
        t.ram_gib_hours,
        t.cpu_requested_core_hours,
        t.cpu_used_core_hours,
        t.ram_requested_gib_hours,
        t.ram_used_gib_hours
    from charged_teams as t
    inner join cluster_charged as c
        on c.cost_date = t.cost_date
        and c.cluster = t.cluster
    left join idle as i
        on i.cost_date = t.cost_date
        and i.cluster = t.cluster
    -- drop the helper zero rows that received nothing
    where not (t.team = '__unallocated__' and t.total_cost = 0 and c.charged_cost > 0)
),

idle_team as (
    select
        cost_date, '__idle__' as team, cluster, cpu_cost, ram_cost, gpu_cost,
        0.0 as storage_cost, total_cost, 0.0 as idle_share_cost, cpu_core_hours, ram_gib_hours,
        0.0 as cpu_requested_core_hours, 0.0 as cpu_used_core_hours,
        0.0 as ram_requested_gib_hours, 0.0 as ram_used_gib_hours
    from idle
),

helios_grouped as (
    select
        cost_date,
        team,
        source as cluster,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(total_cost) as total_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours
    from (
        select cost_date, team, source, cpu_cost, ram_cost, total_cost, cpu_core_hours,
            ram_gib_hours
        from helios_costs
        union all
        -- a zero row so that `__unallocated__` exists wherever it may receive the idle share
        select cost_date, '__unallocated__', source, 0.0, 0.0, 0.0, 0.0, 0.0
        from helios_costs
        where team = '__idle__' and total_cost > 0
    ) as all_rows
    group by cost_date, team, source
),

helios_totals as (
    -- Helios hosts without a started job are `__idle__`; share them like node idle
    select
        cost_date,
        cluster,
        sum(case when team = '__idle__' then total_cost else 0.0 end) as idle_cost,
        sum(case when team <> '__idle__' then total_cost else 0.0 end) as charged_cost
    from helios_grouped
    group by cost_date, cluster
),

helios_teams as (
    select
        g.cost_date,
        g.team,
        g.cluster,
        g.cpu_cost,
        g.ram_cost,
        0.0 as gpu_cost,
        0.0 as storage_cost,
        g.total_cost,
        case
            when g.team = '__idle__' then 0.0
            when h.charged_cost > 0 then h.idle_cost * g.total_cost / h.charged_cost
            when g.team = '__unallocated__' then h.idle_cost
            else 0.0
        end as idle_share_cost,
        g.cpu_core_hours,
        g.ram_gib_hours,
        -- efficiency is measured on Kubernetes only
        0.0 as cpu_requested_core_hours,
        0.0 as cpu_used_core_hours,
        0.0 as ram_requested_gib_hours,
        0.0 as ram_used_gib_hours
    from helios_grouped as g
    inner join helios_totals as h
        on h.cost_date = g.cost_date
        and h.cluster = g.cluster
    where not (g.team = '__unallocated__' and g.total_cost = 0 and h.charged_cost > 0)
),

final as (
    select * from kubernetes_teams
    union all
    select * from idle_team
    union all
    select * from helios_teams
)

select * from final
