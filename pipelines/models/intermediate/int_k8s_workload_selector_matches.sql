with

object_labels as (
    select * from int_k8s_workload_labels
),

components as (
    select collected_at, app_id, kubernetes_label_selector
    from int_catalog_components_by_snapshot
    where nullif(trim(kubernetes_label_selector), '') is not null
),

selector_terms as (
    select c.collected_at, c.app_id, trim(t.term) as term
    from components as c
    cross join unnest(string_split(c.kubernetes_label_selector, ',')) as t(term)
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

supported_selectors as (
    select collected_at, app_id, label_key, label_value, count_terms
    from selectors
    where is_supported = 1
),

selector_keys as (
    select distinct collected_at, label_key from supported_selectors
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
    inner join supported_selectors as s using (collected_at, label_key, label_value)
    group by
        v.collected_at, v.cluster, v.namespace, v.workload_kind, v.workload_name,
        v.source_rank, s.app_id, s.count_terms
    having count(distinct label_key) = s.count_terms
),

final as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        min(app_id) as app_id
    from selector_hits
    group by collected_at, cluster, namespace, workload_kind, workload_name
)

select * from final
