-- grain: one row per app and day, from the first day the app ran anywhere (a native app that
-- stops running has no row on the days it runs nowhere)
-- materialized: table
-- DESIGN "Migration model": legacy = only on Helios; migrating = on both; migrated = only on
-- Kubernetes after having run on Helios; native = on Kubernetes, never on Helios; retired = ran
-- on Helios, runs nowhere now. An app that moves back to Helios is legacy again. The team of a
-- day where the app runs nowhere is its last known team.
with

platform as (
    select * from int_app_platform_daily
),

days as (
    select distinct snapshot_date as status_date from int_app_snapshot_days
),

apps as (
    select app_id, min(status_date) as first_date
    from platform
    group by app_id
),

grid as (
    select a.app_id, d.status_date
    from apps as a
    inner join days as d on d.status_date >= a.first_date
),

history as (
    select
        g.status_date,
        g.app_id,
        coalesce(p.is_on_kubernetes, false) as is_on_kubernetes,
        coalesce(p.is_on_helios, false) as is_on_helios,
        coalesce(p.kubernetes_cpu_cores, 0) as kubernetes_cpu_cores,
        coalesce(p.helios_cpu_cores, 0) as helios_cpu_cores,
        max(case when p.is_on_helios then 1 else 0 end) over (
            partition by g.app_id order by g.status_date
            rows between unbounded preceding and current row
        ) = 1 as has_run_on_helios,
        last_value(p.team ignore nulls) over (
            partition by g.app_id order by g.status_date
            rows between unbounded preceding and current row
        ) as team
    from grid as g
    left join platform as p
        on p.app_id = g.app_id and p.status_date = g.status_date
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
