with

namespaces as (
    select * from stg_k8s_namespaces
),

label_keys as (
    select label_key, priority
    from ref_label_keys
    where key_kind = 'namespace_team'
),

key_values as (
    -- rank 0: the namespace's labels; rank 1000: its annotations
    select collected_at, cluster, namespace, 0 as source_rank, labels as key_values
    from namespaces
    union all
    select collected_at, cluster, namespace, 1000 as source_rank, annotations as key_values
    from namespaces
),

candidates as (
    select
        v.collected_at, v.cluster, v.namespace,
        v.source_rank + k.priority as candidate_rank,
        json_extract_string(v.key_values, '$."' || k.label_key || '"') as team
    from key_values as v
    cross join label_keys as k
),

ranked as (
    select
        collected_at, cluster, namespace, team,
        row_number() over (
            partition by collected_at, cluster, namespace
            order by candidate_rank, team
        ) as candidate_number
    from candidates
    where team is not null and team <> ''
),

final as (
    select collected_at, cluster, namespace, team
    from ranked
    where candidate_number = 1
)

select * from final
