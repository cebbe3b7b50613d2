with

rates as (
    select * from ref_pricing_rates
),

inventory_pods as (
    -- $inventory_from/$inventory_to bound the snapshots the computed days may use: constants
    -- that DuckDB pushes into the views, so an incremental run reads only those snapshots
    select * from raw_k8s_pods
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

inventory_containers as (
    select * from stg_k8s_containers
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

owners as (
    select * from int_k8s_workloads_owned
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

node_hours as (
    select * from int_node_hours
),

container_hours as (
    -- joined to the hour spine on the raw column so that the scan only reads the hours being
    -- computed; a load replaces its window, so each container-hour comes from the latest load
    select c.*
    from stg_prom_container_hours as c
    inner join int_day_hours as h on h.hour_start = c.hour_start
    where h.usage_date in (select day from _fleetscope_dates)
),

window_snapshots as (
    -- the inventory snapshots each computed day may use (int_inventory_windows says which)
    select cluster, usage_date as day, collected_at from int_inventory_windows
    where usage_date in (select day from _fleetscope_dates)
),

used_snapshots as (
    select distinct cluster, collected_at from window_snapshots
),

pod_attributes as (
    -- one row per pod and snapshot in use, with its workload's app and team
    select
        p.cluster,
        p.collected_at,
        p.namespace,
        p.pod_name,
        p.node_name,
        p.phase,
        p.workload_kind,
        p.workload_name,
        p.pod_cpu_request_cores,
        p.pod_memory_request_bytes,
        coalesce(o.app_id, p.workload_name) as app_id,
        coalesce(o.team, '__unallocated__') as team,
        coalesce(o.team_source, 'unallocated') as team_source
    from inventory_pods as p
    inner join used_snapshots using (cluster, collected_at)
    left join owners as o using (cluster, collected_at, namespace, workload_kind, workload_name)
),

pod_intervals as (
    -- per day, each snapshot of the pod in the day's window holds from its time to the next
    -- one; the first also holds before it: so an hour gets the latest snapshot at or before
    -- it, else the first one after it
    select
        ws.day,
        a.*,
        case when lag(a.collected_at) over pod_window is null then null
            else a.collected_at end as valid_from,
        lead(a.collected_at) over pod_window as valid_to
    from window_snapshots as ws
    inner join pod_attributes as a using (cluster, collected_at)
    window pod_window as (
        partition by ws.day, a.cluster, a.namespace, a.pod_name order by a.collected_at
    )
),

enriched as (
    select
        c.usage_date,
        c.hour_start,
        c.cluster,
        c.namespace,
        c.pod_name,
        c.container_name,
        -- an init container is charged like an app container, for its own running fraction:
        -- requests x running, CPU usage (already the hour's average), memory while running
        -- x running (docs/transform.md)
        c.is_init,
        coalesce(c.node_name, p.node_name) as node_name,
        p.collected_at is not null as is_pod_known,
        coalesce(p.workload_kind, 'Pod') as workload_kind,
        coalesce(p.workload_name, c.pod_name) as workload_name,
        coalesce(p.app_id, '__unallocated__') as app_id,
        coalesce(p.team, '__unallocated__') as team,
        coalesce(p.team_source, 'unallocated') as team_source,
        -- a pod-level request (PodLevelResources, Kubernetes 1.32+) is what the scheduler
        -- reserves for the pod as a whole, for any of its containers to use: it is split over
        -- the containers in the hour by their usage (by their own requests in an idle hour,
        -- else evenly), so the pod is charged max(its request, its usage) exactly
        -- (docs/transform.md); kube-state-metrics has no pod-level series: the inventory's
        case when p.pod_cpu_request_cores is null
                then coalesce(c.cpu_request_cores, ic.cpu_request_cores)
            when sum(coalesce(c.cpu_usage_cores, 0)) over pod_hour > 0
                then p.pod_cpu_request_cores * coalesce(c.cpu_usage_cores, 0)
                    / sum(coalesce(c.cpu_usage_cores, 0)) over pod_hour
            when sum(coalesce(c.cpu_request_cores, ic.cpu_request_cores, 0)) over pod_hour > 0
                then p.pod_cpu_request_cores
                    * coalesce(c.cpu_request_cores, ic.cpu_request_cores, 0)
                    / sum(coalesce(c.cpu_request_cores, ic.cpu_request_cores, 0)) over pod_hour
            else p.pod_cpu_request_cores / count(*) over pod_hour
        end as cpu_request_cores,
        case when p.pod_memory_request_bytes is null
                then coalesce(c.memory_request_bytes, ic.memory_request_bytes)
            when sum(coalesce(c.memory_working_set_bytes_avg, 0)) over pod_hour > 0
                then p.pod_memory_request_bytes * coalesce(c.memory_working_set_bytes_avg, 0)
                    / sum(coalesce(c.memory_working_set_bytes_avg, 0)) over pod_hour
            when sum(coalesce(c.memory_request_bytes, ic.memory_request_bytes, 0))
                    over pod_hour > 0
                then p.pod_memory_request_bytes
                    * coalesce(c.memory_request_bytes, ic.memory_request_bytes, 0)
                    / sum(coalesce(c.memory_request_bytes, ic.memory_request_bytes, 0))
                        over pod_hour
            else p.pod_memory_request_bytes / count(*) over pod_hour
        end as memory_request_bytes,
        coalesce(c.gpu_request, ic.gpu_request) as gpu_request,
        -- not running, not charged: an hour without a running series, or of a pod without a
        -- node, ran 0 hours (a pending pod's request series alone costs nothing)
        case when coalesce(c.node_name, p.node_name) is null then 0.0
            else least(greatest(coalesce(c.running_hours, 0), 0), 1) end as running_hours,
        -- pending: not on a node yet, or scheduled with its containers not started
        coalesce(c.node_name, p.node_name) is null or p.phase = 'Pending' as is_pod_pending,
        coalesce(c.cpu_usage_cores, 0) as cpu_usage_cores,
        coalesce(c.memory_working_set_bytes_avg, 0) as memory_working_set_bytes_avg,
        c.memory_working_set_bytes_max
    from container_hours as c
    left join pod_intervals as p
        on p.cluster = c.cluster
        and p.day = c.usage_date
        and p.namespace = c.namespace
        and p.pod_name = c.pod_name
        and (p.valid_from is null or c.hour_start >= p.valid_from)
        and (p.valid_to is null or c.hour_start < p.valid_to)
    left join inventory_containers as ic
        on ic.cluster = c.cluster
        and ic.collected_at = p.collected_at
        and ic.namespace = c.namespace
        and ic.pod_name = c.pod_name
        and ic.container_name = c.container_name
    window pod_hour as (partition by c.cluster, c.namespace, c.pod_name, c.hour_start)
),

quantities as (
    select
        *,
        coalesce(cpu_request_cores, 0) * running_hours as cpu_requested_core_hours,
        -- usage counts only in hours the container ran (the running series; the collector
        -- gives a container with none of either kind its cAdvisor series' presence instead)
        case when running_hours > 0 then cpu_usage_cores else 0.0 end as cpu_used_core_hours,
        coalesce(memory_request_bytes, 0) / 1073741824.0 * running_hours
            as ram_requested_gib_hours,
        memory_working_set_bytes_avg / 1073741824.0 * running_hours as ram_used_gib_hours,
        coalesce(gpu_request, 0) * running_hours as gpu_charged_hours,
        -- requests waiting for a node, for the capacity and scheduling work: never charged
        case when is_pod_pending then coalesce(cpu_request_cores, 0) * (1 - running_hours)
            else 0.0 end as pending_cpu_core_hours,
        case when is_pod_pending
            then coalesce(memory_request_bytes, 0) / 1073741824.0 * (1 - running_hours)
            else 0.0 end as pending_ram_gib_hours
    from enriched
),

final as (
    select
        q.*,
        greatest(q.cpu_requested_core_hours, q.cpu_used_core_hours) as cpu_charged_core_hours,
        greatest(q.ram_requested_gib_hours, q.ram_used_gib_hours) as ram_charged_gib_hours,
        n.node_name is not null as is_node_known,
        coalesce(n.cpu_price_per_core_hour, r.cpu_per_core_hour) as cpu_price_per_core_hour,
        coalesce(n.ram_price_per_gib_hour, r.ram_per_gib_hour) as ram_price_per_gib_hour,
        coalesce(n.gpu_price_per_gpu_hour, r.gpu_per_hour) as gpu_price_per_gpu_hour,
        greatest(q.cpu_requested_core_hours, q.cpu_used_core_hours)
            * coalesce(n.cpu_price_per_core_hour, r.cpu_per_core_hour) as cpu_cost_unscaled,
        greatest(q.ram_requested_gib_hours, q.ram_used_gib_hours)
            * coalesce(n.ram_price_per_gib_hour, r.ram_per_gib_hour) as ram_cost_unscaled,
        q.gpu_charged_hours * coalesce(n.gpu_price_per_gpu_hour, r.gpu_per_hour)
            as gpu_cost_unscaled,
        -- the part of the charge that requests make: never scaled for a busy node's sake, while
        -- the rest (usage above requests, the burst) may be (int_node_hours_allocated)
        q.cpu_requested_core_hours * coalesce(n.cpu_price_per_core_hour, r.cpu_per_core_hour)
            as cpu_request_cost_unscaled,
        q.ram_requested_gib_hours * coalesce(n.ram_price_per_gib_hour, r.ram_per_gib_hour)
            as ram_request_cost_unscaled
    from quantities as q
    left join node_hours as n using (cluster, node_name, hour_start)
    cross join rates as r
)

select * from final
