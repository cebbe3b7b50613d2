with

workload_snapshots as (
    select distinct collected_at, cluster, namespace, workload_kind, workload_name
    from int_k8s_workload_labels
),

app_rules as (
    select cluster, namespace, workload_kind, object_name, app_id, specificity, priority
    from ref_app_overrides
    where platform = 'kubernetes'
),

place_rules as (
    select cluster, namespace, workload_kind, workload_name, team, specificity, priority
    from ref_team_overrides
    where app_id is null
),

app_matches as (
    select
        w.collected_at, w.cluster, w.namespace, w.workload_kind, w.workload_name, r.app_id,
        row_number() over (
            partition by w.collected_at, w.cluster, w.namespace, w.workload_kind,
                w.workload_name
            order by r.specificity desc, r.priority
        ) as candidate_number
    from workload_snapshots as w
    inner join app_rules as r
        on r.object_name = w.workload_name
        and (r.cluster is null or r.cluster = w.cluster)
        and (r.namespace is null or r.namespace = w.namespace)
        and (r.workload_kind is null or r.workload_kind = w.workload_kind)
),

place_matches as (
    select
        w.collected_at, w.cluster, w.namespace, w.workload_kind, w.workload_name,
        r.team as place_team,
        r.workload_name is not null as is_place_named,
        row_number() over (
            partition by w.collected_at, w.cluster, w.namespace, w.workload_kind,
                w.workload_name
            order by case when r.workload_name is null then 1 else 0 end,
                r.specificity desc, r.priority
        ) as candidate_number
    from workload_snapshots as w
    inner join place_rules as r
        on (r.cluster is null or r.cluster = w.cluster)
        and (r.namespace is null or r.namespace = w.namespace)
        and (r.workload_kind is null or r.workload_kind = w.workload_kind)
        and (r.workload_name is null or r.workload_name = w.workload_name)
),

best_app as (
    select collected_at, cluster, namespace, workload_kind, workload_name, app_id
    from app_matches
    where candidate_number = 1
),

best_place as (
    select collected_at, cluster, namespace, workload_kind, workload_name, place_team,
        is_place_named
    from place_matches
    where candidate_number = 1
),

final as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name,
        a.app_id,
        p.place_team,
        p.is_place_named
    from best_app as a
    full outer join best_place as p
        using (collected_at, cluster, namespace, workload_kind, workload_name)
)

select * from final
