with

settings as (
    select * from ref_anomalies
),

team_costs as (
    select * from mart_team_cost_daily where team <> '__idle__'
),

app_costs as (
    -- reserved names (`__idle__`: Helios hosts without a started job) are no app
    select * from mart_app_cost_daily where not starts_with(app_id, '__')
),

data_days as (
    select distinct cost_date from mart_team_cost_daily
),

entity_days as (
    -- per team and per app and day: the cost judged (teams: the fully loaded cost the reports
    -- show; apps: their allocated cost, apps get no shared or idle share), reconciled
    select 'team' as scope, team as entity, team, cost_date,
        sum(reconciled_cost + shared_cost + reconciled_idle_share_cost) as cost
    from team_costs
    group by team, cost_date
    union all
    select 'app', app_id, arg_max(team, total_cost), cost_date, sum(reconciled_cost)
    from app_costs
    group by app_id, cost_date
),

series as (
    -- every day with data from the entity's first one, 0 where it had no cost
    select e.scope, e.entity, d.cost_date, coalesce(c.cost, 0.0) as cost
    from (select scope, entity, min(cost_date) as first_date from entity_days
        group by scope, entity) as e
    inner join data_days as d on d.cost_date >= e.first_date
    left join entity_days as c
        on c.scope = e.scope and c.entity = e.entity and c.cost_date = d.cost_date
),

judged as (
    select s.scope, s.entity, s.cost_date, s.cost, median(h.cost) as trailing_median,
        count(h.cost_date) as count_history_days
    from series as s
    cross join settings as k
    inner join series as h
        on h.scope = s.scope and h.entity = s.entity
        and h.cost_date between s.cost_date - cast(k.window_days as integer) and s.cost_date - 1
    where s.cost_date in (select day from _fleetscope_dates)
    group by s.scope, s.entity, s.cost_date, s.cost
),

deviations as (
    select j.scope, j.entity, j.cost_date, median(abs(h.cost - j.trailing_median)) as mad
    from judged as j
    cross join settings as k
    inner join series as h
        on h.scope = j.scope and h.entity = j.entity
        and h.cost_date between j.cost_date - cast(k.window_days as integer) and j.cost_date - 1
    group by j.scope, j.entity, j.cost_date
),

thresholds as (
    -- Iglewicz & Hoaglin: anomalous when |x - median| > k x 1.4826 x MAD, and by more than
    -- min_change_pct of the median (a steady series has MAD 0) and than min_excess
    select j.*, d.mad,
        greatest(k.k * k.mad_scale * d.mad, k.min_change_pct / 100 * abs(j.trailing_median),
            k.min_excess) as threshold,
        j.count_history_days >= k.min_history_days as has_history
    from judged as j
    inner join deviations as d using (scope, entity, cost_date)
    cross join settings as k
),

flagged as (
    select *,
        has_history and abs(cost - trailing_median) > threshold as is_anomaly,
        case when cost > trailing_median then 'spike' else 'drop' end as direction
    from thresholds
),

runs as (
    -- a run of anomalous days the same way alerts once, on its first day
    select *,
        is_anomaly and not coalesce(
            lag(is_anomaly) over w and lag(direction) over w = direction, false
        ) as is_first_day
    from flagged
    window w as (partition by scope, entity order by cost_date)
),

anomalies as (
    select * from runs where is_anomaly
),

parts as (
    -- what may have moved: resources (list-price split) and namespaces (Helios: the source)
    -- (a constant item list and a case, not a lateral VALUES of the row's columns: Spark runs it)
    select 'team' as scope, team as entity, cost_date, 'resource' as dimension, r.item,
        case r.item
            when 'cpu' then cpu_cost when 'ram' then ram_cost when 'gpu' then gpu_cost
            when 'storage' then storage_cost when 'shared' then shared_cost
            else reconciled_idle_share_cost
        end as cost
    from team_costs
    cross join (values ('cpu'), ('ram'), ('gpu'), ('storage'), ('shared'), ('idle_share'))
        as r(item)
    where team in (select entity from anomalies where scope = 'team')
    union all
    select 'team', team, cost_date, 'namespace', namespace, reconciled_cost
    from mart_namespace_cost_daily
    where team in (select entity from anomalies where scope = 'team')
    union all
    select 'app', app_id, cost_date, 'resource', r.item,
        case r.item
            when 'cpu' then cpu_cost when 'ram' then ram_cost when 'gpu' then gpu_cost
            else total_cost - cpu_cost - ram_cost - gpu_cost
        end
    from app_costs
    cross join (values ('cpu'), ('ram'), ('gpu'), ('other')) as r(item)
    where app_id in (select entity from anomalies where scope = 'app')
    union all
    select 'app', app_id, cost_date, 'namespace', coalesce(namespace, cluster), reconciled_cost
    from int_cost_lines_daily
    where app_id in (select entity from anomalies where scope = 'app')
),

part_days as (
    select scope, entity, cost_date, dimension, item, sum(cost) as cost
    from parts
    group by scope, entity, cost_date, dimension, item
),

part_windows as (
    -- per anomaly, each part seen in its window: the day's cost and the trailing days' (0 when
    -- absent), whose median it is compared with
    select a.scope, a.entity, a.cost_date, i.dimension, i.item,
        coalesce(any_value(p.cost) filter (where h.cost_date = a.cost_date), 0.0) as day_cost,
        median(coalesce(p.cost, 0.0)) filter (where h.cost_date < a.cost_date) as part_median
    from anomalies as a
    cross join settings as k
    inner join (select distinct scope, entity, dimension, item from part_days) as i
        on i.scope = a.scope and i.entity = a.entity
    inner join series as h
        on h.scope = a.scope and h.entity = a.entity
        and h.cost_date between a.cost_date - cast(k.window_days as integer) and a.cost_date
    left join part_days as p
        on p.scope = a.scope and p.entity = a.entity and p.cost_date = h.cost_date
        and p.dimension = i.dimension and p.item = i.item
    group by a.scope, a.entity, a.cost_date, i.dimension, i.item
),

causes as (
    -- the part that moved most the anomaly's way (largest rise for a spike, fall for a drop)
    select w.scope, w.entity, w.cost_date,
        arg_max(w.item, (w.day_cost - w.part_median) * sign(a.cost - a.trailing_median)
            ) filter (where w.dimension = 'resource') as cause_resource,
        max((w.day_cost - w.part_median) * sign(a.cost - a.trailing_median)
            ) filter (where w.dimension = 'resource') as cause_resource_change,
        arg_max(w.item, (w.day_cost - w.part_median) * sign(a.cost - a.trailing_median)
            ) filter (where w.dimension = 'namespace') as cause_namespace,
        max((w.day_cost - w.part_median) * sign(a.cost - a.trailing_median)
            ) filter (where w.dimension = 'namespace') as cause_namespace_change
    from part_windows as w
    inner join anomalies as a using (scope, entity, cost_date)
    group by w.scope, w.entity, w.cost_date
),

final as (
    select
        a.cost_date,
        a.scope,
        e.team,
        case when a.scope = 'app' then a.entity end as app_id,
        a.direction,
        a.cost,
        a.trailing_median,
        a.mad,
        a.threshold,
        a.cost - a.trailing_median as excess_cost,
        a.count_history_days,
        a.is_first_day,
        c.cause_resource,
        sign(a.cost - a.trailing_median) * c.cause_resource_change as cause_resource_change,
        c.cause_namespace,
        sign(a.cost - a.trailing_median) * c.cause_namespace_change as cause_namespace_change
    from anomalies as a
    left join causes as c using (scope, entity, cost_date)
    inner join (
        -- an app's team: its last (a day it cost nothing has no row of its own)
        select scope, entity, arg_max(team, cost_date) as team from entity_days
        group by scope, entity
    ) as e using (scope, entity)
)

select * from final
