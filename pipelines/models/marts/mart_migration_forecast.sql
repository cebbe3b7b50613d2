with

as_of_days as (
    select day from _fleetscope_dates
),

daily as (
    select status_date, team, migrated_pct, count_apps_in_scope
    from mart_migration_daily
    where status_date >= (select min(day) from as_of_days) - interval '55' day
),

as_of as (
    select * from daily
    where status_date in (select day from as_of_days)
),

points as (
    select
        a.team,
        a.status_date as as_of_date,
        date_diff('day', a.status_date, b.status_date) as day_offset,
        b.migrated_pct
    from as_of as a
    inner join daily as b
        on b.team = a.team
        and b.status_date <= a.status_date
        and date_diff('day', b.status_date, a.status_date) < 56
),

pair_slopes as (
    select
        p1.team,
        p1.as_of_date,
        (p2.migrated_pct - p1.migrated_pct) / (p2.day_offset - p1.day_offset) as slope
    from points as p1
    inner join points as p2
        on p2.team = p1.team
        and p2.as_of_date = p1.as_of_date
        and p2.day_offset > p1.day_offset
),

slopes as (
    select
        team,
        as_of_date,
        percentile_cont(0.5) within group (order by slope) as slope_pct_per_day
    from pair_slopes
    group by team, as_of_date
),

intercepts as (
    select
        p.team,
        p.as_of_date,
        count(*) as count_days,
        percentile_cont(0.5) within group (
            order by p.migrated_pct - s.slope_pct_per_day * p.day_offset
        ) as fitted_pct
    from points as p
    inner join slopes as s on s.team = p.team and s.as_of_date = p.as_of_date
    group by p.team, p.as_of_date
),

fitted as (
    select
        d.status_date as as_of_date,
        d.team,
        d.migrated_pct,
        d.count_apps_in_scope,
        coalesce(i.count_days, 1) as count_days,
        s.slope_pct_per_day,
        i.fitted_pct
    from as_of as d
    left join slopes as s on s.team = d.team and s.as_of_date = d.status_date
    left join intercepts as i on i.team = d.team and i.as_of_date = d.status_date
),

classified as (
    select
        *,
        case
            when count_apps_in_scope = 0 then 'no_scope'
            when migrated_pct >= 100 then 'complete'
            when slope_pct_per_day is null then 'insufficient_data'
            when slope_pct_per_day <= 0 then 'no_progress'
            else 'on_track'
        end as forecast_status
    from fitted
),

final as (
    select
        as_of_date,
        team,
        forecast_status,
        case
            when forecast_status = 'complete' then as_of_date
            -- rounded to 1e-6 before ceil: a whole number of days (26.0) must not become 27
            -- by the last bit of a sum taken in another order (Spark's)
            when forecast_status = 'on_track' then as_of_date + cast(
                greatest(ceil(round((100 - fitted_pct) / slope_pct_per_day, 6)), 1) as integer)
        end as forecast_completion_date,
        migrated_pct,
        slope_pct_per_day,
        fitted_pct,
        count_days,
        count_apps_in_scope
    from classified
)

select * from final
