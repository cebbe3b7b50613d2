-- One row per DiRT exercise, with its place in its cluster's history: the previous exercise of
-- the same cluster (any file, any scenario) and the days since it. Two on the same day are
-- ordered by id, the second 0 days after the first.

with

exercises as (
    select * from stg_dirt_exercises
),

ordered as (
    select
        *,
        lag(exercise_date) over by_cluster as previous_exercise_date,
        row_number() over by_cluster as cluster_exercise_number
    from exercises
    window by_cluster as (partition by cluster order by exercise_date, exercise_id)
),

final as (
    select
        exercise_id,
        source,
        exercise_date,
        cluster,
        scenario,
        outcome,
        validated,
        validated_count,
        time_to_recover_minutes,
        playbook_url,
        follow_ups,
        follow_ups_count,
        open_follow_ups_count,
        cast(cluster_exercise_number as integer) as cluster_exercise_number,
        previous_exercise_date,
        cast(date_diff('day', previous_exercise_date, exercise_date) as integer)
            as days_since_previous_exercise,
        source_file,
        line
    from ordered
)

select * from final
