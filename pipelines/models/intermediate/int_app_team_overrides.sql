with

team_overrides as (
    select app_id, team, priority
    from ref_team_overrides
    where app_id is not null
),

ranked as (
    select
        app_id,
        team,
        row_number() over (partition by app_id order by priority) as candidate_number
    from team_overrides
),

final as (
    select app_id, team
    from ranked
    where candidate_number = 1
)

select * from final
