-- grain: one row per inventory source (Kubernetes cluster or Helios installation) and day, from
-- the source's first snapshot day to the last day of data
-- materialized: incremental
-- date_column: snapshot_date
-- DESIGN "Snapshots and days": the state of a day is the last snapshot collected that day; a day
-- with no snapshot carries the previous state forward. `collected_at` is that snapshot. The
-- snapshots are the successful loads, so a snapshot that found nothing still counts (an app
-- stops running the day its last pod disappears).
-- Incremental: a day's snapshot is the latest taken by the end of that day, looked up in the
-- loads log (small) for the days computed only; a snapshot loaded late changes the days the
-- runner recomputes for it (from its day to the next snapshot's).
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
