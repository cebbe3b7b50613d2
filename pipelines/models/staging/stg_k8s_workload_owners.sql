with

pods as (
    select collected_at, cluster, namespace, workload_kind, workload_name, labels
    from raw_k8s_pods
),

workloads as (
    select collected_at, cluster, namespace, workload_kind, workload_name, labels
    from raw_k8s_workloads
    -- pods of a CronJob's Job resolve to the CronJob: the Job is not a workload of its own
    where not (workload_kind = 'Job' and coalesce(owner_kind, '') = 'CronJob')
),

namespaces as (
    select collected_at, cluster, namespace, labels, annotations
    from raw_k8s_namespaces
),

label_keys as (
    select key_kind, label_key, priority
    from ref_label_keys
),

app_overrides as (
    select cluster, namespace, workload_kind, object_name, app_id, specificity, priority
    from ref_app_overrides
    where platform = 'kubernetes'
),

team_overrides as (
    select app_id, cluster, namespace, workload_kind, workload_name, team, specificity, priority
    from ref_team_overrides
),

components as (
    select * from stg_catalog_components
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
    -- rank 0: namespace labels; rank 1000: namespace annotations
    select
        n.collected_at, n.cluster, n.namespace,
        k.priority as candidate_rank,
        json_extract_string(n.labels, '$."' || k.label_key || '"') as label_value
    from namespaces as n
    inner join label_keys as k on k.key_kind = 'namespace_team'
    union all
    select
        n.collected_at, n.cluster, n.namespace,
        1000 + k.priority as candidate_rank,
        json_extract_string(n.annotations, '$."' || k.label_key || '"') as label_value
    from namespaces as n
    inner join label_keys as k on k.key_kind = 'namespace_team'
),

best_label_team as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        label_value as team,
        row_number() over (
            partition by collected_at, cluster, namespace, workload_kind, workload_name
            order by candidate_rank, label_value
        ) as candidate_number
    from label_values
    where key_kind = 'team' and label_value is not null and label_value <> ''
),

best_namespace_team as (
    select
        collected_at, cluster, namespace,
        label_value as team,
        row_number() over (
            partition by collected_at, cluster, namespace
            order by candidate_rank, label_value
        ) as candidate_number
    from namespace_values
    where label_value is not null and label_value <> ''
),

best_app_key as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        label_value as app_key,
        row_number() over (
            partition by collected_at, cluster, namespace, workload_kind, workload_name
            order by candidate_rank, label_value
        ) as candidate_number
    from label_values
    where key_kind = 'app' and label_value is not null and label_value <> ''
),

override_apps as (
    select
        w.collected_at, w.cluster, w.namespace, w.workload_kind, w.workload_name, o.app_id,
        row_number() over (
            partition by w.collected_at, w.cluster, w.namespace, w.workload_kind,
                w.workload_name
            order by o.specificity desc, o.priority
        ) as candidate_number
    from workload_snapshots as w
    inner join app_overrides as o
        on o.object_name = w.workload_name
        and (o.cluster is null or o.cluster = w.cluster)
        and (o.namespace is null or o.namespace = w.namespace)
        and (o.workload_kind is null or o.workload_kind = w.workload_kind)
),

snapshots as (
    select distinct collected_at from workload_snapshots
),

catalog_as_of as (
    -- the catalog snapshot in force at each snapshot (stg_catalog_snapshots states the rule)
    select s.collected_at, c.source, c.collected_at as catalog_collected_at
    from snapshots as s
    inner join stg_catalog_snapshots as c
        on (c.valid_from is null or s.collected_at >= c.valid_from)
        and (c.valid_to is null or s.collected_at < c.valid_to)
),

snapshot_components as (
    select a.collected_at, c.app_id, c.team, c.kubernetes_id, c.kubernetes_label_selector
    from catalog_as_of as a
    inner join components as c
        on c.source = a.source and c.collected_at = a.catalog_collected_at
),

component_teams as (
    select collected_at, app_id, min(team) as team
    from snapshot_components
    group by collected_at, app_id
),

components_by_kubernetes_id as (
    select collected_at, kubernetes_id, min(app_id) as app_id
    from snapshot_components
    where kubernetes_id is not null
    group by collected_at, kubernetes_id
),

selector_terms as (
    -- `backstage.io/kubernetes-label-selector`, equality terms only (`k=v`, `k==v`); a
    -- component whose selector has any other term (`!=`, `in`, existence) is not matched by it
    select c.collected_at, c.app_id, trim(t.term) as term
    from snapshot_components as c
    cross join unnest(string_split(c.kubernetes_label_selector, ',')) as t(term)
    where nullif(trim(c.kubernetes_label_selector), '') is not null
),

selectors as (
    select
        collected_at,
        app_id,
        regexp_extract(term, '^([^=!\s]+)\s*==?\s*([^=!\s]*)$', 1) as label_key,
        regexp_extract(term, '^([^=!\s]+)\s*==?\s*([^=!\s]*)$', 2) as label_value,
        count(*) over (partition by collected_at, app_id) as count_terms,
        min(case when regexp_matches(term, '^[^=!\s]+\s*==?\s*[^=!\s]*$') then 1 else 0 end)
            over (partition by collected_at, app_id) as is_supported
    from selector_terms
),

selector_keys as (
    select distinct collected_at, label_key from selectors where is_supported = 1
),

selector_label_values as (
    -- only the label keys some selector uses: an equi-join, not every label against every term
    select
        o.collected_at, o.cluster, o.namespace, o.workload_kind, o.workload_name,
        o.source_rank, k.label_key,
        json_extract_string(o.labels, '$."' || k.label_key || '"') as label_value
    from object_labels as o
    inner join selector_keys as k on k.collected_at = o.collected_at
),

selector_hits as (
    -- every term of the selector holds on the workload's own labels or on its pods' labels
    select
        v.collected_at, v.cluster, v.namespace, v.workload_kind, v.workload_name,
        v.source_rank, s.app_id
    from selector_label_values as v
    inner join selectors as s
        on s.collected_at = v.collected_at
        and s.label_key = v.label_key
        and s.label_value = v.label_value
        and s.is_supported = 1
    group by
        v.collected_at, v.cluster, v.namespace, v.workload_kind, v.workload_name,
        v.source_rank, s.app_id, s.count_terms
    having count(distinct s.label_key) = s.count_terms
),

selector_matches as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        min(app_id) as app_id
    from selector_hits
    group by collected_at, cluster, namespace, workload_kind, workload_name
),

with_app as (
    select
        w.collected_at, w.cluster, w.namespace, w.workload_kind, w.workload_name,
        coalesce(o.app_id, c.app_id, m.app_id, k.app_key, w.workload_name) as app_id,
        case
            when o.app_id is not null then 'override'
            when c.app_id is not null or m.app_id is not null then 'catalog'
            when k.app_key is not null then 'label'
            else 'name'
        end as app_source
    from workload_snapshots as w
    left join best_app_key as k
        on k.collected_at = w.collected_at
        and k.cluster = w.cluster
        and k.namespace = w.namespace
        and k.workload_kind = w.workload_kind
        and k.workload_name = w.workload_name
        and k.candidate_number = 1
    left join override_apps as o
        on o.collected_at = w.collected_at
        and o.cluster = w.cluster
        and o.namespace = w.namespace
        and o.workload_kind = w.workload_kind
        and o.workload_name = w.workload_name
        and o.candidate_number = 1
    left join components_by_kubernetes_id as c
        on c.collected_at = w.collected_at
        and c.kubernetes_id = coalesce(k.app_key, w.workload_name)
    left join selector_matches as m
        on m.collected_at = w.collected_at
        and m.cluster = w.cluster
        and m.namespace = w.namespace
        and m.workload_kind = w.workload_kind
        and m.workload_name = w.workload_name
),

place_overrides as (
    select
        w.collected_at, w.cluster, w.namespace, w.workload_kind, w.workload_name, o.team,
        o.workload_name is not null as is_named,
        row_number() over (
            partition by w.collected_at, w.cluster, w.namespace, w.workload_kind,
                w.workload_name
            order by case when o.workload_name is null then 1 else 0 end,
                o.specificity desc, o.priority
        ) as candidate_number
    from workload_snapshots as w
    inner join team_overrides as o
        on o.app_id is null
        and (o.cluster is null or o.cluster = w.cluster)
        and (o.namespace is null or o.namespace = w.namespace)
        and (o.workload_kind is null or o.workload_kind = w.workload_kind)
        and (o.workload_name is null or o.workload_name = w.workload_name)
),

app_team_overrides as (
    select
        app_id, team,
        row_number() over (partition by app_id order by priority) as candidate_number
    from team_overrides
    where app_id is not null
),

final as (
    select
        a.collected_at,
        a.cluster,
        a.namespace,
        a.workload_kind,
        a.workload_name,
        a.app_id,
        coalesce(
            case when p.is_named then p.team end, o.team, p.team, l.team, c.team, n.team,
            '__unallocated__'
        ) as team,
        case
            when p.team is not null or o.team is not null then 'override'
            when l.team is not null then 'label'
            when c.team is not null then 'catalog'
            when n.team is not null then 'namespace'
            else 'unallocated'
        end as team_source,
        a.app_source,
        c.app_id is not null as is_catalog_component
    from with_app as a
    left join place_overrides as p
        on p.collected_at = a.collected_at
        and p.cluster = a.cluster
        and p.namespace = a.namespace
        and p.workload_kind = a.workload_kind
        and p.workload_name = a.workload_name
        and p.candidate_number = 1
    left join app_team_overrides as o
        on o.app_id = a.app_id and o.candidate_number = 1
    left join best_label_team as l
        on l.collected_at = a.collected_at
        and l.cluster = a.cluster
        and l.namespace = a.namespace
        and l.workload_kind = a.workload_kind
        and l.workload_name = a.workload_name
        and l.candidate_number = 1
    left join component_teams as c
        on c.collected_at = a.collected_at and c.app_id = a.app_id
    left join best_namespace_team as n
        on n.collected_at = a.collected_at
        and n.cluster = a.cluster
        and n.namespace = a.namespace
        and n.candidate_number = 1
)

select * from final
