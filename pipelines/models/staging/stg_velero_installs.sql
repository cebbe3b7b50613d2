with

installs as (
    select * from raw_velero_installs
),

final as (
    select
        collected_at,
        cluster,
        velero_installed,
        detail
    from installs
)

select * from final
