with

pod_hours as (
    select * from raw_prom_pod_scheduling
    where cast(hour_start as date) in (select day from _fleetscope_dates)
),

utilization as (
    select * from mart_cluster_utilization_daily
    where usage_date in (select day from _fleetscope_dates)
),

pods_scheduled as (
    -- a pod (namespace, name, creation time: a name can be reused) scheduled on the day; its
    -- scheduled time is the first kube-state-metrics reported
    select
        cluster,
        namespace,
        pod_name,
        created_at,
        min(scheduled_at) as scheduled_at
    from pod_hours
    where created_at is not null and scheduled_at is not null
    group by cluster, namespace, pod_name, created_at
),

latencies as (
    select
        cast(scheduled_at as date) as usage_date,
        cluster,
        count(*) as count_pods_scheduled,
        quantile_cont(greatest(date_diff('millisecond', created_at, scheduled_at), 0) / 1000.0,
            0.5) as schedule_seconds_p50,
        quantile_cont(greatest(date_diff('millisecond', created_at, scheduled_at), 0) / 1000.0,
            0.95) as schedule_seconds_p95,
        max(greatest(date_diff('millisecond', created_at, scheduled_at), 0) / 1000.0)
            as schedule_seconds_max
    from pods_scheduled
    where cast(scheduled_at as date) in (select day from _fleetscope_dates)
    group by cast(scheduled_at as date), cluster
),

pending as (
    select
        cast(hour_start as date) as usage_date,
        cluster,
        sum(coalesce(pending_hours, 0)) as pending_pod_hours,
        count(distinct case when pending_hours > 0 then namespace || '/' || pod_name end)
            as count_pods_pending,
        count(distinct case when is_unschedulable then namespace || '/' || pod_name end)
            as count_pods_unschedulable
    from pod_hours
    group by cast(hour_start as date), cluster
),

days as (
    select usage_date, cluster from pending
    union
    select usage_date, cluster from latencies
),

final as (
    select
        d.usage_date,
        d.cluster,
        coalesce(p.pending_pod_hours, 0.0) as pending_pod_hours,
        coalesce(p.count_pods_pending, 0) as count_pods_pending,
        coalesce(p.count_pods_unschedulable, 0) as count_pods_unschedulable,
        coalesce(l.count_pods_scheduled, 0) as count_pods_scheduled,
        l.schedule_seconds_p50,
        l.schedule_seconds_p95,
        l.schedule_seconds_max,
        u.pending_cpu_core_hours,
        u.pending_ram_gib_hours
    from days as d
    left join pending as p using (usage_date, cluster)
    left join latencies as l using (usage_date, cluster)
    left join utilization as u using (usage_date, cluster)
)

select * from final
