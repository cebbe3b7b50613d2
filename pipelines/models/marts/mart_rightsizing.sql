with

rates as (
    select * from ref_pricing_rates
),

container_hours as (
    select * from int_container_hours
),

days as (
    select day from _fleetscope_dates
),

window_days as (
    -- the last `rightsizing_window_days` days of data (this model sees every day)
    select d.day, r.rightsizing_target_utilization as target
    from days as d
    cross join rates as r
    where d.day > (select max(day) from days) - r.rightsizing_window_days * interval '1' day
),

recent as (
    -- joined on the stored date column so that only the window's rows are read
    select c.*, w.target
    from container_hours as c
    inner join window_days as w on w.day = c.usage_date
),

window_hours as (
    select count(distinct hour_start) as hours from recent
),

latest_team as (
    select
        cluster, namespace, workload_kind, workload_name, team,
        row_number() over (
            partition by cluster, namespace, workload_kind, workload_name
            order by hour_start desc, team
        ) as recency
    from recent
),

per_container as (
    select
        cluster,
        namespace,
        workload_kind,
        workload_name,
        container_name,
        max(target) as target,
        avg(coalesce(cpu_request_cores, 0)) as cpu_request_cores,
        avg(coalesce(memory_request_bytes, 0)) as memory_request_bytes,
        percentile_cont(0.95) within group (order by cpu_usage_cores) as cpu_p95_cores,
        percentile_cont(0.95) within group (
            order by coalesce(memory_working_set_bytes_max, memory_working_set_bytes_avg)
        ) as memory_p95_bytes
    from recent
    group by cluster, namespace, workload_kind, workload_name, container_name
),

recommended as (
    select
        *,
        greatest(cpu_p95_cores / target, 0.01) as recommended_cpu_request_cores,
        greatest(memory_p95_bytes / target, 20.0 * 1048576) as recommended_memory_request_bytes
    from per_container
),

costs as (
    select
        h.cluster,
        h.namespace,
        h.workload_kind,
        h.workload_name,
        h.container_name,
        sum(h.cpu_cost_unscaled + h.ram_cost_unscaled) as current_cost,
        sum(
            greatest(r.recommended_cpu_request_cores * h.running_hours, h.cpu_used_core_hours)
                * h.cpu_price_per_core_hour
            + greatest(r.recommended_memory_request_bytes / 1073741824.0 * h.running_hours,
                       h.ram_used_gib_hours) * h.ram_price_per_gib_hour
        ) as recommended_cost
    from recent as h
    inner join recommended as r
        using (cluster, namespace, workload_kind, workload_name, container_name)
    group by h.cluster, h.namespace, h.workload_kind, h.workload_name, h.container_name
),

per_workload as (
    select
        r.cluster,
        r.namespace,
        r.workload_kind,
        r.workload_name,
        count(*) as count_containers,
        sum(r.cpu_request_cores) as cpu_request_cores,
        sum(r.recommended_cpu_request_cores) as recommended_cpu_request_cores,
        sum(r.memory_request_bytes) as memory_request_bytes,
        sum(r.recommended_memory_request_bytes) as recommended_memory_request_bytes,
        sum(c.current_cost) as window_cost,
        sum(c.recommended_cost) as window_recommended_cost
    from recommended as r
    inner join costs as c using (cluster, namespace, workload_kind, workload_name, container_name)
    group by r.cluster, r.namespace, r.workload_kind, r.workload_name
),

final as (
    select
        t.team,
        w.cluster,
        w.namespace,
        w.workload_kind,
        w.workload_name as workload,
        w.count_containers,
        w.cpu_request_cores,
        w.recommended_cpu_request_cores,
        w.memory_request_bytes,
        w.recommended_memory_request_bytes,
        w.window_cost * 730.0 / h.hours as monthly_cost,
        w.window_recommended_cost * 730.0 / h.hours as monthly_recommended_cost,
        (w.window_cost - w.window_recommended_cost) * 730.0 / h.hours as monthly_savings
    from per_workload as w
    cross join window_hours as h
    inner join latest_team as t using (cluster, namespace, workload_kind, workload_name)
    where t.recency = 1
)

select * from final
