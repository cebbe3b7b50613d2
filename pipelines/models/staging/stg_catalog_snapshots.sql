-- grain: one row per catalog source and snapshot (collected_at), with when it is in force
-- materialized: view
-- A catalog snapshot is in force from its collection until the next one; the first one also
-- covers everything before it (an inventory older than any catalog uses the oldest catalog).
-- Ownership of Kubernetes workloads and Helios jobs looks the catalog up through this rule.
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
