with

inventory_snapshots as (
    select distinct collected_at
    from loads
    where source_kind in ('kubernetes', 'helios') and status = 'succeeded'
),

components as (
    select * from stg_catalog_components
),

catalog_snapshots as (
    select * from stg_catalog_snapshots
),

final as (
    select
        i.collected_at,
        c.source,
        c.collected_at as catalog_collected_at,
        c.app_id,
        c.team,
        c.kubernetes_id,
        c.kubernetes_label_selector
    from inventory_snapshots as i
    inner join catalog_snapshots as s
        on (s.valid_from is null or i.collected_at >= s.valid_from)
        and (s.valid_to is null or i.collected_at < s.valid_to)
    inner join components as c
        on c.source = s.source and c.collected_at = s.collected_at
)

select * from final
