with

days as (
    select day from _fleetscope_dates
),

snapshots as (
    select source_kind, source_name, collected_at
    from loads
    where status = 'succeeded'
        and source_kind in ('kubernetes', 'helios')
        and window_start is null
),

last_of_day as (
    select
        source_kind,
        source_name,
        cast(collected_at as date) as snapshot_date,
        max(collected_at) as collected_at
    from snapshots
    group by source_kind, source_name, cast(collected_at as date)
),

sources as (
    select source_kind, source_name, min(snapshot_date) as first_date
    from last_of_day
    group by source_kind, source_name
),

grid as (
    select s.source_kind, s.source_name, d.day
    from sources as s
    inner join days as d on d.day >= s.first_date
),

in_force as (
    select g.source_kind, g.source_name, g.day, max(l.collected_at) as collected_at
    from grid as g
    inner join last_of_day as l
        on l.source_kind = g.source_kind
        and l.source_name = g.source_name
        and l.snapshot_date <= g.day
    group by g.source_kind, g.source_name, g.day
),

final as (
    select
        f.day as snapshot_date,
        f.source_kind,
        f.source_name,
        f.collected_at,
        cast(f.collected_at as date) = f.day as has_snapshot
    from in_force as f
)

select * from final
