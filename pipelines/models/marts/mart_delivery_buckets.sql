with

settings as (
    select bucket_weeks from ref_delivery
),

deploys as (
    -- every deploy twice: under its team and under `__all__` (the organisation)
    select s.deploy_id, s.deploy_date, unnest([s.team, '__all__']) as team, f.is_failed,
        f.recovery_hours
    from int_deploy_shas as s
    inner join int_deploy_failures as f on f.deploy_id = s.deploy_id
),

deploy_weeks as (
    select *, cast(date_trunc('week', deploy_date) as date) as week_start_date
    from deploys
),

weeks as (
    select cast(w as date) as week_start_date
    from (select min(week_start_date) as first_week, max(week_start_date) as last_week
          from deploy_weeks) as b,
        generate_series(b.first_week, b.last_week, interval '7' day) as g(w)
),

team_weeks as (
    -- Four Keys' grid: every week from the start of the data, deployed or not
    select t.team, w.week_start_date,
        count(distinct d.deploy_date) as days_deployed,
        case when count(d.deploy_id) > 0 then 1 else 0 end as week_deployed
    from (select distinct team from deploy_weeks) as t
    cross join weeks as w
    left join deploy_weeks as d on d.team = t.team and d.week_start_date = w.week_start_date
    group by t.team, w.week_start_date
),

windows as (
    -- the trailing window of each team and week: its bucket_weeks weeks up to and including it
    select e.team, e.week_start_date, w.week_start_date as window_week, w.days_deployed,
        w.week_deployed
    from team_weeks as e
    inner join team_weeks as w
        on w.team = e.team
        and w.week_start_date <= e.week_start_date
        and w.week_start_date
            > e.week_start_date - cast(7 * (select bucket_weeks from settings) as integer)
),

monthly as (
    -- weeks deployed in the week's month (within the window), as Four Keys' monthly_deploys
    select *, sum(week_deployed) over (
        partition by team, week_start_date, date_trunc('month', window_week)
    ) as monthly_deploys
    from windows
),

frequency as (
    select
        team, week_start_date,
        min(window_week) as window_start_date,
        count(*) as count_weeks,
        case
            when quantile_cont(days_deployed, 0.5) >= 3 then 'daily'
            when quantile_cont(week_deployed, 0.5) >= 1 then 'weekly'
            when quantile_cont(monthly_deploys, 0.5) >= 1 then 'monthly'
            else 'yearly'
        end as deployment_frequency
    from monthly
    group by team, week_start_date
),

window_deploys as (
    select f.team, f.week_start_date, d.deploy_id, d.is_failed, d.recovery_hours
    from frequency as f
    inner join deploy_weeks as d
        on d.team = f.team
        and d.week_start_date between f.window_start_date and f.week_start_date
),

outcomes as (
    select
        team, week_start_date,
        count(*) as count_deploys,
        count(*) filter (where is_failed) / count(*) as change_failure_rate,
        median(recovery_hours) filter (where is_failed) as recovery_median_hours
    from window_deploys
    group by team, week_start_date
),

lead_times as (
    select w.team, w.week_start_date, median(l.lead_time_hours) as lead_time_median_hours
    from window_deploys as w
    inner join int_deploy_lead_times as l on l.deploy_id = w.deploy_id
    group by w.team, w.week_start_date
),

measured as (
    select
        f.*,
        coalesce(o.count_deploys, 0) as count_deploys,
        l.lead_time_median_hours,
        o.change_failure_rate,
        o.recovery_median_hours
    from frequency as f
    left join outcomes as o using (team, week_start_date)
    left join lead_times as l using (team, week_start_date)
),

final as (
    select
        week_start_date,
        strftime(week_start_date, '%G-W%V') as iso_week,
        team,
        window_start_date,
        cast(count_weeks as bigint) as count_weeks,
        cast(count_deploys as bigint) as count_deploys,
        deployment_frequency,
        case deployment_frequency
            when 'daily' then 'elite' when 'weekly' then 'high' when 'monthly' then 'medium'
            else 'low'
        end as deployment_frequency_bucket,
        lead_time_median_hours,
        -- Four Keys: < one day, < one week (168 h), < one month (730 h), else
        case
            when lead_time_median_hours < 24 then 'elite'
            when lead_time_median_hours < 168 then 'high'
            when lead_time_median_hours < 730 then 'medium'
            when lead_time_median_hours is not null then 'low'
        end as lead_time_bucket,
        change_failure_rate,
        -- Four Keys: <= 15 %, < 46 % (split at 30 % as the DORA report), else
        case
            when change_failure_rate <= 0.15 then 'elite'
            when change_failure_rate <= 0.30 then 'high'
            when change_failure_rate < 0.46 then 'medium'
            when change_failure_rate is not null then 'low'
        end as change_failure_bucket,
        recovery_median_hours,
        case
            when recovery_median_hours < 24 then 'elite'
            when recovery_median_hours < 168 then 'high'
            when recovery_median_hours < 730 then 'medium'
            when recovery_median_hours is not null then 'low'
        end as recovery_bucket
    from measured
)

select * from final
