-- grain: one row per cluster, namespace, ReplicaSet and snapshot (collected_at)
-- materialized: view
-- Renames and casts only. The same ReplicaSet appears in every snapshot that lists it; a
-- rollback in Kubernetes reuses the old ReplicaSet and gives it the next revision, so one
-- ReplicaSet can show different revisions over time. `images_key`: the pod template's container
-- images as JSON text in container order (two templates with the same images compare equal).
with

replicasets as (
    select * from raw_k8s_replicasets
),

final as (
    select
        collected_at,
        cluster,
        namespace,
        replicaset_name,
        deployment_name,
        revision,
        cast(images as varchar) as images_key,
        replicas,
        created_at
    from replicasets
)

select * from final
