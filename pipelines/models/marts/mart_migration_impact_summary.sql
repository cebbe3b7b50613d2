with

settings as (
    select * from ref_delivery
),

changes as (
    -- one row per app and metric with a before and an after, under its team and `__all__` (a
    -- constant metric list and a case, not a lateral VALUES of the row's columns: Spark runs it)
    select app_id, unnest([team, '__all__']) as team, metric, value_before, value_after
    from (
        select i.app_id, i.team, m.metric,
            case m.metric
                when 'deploys_per_week' then i.deploys_per_week_before
                when 'lead_time_median_hours' then i.lead_time_median_hours_before
                when 'change_failure_rate' then i.change_failure_rate_before
                else i.cost_per_week_before
            end as value_before,
            case m.metric
                when 'deploys_per_week' then i.deploys_per_week_after
                when 'lead_time_median_hours' then i.lead_time_median_hours_after
                when 'change_failure_rate' then i.change_failure_rate_after
                else i.cost_per_week_after
            end as value_after
        from mart_migration_impact as i
        cross join (
            values ('deploys_per_week'), ('lead_time_median_hours'), ('change_failure_rate'),
                ('cost_per_week')
        ) as m(metric)
    ) as metrics
    where value_before is not null and value_after is not null
),

indexed as (
    select *, value_after - value_before as change,
        row_number() over (partition by team, metric order by app_id) - 1 as app_index,
        count(*) over (partition by team, metric) as count_apps
    from changes
),

groups as (
    select team, metric, any_value(count_apps) as count_apps
    from indexed
    group by team, metric
),

draws as (
    -- deterministic bootstrap: draw d of resample r picks app md5(seed:r:d) mod n, the md5's
    -- first 8 hex digits read as a number (DuckDB and Spark compute it alike; hash() differs);
    -- the draws of a group are its apps' own indexes 0 .. n-1
    select g.team, g.metric, r.resample,
        cast('0x' || left(md5(
            cast(s.bootstrap_seed as varchar) || ':' || cast(r.resample as varchar) || ':'
            || cast(d.app_index as varchar)
        ), 8) as bigint) % g.count_apps as app_index
    from groups as g
    cross join settings as s
    cross join range(0, (select bootstrap_resamples from settings)) as r(resample)
    inner join indexed as d on d.team = g.team and d.metric = g.metric
),

resampled as (
    select d.team, d.metric, d.resample, median(i.change) as median_change
    from draws as d
    inner join indexed as i
        on i.team = d.team and i.metric = d.metric and i.app_index = d.app_index
    group by d.team, d.metric, d.resample
),

sorted_medians as (
    select r.team, r.metric, list_sort(list(r.median_change)) as medians,
        any_value(s.interval_low_quantile) * (count(*) - 1) as low_position,
        any_value(s.interval_high_quantile) * (count(*) - 1) as high_position
    from resampled as r
    cross join settings as s
    group by r.team, r.metric
),

positions as (
    -- the 1-based list positions below each quantile position (a plain column as the index:
    -- sqlglot would shift a typed index expression by its 0-based offset)
    select *,
        cast(floor(low_position) as integer) + 1 as low_index,
        cast(floor(high_position) as integer) + 1 as high_index
    from sorted_medians
),

intervals as (
    -- percentile interval, interpolated as quantile_cont (whose quantile must be a constant)
    select team, metric,
        medians[low_index] + (low_position - floor(low_position)) * (
            medians[least(low_index + 1, len(medians))] - medians[low_index]
        ) as change_interval_low,
        medians[high_index] + (high_position - floor(high_position)) * (
            medians[least(high_index + 1, len(medians))] - medians[high_index]
        ) as change_interval_high
    from positions
),

final as (
    select
        i.team,
        i.metric,
        cast(count(*) as bigint) as count_apps,
        median(i.value_before) as median_before,
        median(i.value_after) as median_after,
        median(i.change) as median_change,
        any_value(v.change_interval_low) as change_interval_low,
        any_value(v.change_interval_high) as change_interval_high
    from indexed as i
    inner join intervals as v on v.team = i.team and v.metric = i.metric
    group by i.team, i.metric
)

select * from final
