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
