-- grain: one row per cluster, namespace, workload (kind and name) and snapshot (collected_at)
-- materialized: view
-- Team: workload labels (ref_label_keys kind 'team', in priority order), then the labels of the
-- workload's pods, then namespace labels and annotations (kind 'namespace_team'), else
-- `__unallocated__`. App: labels of kind 'app' on the workload, then on its pods, else the
-- workload name. Overrides and the Backstage catalog are layered on top by the ownership models.
with

pods as (
    select collected_at, cluster, namespace, workload_kind, workload_name, labels
    from raw_k8s_pods
),

workloads as (
    select collected_at, cluster, namespace, workload_kind, workload_name, labels
    from raw_k8s_workloads
),

namespaces as (
    select collected_at, cluster, namespace, labels, annotations
    from raw_k8s_namespaces
),

label_keys as (
    select key_kind, label_key, priority
    from ref_label_keys
),

workload_snapshots as (
    select collected_at, cluster, namespace, workload_kind, workload_name from workloads
    union
    select collected_at, cluster, namespace, workload_kind, workload_name from pods
),

object_labels as (
    -- rank 0: the workload object's own labels; rank 1: its pods' labels
    select collected_at, cluster, namespace, workload_kind, workload_name, labels, 0 as source_rank
    from workloads
    union all
    select collected_at, cluster, namespace, workload_kind, workload_name, labels, 1 as source_rank
    from pods
),

label_values as (
    select
        o.collected_at, o.cluster, o.namespace, o.workload_kind, o.workload_name,
        k.key_kind,
        o.source_rank * 1000 + k.priority as candidate_rank,
        min(json_extract_string(o.labels, '$."' || k.label_key || '"')) as label_value
    from object_labels as o
    inner join label_keys as k on k.key_kind in ('team', 'app')
    group by
        o.collected_at, o.cluster, o.namespace, o.workload_kind, o.workload_name,
        k.key_kind, o.source_rank, k.priority
),

namespace_values as (
    -- rank 2: namespace labels; rank 3: namespace annotations
    select
        n.collected_at, n.cluster, n.namespace,
        2000 + k.priority as candidate_rank,
        json_extract_string(n.labels, '$."' || k.label_key || '"') as label_value
    from namespaces as n
    inner join label_keys as k on k.key_kind = 'namespace_team'
    union all
    select
        n.collected_at, n.cluster, n.namespace,
        3000 + k.priority as candidate_rank,
        json_extract_string(n.annotations, '$."' || k.label_key || '"') as label_value
    from namespaces as n
    inner join label_keys as k on k.key_kind = 'namespace_team'
),

team_candidates as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        candidate_rank, label_value
    from label_values
    where key_kind = 'team' and label_value is not null and label_value <> ''
    union all
    select
        w.collected_at, w.cluster, w.namespace, w.workload_kind, w.workload_name,
        n.candidate_rank, n.label_value
    from workload_snapshots as w
    inner join namespace_values as n
        on n.collected_at = w.collected_at
        and n.cluster = w.cluster
        and n.namespace = w.namespace
    where n.label_value is not null and n.label_value <> ''
),

best_team as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        label_value as team,
        case when candidate_rank < 2000 then 'label' else 'namespace' end as team_source,
        row_number() over (
            partition by collected_at, cluster, namespace, workload_kind, workload_name
            order by candidate_rank, label_value
        ) as candidate_number
    from team_candidates
),

best_app as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        label_value as app_id,
        row_number() over (
            partition by collected_at, cluster, namespace, workload_kind, workload_name
            order by candidate_rank, label_value
        ) as candidate_number
    from label_values
    where key_kind = 'app' and label_value is not null and label_value <> ''
),

final as (
    select
        w.collected_at,
        w.cluster,
        w.namespace,
        w.workload_kind,
        w.workload_name,
        coalesce(a.app_id, w.workload_name) as app_id,
        coalesce(t.team, '__unallocated__') as team,
        coalesce(t.team_source, 'unallocated') as team_source
    from workload_snapshots as w
    left join best_team as t
        on t.collected_at = w.collected_at
        and t.cluster = w.cluster
        and t.namespace = w.namespace
        and t.workload_kind = w.workload_kind
        and t.workload_name = w.workload_name
        and t.candidate_number = 1
    left join best_app as a
        on a.collected_at = w.collected_at
        and a.cluster = w.cluster
        and a.namespace = w.namespace
        and a.workload_kind = w.workload_kind
        and a.workload_name = w.workload_name
        and a.candidate_number = 1
)

select * from final
