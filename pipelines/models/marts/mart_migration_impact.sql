with

settings as (
    select impact_weeks from ref_delivery
),

status as (
    select status_date, app_id, team, status from mart_app_migration_status
),

observed as (
    -- only whole ISO weeks inside the days the migration status covers are compared
    select min(status_date) as first_date, max(status_date) as last_date from status
),

apps as (
    select
        app_id,
        arg_max(team, status_date) as team,
        min(status_date) filter (where status = 'migrated') as cutover_date,
        -- an app seen going from legacy straight to migrated starts migrating on its cut-over
        coalesce(
            min(status_date) filter (where status = 'migrating'),
            min(status_date) filter (where status = 'migrated')
        ) as migration_start_date
    from status
    group by app_id
    having min(status_date) filter (where status = 'migrated') is not null
),

phase_weeks as (
    -- the N weeks before the week migrating starts and the N weeks after the cut-over's week
    select a.app_id, 'before' as phase, cast(w.week_start_date as date) as week_start_date
    from apps as a, settings as s,
        generate_series(
            date_trunc('week', a.migration_start_date) - interval (7 * s.impact_weeks) day,
            date_trunc('week', a.migration_start_date) - interval '7' day,
            interval '7' day
        ) as w(week_start_date)
    union all
    select a.app_id, 'after', cast(w.week_start_date as date)
    from apps as a, settings as s,
        generate_series(
            date_trunc('week', a.cutover_date) + interval '7' day,
            date_trunc('week', a.cutover_date) + interval (7 * s.impact_weeks) day,
            interval '7' day
        ) as w(week_start_date)
),

weeks as (
    select p.*
    from phase_weeks as p, observed as o
    where p.week_start_date >= o.first_date and p.week_start_date + 6 <= o.last_date
),

week_counts as (
    select app_id, phase, count(*) as count_weeks from weeks group by app_id, phase
),

deploys as (
    select w.app_id, w.phase, s.deploy_id, f.is_failed
    from weeks as w
    inner join int_deploy_shas as s
        on s.app_id = w.app_id
        and cast(date_trunc('week', s.deploy_date) as date) = w.week_start_date
    inner join int_deploy_failures as f on f.deploy_id = s.deploy_id
),

delivery as (
    select
        d.app_id, d.phase,
        count(distinct d.deploy_id) as count_deploys,
        count(distinct d.deploy_id) filter (where d.is_failed) as count_failed_deploys,
        median(l.lead_time_hours) as lead_time_median_hours
    from deploys as d
    left join int_deploy_lead_times as l on l.deploy_id = d.deploy_id
    group by d.app_id, d.phase
),

costs as (
    -- legacy (Helios) cost before, Kubernetes cost after
    select w.app_id, w.phase, sum(c.total_cost) as total_cost
    from weeks as w
    inner join mart_app_cost_daily as c
        on c.app_id = w.app_id
        and cast(date_trunc('week', c.cost_date) as date) = w.week_start_date
        and c.platform = case w.phase when 'before' then 'helios' else 'kubernetes' end
    group by w.app_id, w.phase
),

phases as (
    select
        k.app_id, k.phase, k.count_weeks,
        coalesce(d.count_deploys, 0) / k.count_weeks as deploys_per_week,
        d.lead_time_median_hours,
        d.count_failed_deploys / nullif(d.count_deploys, 0) as change_failure_rate,
        coalesce(c.total_cost, 0) / k.count_weeks as cost_per_week
    from week_counts as k
    left join delivery as d using (app_id, phase)
    left join costs as c using (app_id, phase)
),

final as (
    select
        a.app_id,
        a.team,
        a.migration_start_date,
        a.cutover_date,
        cast(coalesce(b.count_weeks, 0) as bigint) as weeks_before,
        cast(coalesce(f.count_weeks, 0) as bigint) as weeks_after,
        b.deploys_per_week as deploys_per_week_before,
        f.deploys_per_week as deploys_per_week_after,
        f.deploys_per_week - b.deploys_per_week as deploys_per_week_change,
        b.lead_time_median_hours as lead_time_median_hours_before,
        f.lead_time_median_hours as lead_time_median_hours_after,
        f.lead_time_median_hours - b.lead_time_median_hours as lead_time_median_hours_change,
        b.change_failure_rate as change_failure_rate_before,
        f.change_failure_rate as change_failure_rate_after,
        f.change_failure_rate - b.change_failure_rate as change_failure_rate_change,
        b.cost_per_week as cost_per_week_before,
        f.cost_per_week as cost_per_week_after,
        f.cost_per_week - b.cost_per_week as cost_per_week_change
    from apps as a
    left join phases as b on b.app_id = a.app_id and b.phase = 'before'
    left join phases as f on f.app_id = a.app_id and f.phase = 'after'
)

select * from final
