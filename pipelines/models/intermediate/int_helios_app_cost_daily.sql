with

days as (
    select day from _fleetscope_dates
),

snapshot_days as (
    select snapshot_date, source_name as source, collected_at
    from int_app_snapshot_days
    where source_kind = 'helios' and snapshot_date in (select day from days)
),

rates as (
    select cpu_per_core_hour, ram_per_gib_hour, legacy_host_per_hour from ref_pricing_rates
),

hosts as (
    select
        d.snapshot_date,
        h.source,
        h.collected_at,
        h.host,
        coalesce(h.cpu_cores, 0) as cpu_cores,
        coalesce(h.memory_bytes, 0) / 1073741824.0 as memory_gib
    from snapshot_days as d
    inner join stg_helios_hosts as h
        on h.source = d.source and h.collected_at = d.collected_at
    where h.collected_at >= $snapshot_from and h.collected_at < $inventory_to
),

host_values as (
    select
        h.*,
        h.cpu_cores * r.cpu_per_core_hour as cpu_value_per_hour,
        h.memory_gib * r.ram_per_gib_hour as ram_value_per_hour,
        r.legacy_host_per_hour
    from hosts as h
    cross join rates as r
),

host_prices as (
    select
        snapshot_date, source, collected_at, host, cpu_cores, memory_gib,
        case
            when legacy_host_per_hour is null then cpu_value_per_hour
            when cpu_value_per_hour + ram_value_per_hour > 0
                then legacy_host_per_hour * cpu_value_per_hour
                    / (cpu_value_per_hour + ram_value_per_hour)
            else legacy_host_per_hour
        end as cpu_cost_per_hour,
        case
            when legacy_host_per_hour is null then ram_value_per_hour
            when cpu_value_per_hour + ram_value_per_hour > 0
                then legacy_host_per_hour * ram_value_per_hour
                    / (cpu_value_per_hour + ram_value_per_hour)
            else 0.0
        end as ram_cost_per_hour
    from host_values
),

started as (
    select
        d.source, d.collected_at, d.host, d.app_id, d.team,
        coalesce(nullif(j.cpu_shares, 0), 1024.0) as cpu_weight,
        j.memory_bytes
    from stg_helios_deployments as d
    left join stg_helios_jobs as j
        on j.source = d.source and j.collected_at = d.collected_at and j.job_id = d.job_id
    where d.goal = 'START'
        and d.collected_at >= $snapshot_from and d.collected_at < $inventory_to
),

weighted as (
    select
        source, collected_at, host, app_id, team, cpu_weight,
        coalesce(
            memory_bytes,
            avg(memory_bytes) over (partition by source, collected_at, host),
            1.0
        ) as ram_weight
    from started
),

shares as (
    select
        source, collected_at, host, app_id, team,
        cpu_weight / sum(cpu_weight) over (partition by source, collected_at, host) as cpu_share,
        ram_weight / sum(ram_weight) over (partition by source, collected_at, host) as ram_share
    from weighted
),

allocated as (
    select
        p.snapshot_date,
        p.source,
        coalesce(s.app_id, '__idle__') as app_id,
        coalesce(s.team, '__idle__') as team,
        24 * p.cpu_cost_per_hour * coalesce(s.cpu_share, 1.0) as cpu_cost,
        24 * p.ram_cost_per_hour * coalesce(s.ram_share, 1.0) as ram_cost,
        24 * p.cpu_cores * coalesce(s.cpu_share, 1.0) as cpu_core_hours,
        24 * p.memory_gib * coalesce(s.ram_share, 1.0) as ram_gib_hours
    from host_prices as p
    left join shares as s
        on s.source = p.source and s.collected_at = p.collected_at and s.host = p.host
),

final as (
    select
        snapshot_date as cost_date,
        app_id,
        team,
        source,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(cpu_cost + ram_cost) as total_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours
    from allocated
    group by snapshot_date, app_id, team, source
)

select * from final
