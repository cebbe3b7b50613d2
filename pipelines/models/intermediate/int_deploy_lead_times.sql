with

deploys as (
    select * from int_deploy_shas
    where is_sha_resolved
),

commits as (
    select * from int_git_commits_shipped_with
),

chain_deploys as (
    -- deploys of a commit on the first-parent chain, with the app's previous such deploy's seq;
    -- the app's first deploy in the data is bounded to its own commit (previous = seq - 1)
    select
        deploy_id, app_id, repo, deployed_at, first_parent_seq,
        coalesce(
            lag(first_parent_seq) over (
                partition by app_id, repo order by deployed_at, deploy_id
            ),
            first_parent_seq - 1
        ) as previous_seq
    from deploys
    where first_parent_seq is not null
),

chain_commits as (
    select d.deploy_id, d.app_id, d.deployed_at, c.commit_sha, c.committed_at
    from chain_deploys as d
    inner join commits as c
        on c.repo = d.repo
        and c.ship_seq > d.previous_seq
        and c.ship_seq <= d.first_parent_seq
),

side_commits as (
    -- a deployed commit off the chain (a branch deployed before its merge) ships itself only
    select d.deploy_id, d.app_id, d.deployed_at, c.commit_sha, c.committed_at
    from deploys as d
    inner join commits as c on c.repo = d.repo and c.commit_sha = d.commit_sha
    where d.first_parent_seq is null
),

shipped as (
    select * from chain_commits
    union all
    select * from side_commits
),

first_shipped as (
    -- a commit's lead time runs to the app's first deploy that shipped it (a redeploy or a
    -- return to it after a rollback ships nothing new)
    select *, row_number() over (
        partition by app_id, commit_sha order by deployed_at, deploy_id
    ) as shipment_number
    from shipped
),

final as (
    select
        deploy_id,
        app_id,
        commit_sha,
        committed_at,
        deployed_at,
        date_diff('second', committed_at, deployed_at) / 3600.0 as lead_time_hours
    from first_shipped
    -- as Four Keys: a non-positive lead time (clock skew, a commit stamped after the deploy)
    -- is left out
    where shipment_number = 1 and deployed_at > committed_at
)

select * from final
