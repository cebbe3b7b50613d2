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

mounts as (
    -- the pods running in the snapshot in force that mount each claim, per team and app: the
    -- inventory is daily, so the day's 24 hours are split alike (see docs/transform.md)
    select
        cluster, collected_at, namespace, claim_name, team, app_id,
        count(*) as mounting_pods,
        sum(count(*)) over (partition by cluster, collected_at, namespace, claim_name)
            as claim_pods
    from pod_claims
    where phase = 'Running' and node_name is not null
    group by cluster, collected_at, namespace, claim_name, team, app_id
),

final as (
    -- a bound volume's cost is split evenly over the pods mounting its claim, each to its
    -- pod's team and app; no mounting pod: the claim namespace's team; unbound: __unmounted__
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
        v.storage_gib_hours * coalesce(m.mounting_pods / m.claim_pods, 1.0)
            as storage_gib_hours,
        v.storage_cost * coalesce(m.mounting_pods / m.claim_pods, 1.0) as storage_cost
    from volume_days as v
    left join mounts as m
        on m.cluster = v.cluster
        and m.collected_at = v.snapshot_at
        and m.namespace = v.namespace
        and m.claim_name = v.claim_name
)

select * from final
