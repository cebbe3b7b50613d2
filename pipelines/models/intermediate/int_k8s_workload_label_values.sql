with

object_labels as (
    select * from int_k8s_workload_labels
),

label_keys as (
    select key_kind, label_key, priority
    from ref_label_keys
    where key_kind in ('team', 'app')
),

workload_snapshots as (
    select distinct collected_at, cluster, namespace, workload_kind, workload_name
    from object_labels
),

candidates as (
    select
        o.collected_at, o.cluster, o.namespace, o.workload_kind, o.workload_name,
        k.key_kind,
        o.source_rank * 1000 + k.priority as candidate_rank,
        min(json_extract_string(o.labels, '$."' || k.label_key || '"')) as label_value
    from object_labels as o
    cross join label_keys as k
    group by
        o.collected_at, o.cluster, o.namespace, o.workload_kind, o.workload_name,
        k.key_kind, o.source_rank, k.priority
),

ranked as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name, key_kind, label_value,
        row_number() over (
            partition by collected_at, cluster, namespace, workload_kind, workload_name, key_kind
            order by candidate_rank, label_value
        ) as candidate_number
    from candidates
    where label_value is not null and label_value <> ''
),

best as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        max(case when key_kind = 'app' then label_value end) as app_key,
        max(case when key_kind = 'team' then label_value end) as label_team
    from ranked
    where candidate_number = 1
    group by collected_at, cluster, namespace, workload_kind, workload_name
),

final as (
    select
        w.collected_at, w.cluster, w.namespace, w.workload_kind, w.workload_name,
        b.app_key,
        b.label_team
    from workload_snapshots as w
    left join best as b
        using (collected_at, cluster, namespace, workload_kind, workload_name)
)

select * from final
