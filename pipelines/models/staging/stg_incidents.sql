with

incidents as (
    select * from raw_incidents
),

final as (
    select
        source,
        incident_id,
        app,
        created_at,
        resolved_at,
        resolved_at is not null as is_resolved,
        date_diff('second', created_at, resolved_at) / 3600.0 as time_to_resolve_hours,
        caused_by,
        case when regexp_full_match(lower(caused_by), '[0-9a-f]{7,40}')
             then lower(caused_by) end as caused_by_sha,
        case when not regexp_full_match(lower(caused_by), '[0-9a-f]{7,40}')
             then caused_by end as caused_by_deploy_id,
        source_file,
        source_line,
        collected_at
    from incidents
)

select * from final
