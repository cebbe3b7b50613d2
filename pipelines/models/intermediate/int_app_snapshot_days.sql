-- grain: one row per inventory source (Kubernetes cluster or Helios installation) and day, from
-- the source's first snapshot day to the last day of data
-- materialized: table
-- DESIGN "Snapshots and days": the state of a day is the last snapshot collected that day; a day
-- with no snapshot carries the previous state forward. `collected_at` is that snapshot. The
-- snapshots are the successful loads, so a snapshot that found nothing still counts (an app
-- stops running the day its last pod disappears).
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

final as (
    select
        g.day as snapshot_date,
        g.source_kind,
        g.source_name,
        -- snapshots only move forward in time, so the running maximum is the latest one so far
        max(l.collected_at) over (
            partition by g.source_kind, g.source_name
            order by g.day
            rows between unbounded preceding and current row
        ) as collected_at,
        l.collected_at is not null as has_snapshot
    from grid as g
    left join last_of_day as l
        on l.source_kind = g.source_kind
        and l.source_name = g.source_name
        and l.snapshot_date = g.day
)

select * from final
