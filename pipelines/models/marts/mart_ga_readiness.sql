-- GA readiness: every operational-solidity check per cluster and day, against its threshold.
-- DiRT checks are judged on the snapshot days too, from the latest exercise on or before.
-- Each `*_checks` CTE gives (day, cluster, check_name, value, forced_status, detail); a
-- forced status (Velero not installed, no smoke test) wins over the threshold comparison.
with

thresholds as (
    select * from ref_ga_thresholds
),

backups as (
    select * from mart_backups_daily
),

coverage as (
    select * from mart_backup_coverage_daily
),

smoke as (
    select * from mart_smoke_tests_daily
),

capacity as (
    select * from mart_cluster_capacity_daily
),

scheduling as (
    select * from mart_scheduling_daily
),

signals as (
    select * from mart_integration_signals_daily
),

dirt as (
    select * from mart_dirt_exercises
),

-- One row per cluster and snapshot day: mart_backups_daily has one even without Velero.
snapshot_days as (
    select
        day,
        cluster,
        any_value(velero_status) as velero_status,
        -- the special rows (`__manual__`, `__no_velero__`, `__no_schedules__`) schedule nothing
        count(*) filter (where schedule_name not like '\_\_%' escape '\' and not paused)
            as count_active_schedules,
        max(coalesce(last_completed_age_hours, 'infinity'::double))
            filter (where schedule_name not like '\_\_%' escape '\' and not paused)
            as worst_age_hours,
        -- ties (two schedules never completed): the last name, on both engines
        arg_max(schedule_name, struct_pack(
            age := coalesce(last_completed_age_hours, 'infinity'::double), name := schedule_name))
            filter (where schedule_name not like '\_\_%' escape '\' and not paused)
            as worst_schedule,
        coalesce(sum(failed_backups), 0) as failed_backups,
        coalesce(sum(partially_failed_backups), 0) as partially_failed_backups
    from backups
    group by day, cluster
),

velero_missing as (
    -- both backups checks say why instead of reporting zero
    select
        day,
        cluster,
        case velero_status
            when 'not_installed' then 'fail'
            when 'unknown' then 'unknown'
        end as forced_status,
        case velero_status
            when 'not_installed' then 'Velero not installed'
            when 'unknown' then 'Velero status unknown (offline snapshot)'
        end as detail
    from snapshot_days
    where velero_status <> 'installed'
),

backup_checks as (
    select
        s.day,
        s.cluster,
        'backups.last_completed_age_hours' as check_name,
        case when isfinite(s.worst_age_hours) then s.worst_age_hours end as value,
        coalesce(m.forced_status, case
            when s.count_active_schedules = 0 then 'fail'
            when not isfinite(s.worst_age_hours) then 'fail'
        end) as forced_status,
        coalesce(m.detail, case
            when s.count_active_schedules = 0 then 'no active Velero schedule'
            when not isfinite(s.worst_age_hours)
                then 'schedule ' || s.worst_schedule || ' never completed a backup'
            else 'oldest: schedule ' || s.worst_schedule
        end) as detail
    from snapshot_days as s
    left join velero_missing as m using (day, cluster)
    union all
    select
        s.day,
        s.cluster,
        'backups.namespaces_uncovered',
        -- without Velero the count is not the news: NULL, and the detail says why
        case when any_value(m.detail) is null then count(c.namespace) end,
        any_value(m.forced_status),
        coalesce(any_value(m.detail), case when count(c.namespace) > 0
            then string_agg(c.namespace, ', ' order by c.namespace) else 'none' end)
    from snapshot_days as s
    left join coverage as c using (day, cluster)
    left join velero_missing as m using (day, cluster)
    group by s.day, s.cluster
    union all
    select
        s.day,
        s.cluster,
        'backups.failed',
        case when m.detail is null then s.failed_backups + s.partially_failed_backups end,
        m.forced_status,
        coalesce(m.detail, s.failed_backups || ' failed, '
            || s.partially_failed_backups || ' partially failed')
    from snapshot_days as s
    left join velero_missing as m using (day, cluster)
),

smoke_daily as (
    select
        s.day,
        s.cluster,
        count(k.smoke_test) as count_tests,
        sum(k.successes) as successes,
        sum(k.successes + k.failures) as finished,
        max(coalesce(k.hours_since_last_success, 'infinity'::double)) as worst_hours,
        -- ties: the last name, on both engines
        arg_max(k.namespace || '/' || k.smoke_test, struct_pack(
            hours := coalesce(k.hours_since_last_success, 'infinity'::double),
            name := k.namespace || '/' || k.smoke_test)) as worst_test
    from snapshot_days as s
    left join smoke as k using (day, cluster)
    group by s.day, s.cluster
),

smoke_checks as (
    select
        day,
        cluster,
        'smoke.success_rate' as check_name,
        successes / nullif(finished, 0) as value,
        case when count_tests = 0 then 'fail' end as forced_status,
        case
            when count_tests = 0 then 'no smoke test'
            when coalesce(finished, 0) = 0 then 'no smoke run finished'
            else successes || ' of ' || finished || ' runs succeeded'
        end as detail
    from smoke_daily
    union all
    select
        day,
        cluster,
        'smoke.hours_since_last_success',
        case when isfinite(worst_hours) then worst_hours end,
        case when count_tests = 0 or not isfinite(worst_hours) then 'fail' end,
        case
            when count_tests = 0 then 'no smoke test'
            when not isfinite(worst_hours) then worst_test || ' never succeeded'
            else 'stalest: ' || worst_test
        end
    from smoke_daily
),

first_pools as (
    -- per cluster and day, the pool that reaches the threshold first; a tie goes to the first
    -- name (arg_min would pick either, and DuckDB and Spark picked differently on the 90-day
    -- demo)
    select usage_date, cluster, node_pool
    from (
        select usage_date, cluster, node_pool,
            row_number() over (
                partition by usage_date, cluster order by days_to_threshold, node_pool
            ) as pool_rank
        from capacity
        where days_to_threshold is not null
    ) as ranked
    where pool_rank = 1
),

capacity_checks as (
    -- the cluster as a whole: the scarcer of CPU and memory over every pool
    select
        usage_date as day,
        cluster,
        'capacity.requested_share_pct' as check_name,
        greatest(100.0 * sum(cpu_requested_cores) / nullif(sum(cpu_allocatable_cores), 0),
                 100.0 * sum(memory_requested_gib) / nullif(sum(memory_allocatable_gib), 0))
            as value,
        null as forced_status,
        count(*) || ' node pool(s)' as detail
    from capacity
    group by usage_date, cluster
    union all
    select
        c.usage_date,
        c.cluster,
        'capacity.days_to_threshold',
        min(c.days_to_threshold),
        -- no pool rising toward the threshold: nothing to forecast, which is a pass
        case when min(c.days_to_threshold) is null then 'pass' end,
        case when min(c.days_to_threshold) is null then 'no node pool rising toward the threshold'
            else 'first: node pool ' || min(f.node_pool) end
    from capacity as c
    left join first_pools as f on f.usage_date = c.usage_date and f.cluster = c.cluster
    group by c.usage_date, c.cluster
),

scheduling_checks as (
    select
        usage_date as day,
        cluster,
        'scheduling.schedule_seconds_p95' as check_name,
        schedule_seconds_p95 as value,
        null as forced_status,
        count_pods_scheduled || ' pods scheduled' as detail
    from scheduling
    union all
    select
        usage_date,
        cluster,
        'scheduling.count_pods_unschedulable',
        count_pods_unschedulable,
        null,
        round(pending_pod_hours, 1) || ' pending pod-hours'
    from scheduling
),

dirt_last as (
    -- the cluster's latest exercise on or before the day (two on a day: the later numbered)
    select
        s.day,
        s.cluster,
        d.exercise_date,
        d.scenario,
        d.outcome,
        d.open_follow_ups_count
    from snapshot_days as s
    left join dirt as d on d.cluster = s.cluster and d.exercise_date <= s.day
    qualify row_number() over (
        partition by s.day, s.cluster
        order by d.exercise_date desc nulls last, d.cluster_exercise_number desc nulls last
    ) = 1
),

dirt_checks as (
    select
        day,
        cluster,
        'dirt.days_since_last_exercise' as check_name,
        cast(day - exercise_date as double) as value,
        case when exercise_date is null then 'fail' end as forced_status,
        case when exercise_date is null then 'no DiRT exercise'
            else 'last: ' || scenario || ' on ' || exercise_date end as detail
    from dirt_last
    union all
    select
        day,
        cluster,
        'dirt.last_outcome',
        case outcome when 'pass' then 1.0 when 'partial' then 0.5 when 'fail' then 0.0 end,
        case when exercise_date is null then 'fail' end,
        case when exercise_date is null then 'no DiRT exercise'
            else scenario || ' on ' || exercise_date || ': ' || outcome || ', '
                || open_follow_ups_count || ' open follow-up(s)' end
    from dirt_last
),

checks as (
    select * from dirt_checks
    union all
    select * from backup_checks
    union all
    select * from smoke_checks
    union all
    select * from capacity_checks
    union all
    select * from scheduling_checks
),

judged as (
    select
        c.day,
        c.cluster,
        c.check_name,
        c.value,
        t.unit,
        t.direction,
        t.warn_threshold,
        t.fail_threshold,
        coalesce(c.forced_status, case
            when c.value is null or t.direction is null then 'unknown'
            when t.direction = 'max' and c.value > t.fail_threshold then 'fail'
            when t.direction = 'max' and c.value > t.warn_threshold then 'warn'
            when t.direction = 'min' and c.value < t.fail_threshold then 'fail'
            when t.direction = 'min' and c.value < t.warn_threshold then 'warn'
            else 'pass'
        end) as status,
        c.detail
    from checks as c
    left join thresholds as t using (check_name)
),

signal_checks as (
    -- the integration components keep the status their own mart judged
    select
        usage_date as day,
        cluster,
        'signals.' || component || '.' || signal as check_name,
        value,
        unit,
        'max' as direction,
        warn_above as warn_threshold,
        fail_above as fail_threshold,
        status,
        'worst of ' || count_hours || ' hours; ' || count_hours_failing || ' above fail'
            as detail
    from signals
),

final as (
    select
        day,
        cluster,
        check_name,
        split_part(check_name, '.', 1) as check_group,
        value,
        unit,
        direction,
        warn_threshold,
        fail_threshold,
        status,
        detail
    from (select * from judged union all select * from signal_checks)
)

select * from final
