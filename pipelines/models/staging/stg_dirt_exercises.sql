with

exercises as (
    select * from raw_dirt_exercises
),

final as (
    select
        source,
        exercise_id,
        exercise_date,
        cluster_name as cluster,
        scenario,
        validated,
        cast(json_array_length(validated) as integer) as validated_count,
        outcome,
        time_to_recover_minutes,
        playbook_url,
        follow_ups,
        cast(json_array_length(follow_ups) as integer) as follow_ups_count,
        cast(len(list_filter(
            json_extract_string(follow_ups, '$[*].status'), lambda s: s = 'open'
        )) as integer) as open_follow_ups_count,
        source_file,
        line,
        collected_at
    from exercises
)

select * from final
