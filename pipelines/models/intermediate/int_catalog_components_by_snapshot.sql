-- grain: one row per inventory snapshot (collected_at of a Kubernetes or Helios load) and
-- Backstage component in force then (source, app_id)
-- materialized: view
-- The catalog snapshot in force at an inventory snapshot is the last one collected at or before
-- it, or the first one when the catalog was collected later (stg_catalog_snapshots states the
-- rule). Kubernetes workloads and Helios jobs both find their component, and the component's
-- owner (`team`), here. The inventory snapshots come from the loads log (small), as in
-- stg_k8s_snapshots, so that this lookup never scans the inventory.
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
