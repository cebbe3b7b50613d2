-- grain: one row per hour of every day computed
-- materialized: incremental
-- date_column: usage_date
-- The hour spine of the hourly models (int_node_hours, int_container_hours): the 24 hours of each
-- day, as the timestamp the hour starts at. A model joins its hourly sources on `hour_start` so
-- that the scan reads only the hours of the days being computed.
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
