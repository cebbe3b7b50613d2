with

status as (
    select * from mart_app_migration_status
    where status_date in (select day from _fleetscope_dates)
),

labelled as (
    select status_date, team, status, kubernetes_cpu_cores, helios_cpu_cores,
        status in ('legacy', 'migrating', 'migrated') as is_in_scope
    from status
    union all
    select status_date, '__all__' as team, status, kubernetes_cpu_cores, helios_cpu_cores,
        status in ('legacy', 'migrating', 'migrated') as is_in_scope
    from status
),

counted as (
    select
        status_date,
        team,
        sum(case when is_in_scope then 1 else 0 end) as count_apps_in_scope,
        sum(case when status = 'legacy' then 1 else 0 end) as count_apps_legacy,
        sum(case when status = 'migrating' then 1 else 0 end) as count_apps_migrating,
        sum(case when status = 'migrated' then 1 else 0 end) as count_apps_migrated,
        sum(case when status = 'native' then 1 else 0 end) as count_apps_native,
        sum(case when status = 'retired' then 1 else 0 end) as count_apps_retired,
        sum(case when is_in_scope then kubernetes_cpu_cores else 0 end)
            as scope_kubernetes_cpu_cores,
        sum(case when is_in_scope then helios_cpu_cores else 0 end) as scope_helios_cpu_cores,
    from labelled
    group by status_date, team
),

final as (
    select
        status_date,
        team,
        count_apps_in_scope,
        count_apps_legacy,
        count_apps_migrating,
        count_apps_migrated,
        count_apps_native,
        count_apps_retired,
        case
            when count_apps_in_scope = 0 then 0.0
            else 100.0 * count_apps_migrated / count_apps_in_scope
        end as migrated_pct,
        -- The share is divided first and over the sum of the two totals (not of per-app sums),
        -- so that it stays within [0, 100] in floating point (100 x k / k can be
        -- 100.00000000000001): exactly 100 with nothing on Helios, 0 with nothing on Kubernetes.
        case
            when scope_kubernetes_cpu_cores + scope_helios_cpu_cores > 0
                then 100.0 * (scope_kubernetes_cpu_cores
                    / (scope_kubernetes_cpu_cores + scope_helios_cpu_cores))
            else 0.0
        end as migrated_capacity_pct,
        scope_kubernetes_cpu_cores,
        scope_kubernetes_cpu_cores + scope_helios_cpu_cores as scope_cpu_cores
    from counted
)

select * from final
