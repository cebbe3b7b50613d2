-- grain: one row per Helios source, app and day (legacy cost)
-- materialized: incremental
-- date_column: cost_date
-- Placeholder with the contract's columns and no rows; the migration models replace it.
with

final as (
    select
        cast(null as date) as cost_date,
        cast(null as varchar) as app_id,
        cast(null as varchar) as team,
        cast(null as varchar) as source,
        cast(null as double) as cpu_cost,
        cast(null as double) as ram_cost,
        cast(null as double) as total_cost,
        cast(null as double) as cpu_core_hours,
        cast(null as double) as ram_gib_hours
    from _fleetscope_dates
    where 1 = 0
)

select * from final
