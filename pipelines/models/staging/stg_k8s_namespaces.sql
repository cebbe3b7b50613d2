with

namespaces as (
    select * from raw_k8s_namespaces
),

final as (
    select
        collected_at,
        cluster,
        namespace,
        labels,
        annotations
    from namespaces
)

select * from final
