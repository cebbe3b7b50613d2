with

days as (
    select day from _fleetscope_dates
),

deploys as (
    select deploy_date, team, app_id from int_deploy_events
),

scoped as (
    select deploy_date, team, app_id from deploys
    union all
    select deploy_date, team, '__all__' as app_id from deploys
    union all
    select deploy_date, '__all__' as team, '__all__' as app_id from deploys
),

weeks as (
    select distinct cast(date_trunc('week', day) as date) as week_start_date from days
),

scope_weeks as (
    select
        team,
        app_id,
        cast(date_trunc('week', deploy_date) as date) as week_start_date,
        count(*) as count_deploys,
        count(distinct deploy_date) as days_deployed
    from scoped
    group by team, app_id, cast(date_trunc('week', deploy_date) as date)
),

scopes as (
    select distinct team, app_id from scope_weeks
),

window_weeks as (
    select a.week_start_date as as_of_week, w.week_start_date
    from weeks as a
    inner join weeks as w
        on w.week_start_date <= a.week_start_date
        and w.week_start_date > a.week_start_date - interval '91' day
),

grid as (
    select
        s.team,
        s.app_id,
        ww.as_of_week,
        ww.week_start_date,
        coalesce(sw.count_deploys, 0) as count_deploys,
        coalesce(sw.days_deployed, 0) as days_deployed,
        case when sw.days_deployed > 0 then 1 else 0 end as week_deployed
    from scopes as s
    cross join window_weeks as ww
    left join scope_weeks as sw
        on sw.team = s.team
        and sw.app_id = s.app_id
        and sw.week_start_date = ww.week_start_date
),

with_monthly as (
    select
        g.*,
        sum(week_deployed) over (
            partition by team, app_id, as_of_week,
                cast(date_trunc('month', week_start_date) as date)
        ) as monthly_deployed_weeks
    from grid as g
),

medians as (
    select
        team,
        app_id,
        as_of_week,
        count(*) as count_weeks,
        sum(count_deploys) as count_deploys,
        sum(week_deployed) as count_weeks_deployed,
        percentile_cont(0.5) within group (order by days_deployed)
            as median_days_deployed_per_week,
        percentile_cont(0.5) within group (order by week_deployed) as median_week_deployed,
        percentile_cont(0.5) within group (order by monthly_deployed_weeks)
            as median_deployed_weeks_per_month
    from with_monthly
    group by team, app_id, as_of_week
),

final as (
    select
        as_of_week as week_start_date,
        team,
        app_id,
        cast(count_weeks as bigint) as count_weeks_in_window,
        cast(count_deploys as bigint) as count_deploys_in_window,
        cast(count_weeks_deployed as bigint) as count_weeks_deployed,
        cast(median_days_deployed_per_week as double) as median_days_deployed_per_week,
        cast(median_week_deployed as double) as median_week_deployed,
        cast(median_deployed_weeks_per_month as double) as median_deployed_weeks_per_month,
        case
            when median_days_deployed_per_week >= 3 then 'daily'
            when median_week_deployed >= 1 then 'weekly'
            when median_deployed_weeks_per_month >= 1 then 'monthly'
            else 'yearly'
        end as deployment_frequency
    from medians
    where count_deploys > 0
)

select * from final
