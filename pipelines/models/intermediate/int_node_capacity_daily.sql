with

node_hours as (
    select * from int_node_hours where usage_date in (select day from _fleetscope_dates)
),

allocations as (
    select * from int_node_hours_allocated
    where usage_date in (select day from _fleetscope_dates)
),

container_hours as (
    select * from int_container_hours where usage_date in (select day from _fleetscope_dates)
),

inventory_nodes as (
    select * from stg_k8s_nodes
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

pool_labels as (
    select * from ref_capacity_node_pool_labels
),

gpu_requested as (
    -- GPUs are requested whole; charged GPU-hours = request x running hours
    select cluster, node_name, hour_start, sum(gpu_charged_hours) as gpu_requested_hours
    from container_hours
    where node_name is not null
    group by cluster, node_name, hour_start
),

hours as (
    select
        n.usage_date,
        n.cluster,
        n.node_name,
        n.present_hours,
        n.cpu_capacity_cores,
        n.memory_capacity_bytes / 1073741824.0 as memory_capacity_gib,
        n.gpu_capacity,
        coalesce(a.cpu_requested_core_hours, 0) as cpu_requested_core_hours,
        coalesce(a.ram_requested_gib_hours, 0) as ram_requested_gib_hours,
        coalesce(g.gpu_requested_hours, 0) as gpu_requested_hours
    from node_hours as n
    left join allocations as a using (cluster, node_name, hour_start)
    left join gpu_requested as g using (cluster, node_name, hour_start)
),

node_days as (
    -- requests at the node's busiest hour: a pod that fits then fits all day
    select
        usage_date,
        cluster,
        node_name,
        sum(present_hours) as present_hours,
        max(cpu_capacity_cores) as cpu_capacity_cores,
        max(memory_capacity_gib) as memory_capacity_gib,
        max(gpu_capacity) as gpu_capacity,
        sum(cpu_requested_core_hours) as cpu_requested_core_hours,
        sum(ram_requested_gib_hours) as ram_requested_gib_hours,
        sum(gpu_requested_hours) as gpu_requested_hours,
        max(case when present_hours > 0 then cpu_requested_core_hours / present_hours end)
            as cpu_requested_peak_cores,
        max(case when present_hours > 0 then ram_requested_gib_hours / present_hours end)
            as ram_requested_peak_gib
    from hours
    group by usage_date, cluster, node_name
),

snapshot_candidates as (
    -- the node's inventory row for the day: the latest taken before the day ends, else the
    -- first after it
    select
        d.usage_date,
        d.cluster,
        d.node_name,
        i.cpu_allocatable_cores,
        i.memory_allocatable_bytes,
        i.labels,
        row_number() over (
            partition by d.usage_date, d.cluster, d.node_name
            order by
                case when i.collected_at < d.usage_date + interval 1 day then 0 else 1 end,
                case when i.collected_at < d.usage_date + interval 1 day then i.collected_at
                    end desc,
                i.collected_at
        ) as candidate_number
    from node_days as d
    inner join inventory_nodes as i
        on i.cluster = d.cluster
        and i.node_name = d.node_name
),

snapshots as (
    select * from snapshot_candidates where candidate_number = 1
),

pools as (
    -- the first configured label the node carries names its pool
    select
        s.usage_date,
        s.cluster,
        s.node_name,
        arg_min(json_extract_string(s.labels, '$."' || p.label_key || '"'), p.priority)
            as node_pool
    from snapshots as s
    inner join pool_labels as p
        on json_extract_string(s.labels, '$."' || p.label_key || '"') is not null
    group by s.usage_date, s.cluster, s.node_name
),

pod_requests as (
    -- each pod's request (its app containers' requests added up; init containers run before
    -- them and do not hold their requests while the pod runs)
    select usage_date, cluster, namespace, pod_name,
        sum(cpu_request_cores) as cpu_request_cores,
        sum(memory_request_gib) as memory_request_gib
    from (
        select usage_date, cluster, namespace, pod_name, container_name,
            max(coalesce(cpu_request_cores, 0)) as cpu_request_cores,
            max(coalesce(memory_request_bytes, 0)) / 1073741824.0 as memory_request_gib
        from container_hours
        where not coalesce(is_init, false)
        group by usage_date, cluster, namespace, pod_name, container_name
    )
    group by usage_date, cluster, namespace, pod_name
),

median_pods as (
    select
        usage_date,
        cluster,
        median(cpu_request_cores) as median_pod_cpu_cores,
        median(memory_request_gib) as median_pod_memory_gib
    from pod_requests
    where cpu_request_cores > 0 or memory_request_gib > 0
    group by usage_date, cluster
),

joined as (
    select
        d.*,
        coalesce(p.node_pool, '__none__') as node_pool,
        coalesce(s.cpu_allocatable_cores, d.cpu_capacity_cores) as cpu_allocatable_cores,
        coalesce(s.memory_allocatable_bytes / 1073741824.0, d.memory_capacity_gib)
            as memory_allocatable_gib,
        m.median_pod_cpu_cores,
        m.median_pod_memory_gib
    from node_days as d
    left join snapshots as s using (usage_date, cluster, node_name)
    left join pools as p using (usage_date, cluster, node_name)
    left join median_pods as m using (usage_date, cluster)
),

free as (
    select
        *,
        greatest(cpu_allocatable_cores - coalesce(cpu_requested_peak_cores, 0), 0)
            as cpu_free_cores,
        greatest(memory_allocatable_gib - coalesce(ram_requested_peak_gib, 0), 0)
            as memory_free_gib
    from joined
),

final as (
    select
        usage_date,
        cluster,
        node_pool,
        node_name,
        present_hours,
        cpu_allocatable_cores,
        memory_allocatable_gib,
        gpu_capacity as gpu_allocatable,
        cpu_allocatable_cores * present_hours as cpu_allocatable_core_hours,
        memory_allocatable_gib * present_hours as ram_allocatable_gib_hours,
        gpu_capacity * present_hours as gpu_allocatable_hours,
        cpu_requested_core_hours,
        ram_requested_gib_hours,
        gpu_requested_hours,
        cpu_requested_peak_cores,
        ram_requested_peak_gib,
        cpu_free_cores,
        memory_free_gib,
        median_pod_cpu_cores,
        median_pod_memory_gib,
        -- a pod cannot span nodes: whole pods per node, the scarcer resource decides; a
        -- resource the median pod does not request does not limit it. The ratio is rounded to
        -- 1e-6 before the floor: the free cores are float sums whose order varies between runs,
        -- and 29.999999999 vs 30.000000001 must not decide whether a 30th pod fits.
        cast(least(
            case when median_pod_cpu_cores > 0
                then floor(round(cpu_free_cores / median_pod_cpu_cores, 6)) end,
            case when median_pod_memory_gib > 0
                then floor(round(memory_free_gib / median_pod_memory_gib, 6)) end
        ) as bigint) as count_median_pods_fit
    from free
)

select * from final
