-- grain: one row per app the override file gives a team (app_id)
-- materialized: view
-- The team the override file names for an app (`apps.<app>.team`, ref_team_overrides rows with
-- an app_id); the first rule in the file wins. It beats every other team rule, for Kubernetes
-- workloads and Helios jobs alike (except, on Kubernetes, a rule naming the workload itself).
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
