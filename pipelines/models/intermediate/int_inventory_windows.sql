with

days as (
    select day from _fleetscope_dates
),

snapshots as (
    select * from stg_k8s_snapshots
),

day_windows as (
    select
        c.cluster,
        d.day,
        max(case when s.collected_at <= cast(d.day as timestamp) then s.collected_at end)
            as window_start
    from days as d
    cross join (select distinct cluster from snapshots) as c
    left join snapshots as s on s.cluster = c.cluster
    group by c.cluster, d.day
),

final as (
    select w.cluster, w.day as usage_date, s.collected_at
    from day_windows as w
    inner join snapshots as s
        on s.cluster = w.cluster
        and s.collected_at < cast(w.day as timestamp) + interval '2' day
        and (w.window_start is null or s.collected_at >= w.window_start)
)

select * from final
