with

rates as (
    select * from ref_pricing_rates
),

instance_prices as (
    select * from ref_pricing_instance_types
),

inventory_nodes as (
    -- the snapshots the computed days may use (see pipelines/runner.py)
    select * from stg_k8s_nodes
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

loads_log as (
    select * from loads
),

cluster_data_end as (
    select
        source_name as cluster,
        max(coalesce(window_end, collected_at)) as data_end
    from loads_log
    where status = 'succeeded' and source_kind in ('kubernetes', 'prometheus')
    group by source_name
),

window_snapshots as (
    -- the inventory snapshots each computed day may use (int_inventory_windows says which)
    select cluster, usage_date as day, collected_at from int_inventory_windows
    where usage_date in (select day from _fleetscope_dates)
),

cluster_hour_snapshots as (
    -- the inventory snapshot in force for each cluster-hour
    select
        ws.cluster,
        h.usage_date,
        h.hour_start,
        coalesce(
            max(case when ws.collected_at <= h.hour_start then ws.collected_at end),
            min(ws.collected_at)
        ) as snapshot_at
    from window_snapshots as ws
    inner join int_day_hours as h on h.usage_date = ws.day
    group by ws.cluster, h.usage_date, h.hour_start
),

prom_node_hours as (
    -- joined to the hour spine on the raw column so that the scan only reads the hours being
    -- computed; a load replaces its window, so each node-hour comes from the latest load
    select n.*
    from stg_prom_node_hours as n
    inner join int_day_hours as h on h.hour_start = n.hour_start
    where h.usage_date in (select day from _fleetscope_dates)
),

prom_cluster_hours as (
    select distinct cluster, hour_start from prom_node_hours
),

inventory_cluster_hours as (
    -- cluster-hours without any Prometheus node-hour take their nodes from the inventory
    select c.*
    from cluster_hour_snapshots as c
    left join prom_cluster_hours as p using (cluster, hour_start)
    where p.cluster is null
),

inventory_node_hours as (
    select
        c.cluster,
        c.usage_date,
        c.hour_start,
        n.node_name,
        n.cpu_capacity_cores,
        n.memory_capacity_bytes,
        n.gpu_capacity,
        cast(1 as double) as present_hours,
        'inventory' as capacity_source,
        n.instance_type,
        n.provider_id,
        coalesce(n.is_spot, false) as is_spot,
        cast(null as varchar) as zone
    from inventory_cluster_hours as c
    inner join inventory_nodes as n
        on n.cluster = c.cluster
        and n.collected_at = c.snapshot_at
    inner join cluster_data_end as e
        on e.cluster = c.cluster
        and c.hour_start < e.data_end
),

node_snapshot_candidates as (
    -- the node's own inventory row for Prometheus node-hours (instance type, spot, fallback
    -- capacity): the latest at or before the hour, else the first after it
    select
        p.cluster,
        p.node_name,
        p.hour_start,
        n.instance_type,
        n.provider_id,
        n.is_spot,
        n.cpu_capacity_cores,
        n.memory_capacity_bytes,
        n.gpu_capacity,
        row_number() over (
            partition by p.cluster, p.node_name, p.hour_start
            order by
                case when n.collected_at <= p.hour_start then 0 else 1 end,
                case when n.collected_at <= p.hour_start then n.collected_at end desc,
                n.collected_at
        ) as candidate_number
    from prom_node_hours as p
    inner join window_snapshots as ws
        on ws.cluster = p.cluster
        and ws.day = p.usage_date
    inner join inventory_nodes as n
        on n.cluster = p.cluster
        and n.collected_at = ws.collected_at
        and n.node_name = p.node_name
),

node_snapshots as (
    select * from node_snapshot_candidates where candidate_number = 1
),

prometheus_node_hours as (
    select
        p.cluster,
        p.usage_date,
        p.hour_start,
        p.node_name,
        coalesce(p.cpu_capacity_cores, n.cpu_capacity_cores) as cpu_capacity_cores,
        coalesce(p.memory_capacity_bytes, n.memory_capacity_bytes) as memory_capacity_bytes,
        coalesce(p.gpu_capacity, n.gpu_capacity, 0) as gpu_capacity,
        least(greatest(p.present_hours, 0), 1) as present_hours,
        'prometheus' as capacity_source,
        -- the node's facts in this hour from kube_node_labels, else the inventory snapshot's
        -- (a node in no snapshot and without labels: no instance type, on-demand); a node
        -- that Karpenter made spot between two snapshots is then priced at spot rates
        coalesce(p.instance_type, n.instance_type) as instance_type,
        n.provider_id,
        coalesce(p.is_spot, n.is_spot, false) as is_spot,
        p.zone
    from prom_node_hours as p
    left join node_snapshots as n using (cluster, node_name, hour_start)
),

node_hours as (
    -- each node-hour with its instance type, spot flag and zone (then priced by them)
    select * from prometheus_node_hours
    union all
    select * from inventory_node_hours
),

priced as (
    select
        nh.*,
        coalesce(nh.cpu_capacity_cores, 0) as cpu_cores,
        coalesce(nh.memory_capacity_bytes, 0) / 1073741824.0 as memory_gib,
        coalesce(nh.gpu_capacity, 0) as gpus,
        case when nh.is_spot then ip.spot_hourly else ip.hourly end as instance_hourly,
        case when nh.is_spot then r.spot_cpu_per_core_hour else r.cpu_per_core_hour end
            as cpu_rate,
        case when nh.is_spot then r.spot_ram_per_gib_hour else r.ram_per_gib_hour end
            as ram_rate,
        r.gpu_per_hour as gpu_rate,
        r.cpu_per_core_hour as default_cpu_rate,
        r.ram_per_gib_hour as default_ram_rate
    from node_hours as nh
    left join instance_prices as ip on ip.instance_type = nh.instance_type
    cross join rates as r
),

split as (
    -- a total instance price is split over CPU, RAM and GPU in proportion to capacity x the
    -- default on-demand rates, as OpenCost does (costmodel.go): rate_r = price x default_r /
    -- sum_r(capacity_r x default_r), for `hourly` and `spot_hourly` alike
    select
        *,
        cpu_cores * default_cpu_rate + memory_gib * default_ram_rate + gpus * gpu_rate
            as default_weight
    from priced
),

costed as (
    select
        *,
        present_hours * case
            when instance_hourly is null then cpu_cores * cpu_rate
            -- a node without capacity: its price stays visible, on the CPU
            when default_weight = 0 then instance_hourly
            else instance_hourly * cpu_cores * default_cpu_rate / default_weight
        end as cpu_cost,
        present_hours * case
            when instance_hourly is null then memory_gib * ram_rate
            when default_weight = 0 then 0
            else instance_hourly * memory_gib * default_ram_rate / default_weight
        end as ram_cost,
        present_hours * case
            when instance_hourly is null then gpus * gpu_rate
            when default_weight = 0 then 0
            else instance_hourly * gpus * gpu_rate / default_weight
        end as gpu_cost
    from split
),

final as (
    select
        usage_date,
        hour_start,
        cluster,
        node_name,
        instance_type,
        provider_id,
        is_spot,
        zone,
        instance_hourly is not null as is_priced_by_instance_type,
        capacity_source,
        present_hours,
        cpu_cores as cpu_capacity_cores,
        memory_gib * 1073741824.0 as memory_capacity_bytes,
        gpus as gpu_capacity,
        cpu_cores * present_hours as cpu_capacity_core_hours,
        memory_gib * present_hours as ram_capacity_gib_hours,
        gpus * present_hours as gpu_capacity_hours,
        cpu_cost,
        ram_cost,
        gpu_cost,
        cpu_cost + ram_cost + gpu_cost as total_cost,
        case when cpu_cores * present_hours > 0 then cpu_cost / (cpu_cores * present_hours)
            end as cpu_price_per_core_hour,
        case when memory_gib * present_hours > 0 then ram_cost / (memory_gib * present_hours)
            end as ram_price_per_gib_hour,
        case when gpus * present_hours > 0 then gpu_cost / (gpus * present_hours)
            end as gpu_price_per_gpu_hour
    from costed
)

select * from final
