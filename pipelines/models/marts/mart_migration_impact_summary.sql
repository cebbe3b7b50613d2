with

settings as (
    select * from ref_delivery
),

changes as (
    -- one row per app and metric with a before and an after, under its team and `__all__`
    select app_id, unnest([team, '__all__']) as team, metric, value_before, value_after
    from mart_migration_impact,
        (values
            ('deploys_per_week', deploys_per_week_before, deploys_per_week_after),
            ('lead_time_median_hours', lead_time_median_hours_before,
                lead_time_median_hours_after),
            ('change_failure_rate', change_failure_rate_before, change_failure_rate_after),
            ('cost_per_week', cost_per_week_before, cost_per_week_after)
        ) as m(metric, value_before, value_after)
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
    -- deterministic bootstrap: draw d of resample r picks app hash(seed, r, d) mod n
    select g.team, g.metric, r.resample,
        hash(s.bootstrap_seed, r.resample, d.draw) % g.count_apps as app_index
    from groups as g
    cross join settings as s
    cross join range(0, (select bootstrap_resamples from settings)) as r(resample)
    cross join lateral (select unnest(range(g.count_apps)) as draw) as d
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

intervals as (
    -- percentile interval, interpolated as quantile_cont (whose quantile must be a constant)
    select team, metric,
        medians[cast(floor(low_position) as bigint) + 1]
            + (low_position - floor(low_position)) * (
                medians[least(cast(floor(low_position) as bigint) + 2, len(medians))]
                - medians[cast(floor(low_position) as bigint) + 1]
            ) as change_interval_low,
        medians[cast(floor(high_position) as bigint) + 1]
            + (high_position - floor(high_position)) * (
                medians[least(cast(floor(high_position) as bigint) + 2, len(medians))]
                - medians[cast(floor(high_position) as bigint) + 1]
            ) as change_interval_high
    from sorted_medians
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
