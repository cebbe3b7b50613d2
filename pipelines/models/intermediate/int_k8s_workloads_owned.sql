with

workloads as (
    select * from int_k8s_workload_label_values
),

overrides as (
    select * from int_k8s_workload_overrides
),

selector_matches as (
    select * from int_k8s_workload_selector_matches
),

components as (
    select * from int_catalog_components_by_snapshot
),

components_by_kubernetes_id as (
    select collected_at, kubernetes_id, min(app_id) as app_id
    from components
    where kubernetes_id is not null
    group by collected_at, kubernetes_id
),

component_teams as (
    select collected_at, app_id, min(team) as team
    from components
    group by collected_at, app_id
),

with_app as (
    select
        w.*,
        o.place_team,
        o.is_place_named,
        coalesce(o.app_id, c.app_id, m.app_id, w.app_key, w.workload_name) as app_id,
        case
            when o.app_id is not null then 'override'
            when c.app_id is not null or m.app_id is not null then 'catalog'
            when w.app_key is not null then 'label'
            else 'name'
        end as app_source
    from workloads as w
    left join overrides as o
        using (collected_at, cluster, namespace, workload_kind, workload_name)
    left join selector_matches as m
        using (collected_at, cluster, namespace, workload_kind, workload_name)
    left join components_by_kubernetes_id as c
        on c.collected_at = w.collected_at
        and c.kubernetes_id = coalesce(w.app_key, w.workload_name)
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
            case when a.is_place_named then a.place_team end, o.team, a.place_team,
            a.label_team, c.team, n.team, '__unallocated__'
        ) as team,
        case
            when a.place_team is not null or o.team is not null then 'override'
            when a.label_team is not null then 'label'
            when c.team is not null then 'catalog'
            when n.team is not null then 'namespace'
            else 'unallocated'
        end as team_source,
        a.app_source,
        c.app_id is not null as is_catalog_component
    from with_app as a
    left join int_app_team_overrides as o on o.app_id = a.app_id
    left join component_teams as c
        on c.collected_at = a.collected_at and c.app_id = a.app_id
    left join int_k8s_namespace_teams as n
        on n.collected_at = a.collected_at
        and n.cluster = a.cluster
        and n.namespace = a.namespace
)

select * from final
