with

components as (
    select * from stg_catalog_components
),

snapshots as (
    select distinct source, collected_at from components
),

final as (
    select
        source,
        collected_at,
        case when lag(collected_at) over by_source is null then null
            else collected_at end as valid_from,
        lead(collected_at) over by_source as valid_to
    from snapshots
    window by_source as (partition by source order by collected_at)
)

select * from final
