with

days as (
    select day from _fleetscope_dates
),

hours_of_day as (
    select hour_number from (values
        (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11),
        (12), (13), (14), (15), (16), (17), (18), (19), (20), (21), (22), (23)
    ) as h (hour_number)
),

final as (
    select
        d.day as usage_date,
        cast(d.day as timestamp) + h.hour_number * interval '1' hour as hour_start
    from days as d
    cross join hours_of_day as h
)

select * from final
