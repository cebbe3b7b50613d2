with

deploys as (
    select * from int_deploy_events
),

weekly as (
    select
        cast(date_trunc('week', deploy_date) as date) as week_start_date,
        app_id,
        platform,
        team,
        deploy_date,
        deployed_at,
        is_rollback
    from deploys
),

latest_team as (
    select
        week_start_date, app_id, platform, team,
        row_number() over (
            partition by week_start_date, app_id, platform
            order by deployed_at desc, team
        ) as candidate_number
    from weekly
),

counts as (
    select
        week_start_date,
        app_id,
        platform,
        count(*) as count_deploys,
        sum(case when is_rollback then 1 else 0 end) as count_rollbacks,
        count(distinct deploy_date) as count_days_deployed
    from weekly
    group by week_start_date, app_id, platform
),

final as (
    select
        c.week_start_date,
        -- ISO year = calendar year of the week's Thursday
        cast(extract(year from c.week_start_date + interval '3' day) as varchar) || '-W'
            || lpad(cast(extract(week from c.week_start_date) as varchar), 2, '0') as iso_week,
        c.app_id,
        t.team,
        c.platform,
        cast(c.count_deploys as bigint) as count_deploys,
        cast(c.count_rollbacks as bigint) as count_rollbacks,
        cast(c.count_days_deployed as bigint) as count_days_deployed
    from counts as c
    inner join latest_team as t
        on t.week_start_date = c.week_start_date
        and t.app_id = c.app_id
        and t.platform = c.platform
        and t.candidate_number = 1
)

select * from final
