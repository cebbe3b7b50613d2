with

snapshots as (
    select * from stg_k8s_snapshots
),

runs as (
    select * from int_smoke_test_runs
),

days as (
    select cluster, cast(collected_at as date) as day, max(collected_at) as snapshot_at
    from snapshots
    group by cluster, cast(collected_at as date)
),

tests as (
    select cluster, namespace, smoke_test, min(run_date) as first_day
    from runs
    group by cluster, namespace, smoke_test
),

spine as (
    select d.day, d.cluster, d.snapshot_at, t.namespace, t.smoke_test
    from days as d
    inner join tests as t on t.cluster = d.cluster and d.day >= t.first_day
),

daily as (
    select
        cluster,
        namespace,
        smoke_test,
        run_date,
        count(*) as runs,
        count(*) filter (where outcome = 'Complete') as successes,
        count(*) filter (where outcome = 'Failed') as failures,
        quantile_cont(duration_seconds, 0.5) as duration_p50_seconds,
        quantile_cont(duration_seconds, 0.95) as duration_p95_seconds
    from runs
    group by cluster, namespace, smoke_test, run_date
),

last_success as (
    select s.day, s.cluster, s.namespace, s.smoke_test, max(r.completed_at) as last_success_at
    from spine as s
    inner join runs as r
        on r.cluster = s.cluster and r.namespace = s.namespace
        and r.smoke_test = s.smoke_test and r.outcome = 'Complete'
        and r.completed_at <= s.snapshot_at
    group by s.day, s.cluster, s.namespace, s.smoke_test
),

final as (
    select
        s.day,
        s.cluster,
        s.namespace,
        s.smoke_test,
        s.snapshot_at,
        coalesce(d.runs, 0) as runs,
        coalesce(d.successes, 0) as successes,
        coalesce(d.failures, 0) as failures,
        d.successes / nullif(d.successes + d.failures, 0) as success_rate,
        d.duration_p50_seconds,
        d.duration_p95_seconds,
        l.last_success_at,
        date_diff('second', l.last_success_at, s.snapshot_at) / 3600.0
            as hours_since_last_success
    from spine as s
    left join daily as d
        on d.cluster = s.cluster and d.namespace = s.namespace
        and d.smoke_test = s.smoke_test and d.run_date = s.day
    left join last_success as l
        on l.day = s.day and l.cluster = s.cluster and l.namespace = s.namespace
        and l.smoke_test = s.smoke_test
)

select * from final
