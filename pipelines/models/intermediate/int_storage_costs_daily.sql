with

days as (
    select day from _fleetscope_dates
),

rates as (
    select * from ref_pricing_rates
),

label_keys as (
    select * from ref_label_keys where key_kind = 'namespace_team'
),

snapshots as (
    select * from stg_k8s_snapshots
),

volumes as (
    -- the snapshots the computed days may use (see pipelines/runner.py)
    select * from raw_k8s_pvs
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

namespaces as (
    select * from raw_k8s_namespaces
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

day_snapshots as (
    select
        s.cluster,
        d.day,
        max(s.collected_at) as snapshot_at
    from days as d
    inner join snapshots as s on s.collected_at < cast(d.day as timestamp) + interval '1' day
    group by s.cluster, d.day
),

namespace_candidates as (
    select
        n.cluster,
        n.collected_at,
        n.namespace,
        json_extract_string(n.labels, '$."' || k.label_key || '"') as team,
        k.priority as candidate_rank
    from namespaces as n
    cross join label_keys as k
    union all
    select
        n.cluster,
        n.collected_at,
        n.namespace,
        json_extract_string(n.annotations, '$."' || k.label_key || '"') as team,
        1000 + k.priority as candidate_rank
    from namespaces as n
    cross join label_keys as k
),

namespace_teams as (
    select
        cluster,
        collected_at,
        namespace,
        team,
        row_number() over (
            partition by cluster, collected_at, namespace order by candidate_rank
        ) as candidate_number
    from namespace_candidates
    where team is not null and team <> ''
),

pod_claims as (
    select * from stg_k8s_pod_claims
),

volume_days as (
    select
        d.day as cost_date,
        d.cluster,
        d.snapshot_at,
        v.pv_name,
        v.claim_namespace as namespace,
        v.claim_name,
        t.team as namespace_team,
        coalesce(v.capacity_bytes, 0) / 1073741824.0 * 24 as storage_gib_hours,
        coalesce(v.capacity_bytes, 0) / 1073741824.0 * 24 * r.storage_per_gib_hour
            as storage_cost
    from day_snapshots as d
    inner join volumes as v
        on v.cluster = d.cluster
        and v.collected_at = d.snapshot_at
    left join namespace_teams as t
        on t.cluster = v.cluster
        and t.collected_at = v.collected_at
        and t.namespace = v.claim_namespace
        and t.candidate_number = 1
    cross join rates as r
),

pod_hours as (
    -- the hours each pod ran: any of its containers has running_hours > 0 in the hour
    select distinct cluster, usage_date, hour_start, namespace, pod_name
    from int_container_hours
    where usage_date in (select day from _fleetscope_dates) and running_hours > 0
),

mount_hours as (
    -- which pods mount which claims is the day's inventory snapshot; whether they ran in an
    -- hour is Prometheus': each running mounting pod weighs 1 in the hour, whatever its
    -- running fraction (docs/transform.md)
    select
        d.day as cost_date,
        c.cluster,
        c.namespace,
        c.claim_name,
        c.pod_name,
        c.team,
        c.app_id,
        h.hour_start,
        1.0 / count(*) over (
            partition by c.cluster, d.day, c.namespace, c.claim_name, h.hour_start
        ) as hour_share
    from day_snapshots as d
    inner join pod_claims as c
        on c.cluster = d.cluster
        and c.collected_at = d.snapshot_at
    inner join pod_hours as h
        on h.cluster = c.cluster
        and h.usage_date = d.day
        and h.namespace = c.namespace
        and h.pod_name = c.pod_name
),

mounts as (
    -- per claim and day: each team and app's share of the day's 24 hours, and the hours in
    -- which no mounting pod ran (those go to the claim namespace's team)
    select
        cost_date, cluster, namespace, claim_name, team, app_id,
        count(distinct pod_name) as mounting_pods,
        sum(hour_share) / 24.0 as day_share
    from mount_hours
    group by cost_date, cluster, namespace, claim_name, team, app_id
    union all
    select
        cost_date, cluster, namespace, claim_name, null, null, 0,
        1.0 - count(distinct hour_start) / 24.0
    from mount_hours
    group by cost_date, cluster, namespace, claim_name
    having count(distinct hour_start) < 24
),

final as (
    -- a bound volume's hour is split evenly over the pods mounting its claim that ran in the
    -- hour, each to its pod's team and app; an hour no mounting pod ran in: the claim
    -- namespace's team; unbound: __unmounted__
    select
        v.cost_date,
        v.cluster,
        v.pv_name,
        v.namespace,
        v.claim_name,
        case
            when v.claim_name is null then '__unmounted__'
            when m.team is not null then m.team
            else coalesce(v.namespace_team, '__unallocated__')
        end as team,
        m.app_id,
        case
            when v.claim_name is null then 'unbound'
            when m.team is not null then 'pods'
            else 'namespace'
        end as allocated_by,
        coalesce(m.mounting_pods, 0) as mounting_pods,
        v.storage_gib_hours * coalesce(m.day_share, 1.0) as storage_gib_hours,
        v.storage_cost * coalesce(m.day_share, 1.0) as storage_cost
    from volume_days as v
    left join mounts as m
        on m.cluster = v.cluster
        and m.cost_date = v.cost_date
        and m.namespace = v.namespace
        and m.claim_name = v.claim_name
)

select * from final
