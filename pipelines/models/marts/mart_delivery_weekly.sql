with

deploys as (
    select
        s.deploy_id,
        cast(date_trunc('week', s.deploy_date) as date) as week_start_date,
        s.app_id,
        s.team,
        s.is_sha_resolved,
        f.is_failed,
        f.recovery_hours
    from int_deploy_shas as s
    inner join int_deploy_failures as f on f.deploy_id = s.deploy_id
),

lead_times as (
    select d.week_start_date, d.app_id, d.team, l.lead_time_hours
    from int_deploy_lead_times as l
    inner join deploys as d on d.deploy_id = l.deploy_id
),

deploy_counts as (
    select
        week_start_date,
        app_id,
        team,
        count(*) as count_deploys,
        count(*) filter (where not is_sha_resolved) as count_deploys_unknown_lead_time,
        count(*) filter (where is_failed) as count_failed_deploys,
        median(recovery_hours) filter (where is_failed) as recovery_median_hours
    from deploys
    group by week_start_date, app_id, team
),

lead_stats as (
    select
        week_start_date,
        app_id,
        team,
        count(*) as count_commits,
        quantile_cont(lead_time_hours, 0.5) as lead_time_median_hours,
        quantile_cont(lead_time_hours, 0.9) as lead_time_p90_hours
    from lead_times
    group by week_start_date, app_id, team
),

final as (
    select
        c.week_start_date,
        strftime(c.week_start_date, '%G-W%V') as iso_week,
        c.app_id,
        c.team,
        cast(c.count_deploys as bigint) as count_deploys,
        cast(c.count_deploys_unknown_lead_time as bigint) as count_deploys_unknown_lead_time,
        cast(coalesce(l.count_commits, 0) as bigint) as count_commits,
        l.lead_time_median_hours,
        l.lead_time_p90_hours,
        cast(c.count_failed_deploys as bigint) as count_failed_deploys,
        c.count_failed_deploys / c.count_deploys as change_failure_rate,
        c.recovery_median_hours
    from deploy_counts as c
    left join lead_stats as l using (week_start_date, app_id, team)
)

select * from final
