with

statuses as (
    select * from mart_app_migration_status
),

latest as (
    select max(status_date) as status_date from statuses
),

still_on_helios as (
    -- apps on Helios on the last day (legacy, or migrating: still running there too)
    select s.app_id, s.team, s.status, s.status_date
    from statuses as s
    inner join latest as l using (status_date)
    where s.is_on_helios
),

last_off_helios as (
    select a.app_id, max(s.status_date) filter (where not s.is_on_helios) as last_off_date
    from still_on_helios as a
    inner join statuses as s using (app_id)
    group by a.app_id
),

on_helios_since as (
    -- the first day of the app's current stretch on Helios: its alert's day, stable run to run
    select o.app_id, min(s.status_date) as since_date
    from last_off_helios as o
    inner join statuses as s using (app_id)
    where s.is_on_helios and s.status_date > coalesce(o.last_off_date, date '0001-01-01')
    group by o.app_id
),

window_days as (
    -- the last 28 days with cost data (fewer at the start of the history)
    select distinct c.cost_date
    from mart_app_cost_daily as c
    cross join latest as l
    where c.cost_date between l.status_date - 27 and l.status_date
),

helios_costs as (
    select app_id, sum(reconciled_cost) as cost
    from mart_app_cost_daily
    where platform = 'helios' and cost_date in (select cost_date from window_days)
    group by app_id
),

impact as (
    -- the before/after change of an app's weekly cost measured on the apps already migrated
    select team, median_before, median_change, change_interval_low, change_interval_high
    from mart_migration_impact_summary
    where metric = 'cost_per_week' and median_before > 0
),

priced as (
    select
        a.app_id,
        a.team,
        a.status,
        a.status_date,
        h.since_date as on_helios_since,
        -- per month: the mean day of the window x 365.25 / 12 days
        coalesce(c.cost, 0.0) / (select count(*) from window_days) * 365.25 / 12
            as helios_cost_per_month,
        coalesce(t.team, g.team) as impact_basis,
        coalesce(t.median_change, g.median_change)
            / coalesce(t.median_before, g.median_before) as change_ratio,
        coalesce(t.change_interval_low, g.change_interval_low)
            / coalesce(t.median_before, g.median_before) as change_ratio_low,
        coalesce(t.change_interval_high, g.change_interval_high)
            / coalesce(t.median_before, g.median_before) as change_ratio_high
    from still_on_helios as a
    inner join on_helios_since as h using (app_id)
    left join helios_costs as c using (app_id)
    left join impact as t on t.team = a.team
    left join impact as g on g.team = '__all__'
),

final as (
    select
        app_id,
        team,
        status,
        status_date,
        on_helios_since,
        helios_cost_per_month,
        impact_basis,
        change_ratio,
        change_ratio_low,
        change_ratio_high,
        -helios_cost_per_month * change_ratio as saving_per_month,
        -- a larger cost increase is a smaller saving: the interval's bounds swap
        -helios_cost_per_month * change_ratio_high as saving_per_month_low,
        -helios_cost_per_month * change_ratio_low as saving_per_month_high,
        case
            when change_ratio is null then 'not measured'
            when change_ratio_high < 0 then 'saving'
            when change_ratio_low > 0 then 'costs more'
            else 'no clear saving'
        end as verdict
    from priced
)

select * from final
