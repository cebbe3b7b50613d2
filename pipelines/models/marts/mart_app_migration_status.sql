with

days as (
    select distinct snapshot_date as status_date
    from int_app_snapshot_days
    where snapshot_date in (select day from _fleetscope_dates)
),

platform as (
    select * from int_app_platform_daily
    where status_date in (select status_date from days)
),

earlier_helios_apps as (
    -- apps that ran on Helios before the first day computed, with their last known team (an
    -- app that never ran on Helios has no row on a day it runs nowhere: no state needed)
    select app_id, arg_max(team, status_date) as team
    from int_app_platform_daily
    where status_date < (select min(day) from _fleetscope_dates)
    group by app_id
    having max(case when is_on_helios then 1 else 0 end) = 1
),

apps as (
    select distinct app_id from platform
    union
    select app_id from earlier_helios_apps
),

grid as (
    select a.app_id, d.status_date
    from apps as a
    cross join days as d
),

history as (
    select
        g.status_date,
        g.app_id,
        coalesce(p.is_on_kubernetes, false) as is_on_kubernetes,
        coalesce(p.is_on_helios, false) as is_on_helios,
        coalesce(p.kubernetes_cpu_cores, 0) as kubernetes_cpu_cores,
        coalesce(p.helios_cpu_cores, 0) as helios_cpu_cores,
        e.app_id is not null or max(case when p.is_on_helios then 1 else 0 end) over (
            partition by g.app_id order by g.status_date
            rows between unbounded preceding and current row
        ) = 1 as has_run_on_helios,
        coalesce(last_value(p.team ignore nulls) over (
            partition by g.app_id order by g.status_date
            rows between unbounded preceding and current row
        ), e.team) as team
    from grid as g
    left join platform as p
        on p.app_id = g.app_id and p.status_date = g.status_date
    left join earlier_helios_apps as e
        on e.app_id = g.app_id
),

classified as (
    select
        status_date,
        app_id,
        team,
        case
            when is_on_helios and is_on_kubernetes then 'migrating'
            when is_on_helios then 'legacy'
            when is_on_kubernetes and has_run_on_helios then 'migrated'
            when is_on_kubernetes then 'native'
            when has_run_on_helios then 'retired'
        end as status,
        is_on_kubernetes,
        is_on_helios,
        kubernetes_cpu_cores,
        helios_cpu_cores
    from history
),

final as (
    select * from classified where status is not null
)

select * from final
