-- grain: one row per cluster and Kubernetes inventory snapshot (collected_at)
-- materialized: view
-- From the loads log (small) rather than the raw tables, so lookups of "the snapshots around a
-- day" never scan the inventory.
with

loads_log as (
    select * from loads
),

final as (
    select distinct
        source_name as cluster,
        collected_at
    from loads_log
    where source_kind = 'kubernetes' and status = 'succeeded'
)

select * from final
