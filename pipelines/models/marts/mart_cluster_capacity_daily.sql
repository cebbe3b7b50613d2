with

as_of_days as (
    select day from _fleetscope_dates
),

settings as (
    select * from ref_capacity
),

node_days as (
    -- the 28 days ending on each computed day (the trend's window)
    select * from int_node_capacity_daily
    where usage_date >= (select min(day) from as_of_days) - interval '27' day
),

pool_days as (
    -- day averages (core-hours / 24): a node present half the day counts half
    select
        usage_date,
        cluster,
        node_pool,
        count(*) as count_nodes,
        sum(cpu_allocatable_core_hours) / 24.0 as cpu_allocatable_cores,
        sum(cpu_requested_core_hours) / 24.0 as cpu_requested_cores,
        sum(ram_allocatable_gib_hours) / 24.0 as memory_allocatable_gib,
        sum(ram_requested_gib_hours) / 24.0 as memory_requested_gib,
        sum(gpu_allocatable_hours) / 24.0 as gpu_allocatable,
        sum(gpu_requested_hours) / 24.0 as gpu_requested,
        cast(sum(count_median_pods_fit) as bigint) as count_median_pods_fit,
        any_value(median_pod_cpu_cores) as median_pod_cpu_cores,
        any_value(median_pod_memory_gib) as median_pod_memory_gib
    from node_days
    group by usage_date, cluster, node_pool
),

shares as (
    select
        *,
        case when cpu_allocatable_cores > 0
            then 100.0 * cpu_requested_cores / cpu_allocatable_cores end as cpu_requested_pct,
        case when memory_allocatable_gib > 0
            then 100.0 * memory_requested_gib / memory_allocatable_gib end
            as memory_requested_pct
    from pool_days
),

points as (
    -- the requested share (the scarcer resource) of each of the 28 days ending on as_of_date
    select
        a.cluster,
        a.node_pool,
        a.usage_date as as_of_date,
        date_diff('day', a.usage_date, b.usage_date) as day_offset,
        greatest(b.cpu_requested_pct, b.memory_requested_pct) as share_pct
    from shares as a
    inner join shares as b
        on b.cluster = a.cluster
        and b.node_pool = a.node_pool
        and b.usage_date <= a.usage_date
        and date_diff('day', b.usage_date, a.usage_date) < 28
    where a.usage_date in (select day from as_of_days)
        and greatest(b.cpu_requested_pct, b.memory_requested_pct) is not null
),

pair_slopes as (
    -- Theil-Sen, as mart_migration_forecast: the median of the slopes between every two days
    select
        p1.cluster,
        p1.node_pool,
        p1.as_of_date,
        (p2.share_pct - p1.share_pct) / (p2.day_offset - p1.day_offset) as slope
    from points as p1
    inner join points as p2
        on p2.cluster = p1.cluster
        and p2.node_pool = p1.node_pool
        and p2.as_of_date = p1.as_of_date
        and p2.day_offset > p1.day_offset
),

slopes as (
    select
        cluster,
        node_pool,
        as_of_date,
        percentile_cont(0.5) within group (order by slope) as slope_pct_per_day
    from pair_slopes
    group by cluster, node_pool, as_of_date
),

intercepts as (
    select
        p.cluster,
        p.node_pool,
        p.as_of_date,
        count(*) as count_trend_days,
        percentile_cont(0.5) within group (
            order by p.share_pct - s.slope_pct_per_day * p.day_offset
        ) as fitted_share_pct
    from points as p
    inner join slopes as s using (cluster, node_pool, as_of_date)
    group by p.cluster, p.node_pool, p.as_of_date
),

fitted as (
    select
        d.*,
        greatest(d.cpu_requested_pct, d.memory_requested_pct) as requested_share_pct,
        coalesce(i.count_trend_days, 1) as count_trend_days,
        s.slope_pct_per_day,
        i.fitted_share_pct,
        t.requested_share_threshold_pct
    from shares as d
    left join slopes as s
        on s.cluster = d.cluster and s.node_pool = d.node_pool and s.as_of_date = d.usage_date
    left join intercepts as i
        on i.cluster = d.cluster and i.node_pool = d.node_pool and i.as_of_date = d.usage_date
    cross join settings as t
    where d.usage_date in (select day from as_of_days)
),

final as (
    select
        usage_date,
        cluster,
        node_pool,
        count_nodes,
        cpu_allocatable_cores,
        cpu_requested_cores,
        greatest(cpu_allocatable_cores - cpu_requested_cores, 0) as cpu_headroom_cores,
        memory_allocatable_gib,
        memory_requested_gib,
        greatest(memory_allocatable_gib - memory_requested_gib, 0) as memory_headroom_gib,
        gpu_allocatable,
        gpu_requested,
        greatest(gpu_allocatable - gpu_requested, 0) as gpu_headroom,
        cpu_requested_pct,
        memory_requested_pct,
        requested_share_pct,
        median_pod_cpu_cores,
        median_pod_memory_gib,
        count_median_pods_fit,
        slope_pct_per_day,
        fitted_share_pct,
        count_trend_days,
        requested_share_threshold_pct,
        case
            when requested_share_pct >= requested_share_threshold_pct then 0
            -- a rise of float noise (1e-14 %/day) would give a date millions of years away:
            -- beyond ten years there is no date worth showing
            when slope_pct_per_day > 0 and (requested_share_threshold_pct - fitted_share_pct)
                / slope_pct_per_day <= 3650 then cast(greatest(ceil(
                (requested_share_threshold_pct - fitted_share_pct) / slope_pct_per_day), 1)
                as integer)
        end as days_to_threshold
    from fitted
)

select * from final
