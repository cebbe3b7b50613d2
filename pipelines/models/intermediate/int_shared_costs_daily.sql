with

team_lines as (
    -- Kubernetes only: Helios sources have no namespaces and no overhead
    select * from int_team_costs_daily
    where not is_team_total and platform = 'kubernetes' and team <> '__idle__'
        and cost_date in (select day from _fleetscope_dates)
),

owned as (
    -- per team: its cost in the shared namespaces (moved out) and elsewhere (which weighs)
    select
        cost_date,
        cluster,
        team,
        sum(case when namespace in (select namespace from ref_sharing_namespaces)
            then total_cost else 0.0 end) as own_shared_cost,
        sum(case when namespace not in (select namespace from ref_sharing_namespaces)
            then total_cost else 0.0 end) as own_cost
    from team_lines
    group by cost_date, cluster, team
),

overhead as (
    -- new money, not in any node price: the rate for each hour the cluster had nodes
    select
        n.usage_date as cost_date,
        n.cluster,
        count(distinct n.hour_start) * any_value(o.overhead_per_hour) as overhead_cost
    from int_node_hours as n
    inner join ref_sharing_overhead as o on o.cluster = n.cluster
    where n.usage_date in (select day from _fleetscope_dates)
    group by n.usage_date, n.cluster
),

teams as (
    select cost_date, cluster, team, own_shared_cost, own_cost from owned
    union all
    -- `__unallocated__` takes the pool where no team has cost outside the shared namespaces
    select cost_date, cluster, '__unallocated__', 0.0, 0.0 from overhead
    where not exists (
        select 1 from owned as t
        where t.cost_date = overhead.cost_date and t.cluster = overhead.cluster
            and t.team = '__unallocated__'
    )
),

pools as (
    select
        t.cost_date,
        t.cluster,
        sum(t.own_shared_cost) + coalesce(any_value(o.overhead_cost), 0.0) as pool_cost,
        sum(t.own_cost) as weight_cost,
        count(*) filter (where t.own_cost > 0) as count_receivers
    from teams as t
    left join overhead as o using (cost_date, cluster)
    group by t.cost_date, t.cluster
),

shares as (
    -- the share of the pool each team receives; the fallback keeps the pool whole
    select
        t.*,
        p.pool_cost * coalesce(
            case when (select split from ref_sharing) = 'even'
                then (t.own_cost > 0)::double / nullif(p.count_receivers, 0)
                else t.own_cost / nullif(p.weight_cost, 0) end,
            case when t.team = '__unallocated__' then 1.0 else 0.0 end
        ) as received_cost
    from teams as t
    inner join pools as p using (cost_date, cluster)
),

final as (
    select
        cost_date,
        cluster,
        team,
        own_shared_cost,
        received_cost,
        received_cost - own_shared_cost as shared_cost
    from shares
)

select * from final
