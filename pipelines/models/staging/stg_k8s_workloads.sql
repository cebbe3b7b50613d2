with

workloads as (
    select * from raw_k8s_workloads
),

final as (
    select
        collected_at,
        cluster,
        namespace,
        workload_kind,
        workload_name,
        owner_kind,
        owner_name,
        labels,
        annotations
    from workloads
)

select * from final
