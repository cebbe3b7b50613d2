with

signal_hours as (
    select * from raw_prom_golden_signals
    where cast(hour_start as date) in (select day from _fleetscope_dates)
),

thresholds as (
    select * from ref_golden_signals
),

daily as (
    -- the day's worst hour decides: an hour of 5xx above the limit is a failing day
    select
        cast(h.hour_start as date) as usage_date,
        h.cluster,
        h.component,
        h.signal,
        max(h.value) as value,
        avg(h.value) as value_avg,
        count(*) as count_hours,
        count(*) filter (where h.value > t.fail_above) as count_hours_failing,
        any_value(t.unit) as unit,
        any_value(t.warn_above) as warn_above,
        any_value(t.fail_above) as fail_above
    from signal_hours as h
    left join thresholds as t using (component, signal)
    group by cast(h.hour_start as date), h.cluster, h.component, h.signal
),

final as (
    select
        usage_date,
        cluster,
        component,
        signal,
        value,
        value_avg,
        unit,
        warn_above,
        fail_above,
        case
            when fail_above is null then 'unknown'
            when value > fail_above then 'fail'
            when value > warn_above then 'warn'
            else 'pass'
        end as status,
        count_hours,
        count_hours_failing
    from daily
)

select * from final
