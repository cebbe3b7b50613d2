with

pods as (
    select * from raw_k8s_pods
),

owned_pods as (
    select * from stg_k8s_pods
),

mounts as (
    -- pvc_names is a JSON list of the claims the pod mounts; NULL in rows loaded before the
    -- column existed, read as none
    select
        collected_at,
        cluster,
        namespace,
        pod_name,
        unnest(from_json(pvc_names, '["VARCHAR"]')) as claim_name
    from pods
    where pvc_names is not null
),

final as (
    -- a pod mounts only claims of its own namespace, so the claim is (cluster, namespace,
    -- claim_name); app and team are the pod's (stg_k8s_pods)
    select
        m.collected_at, m.cluster, m.namespace, m.pod_name, m.claim_name,
        o.node_name, o.phase, o.app_id, o.team
    from mounts as m
    inner join owned_pods as o using (collected_at, cluster, namespace, pod_name)
)

select * from final
