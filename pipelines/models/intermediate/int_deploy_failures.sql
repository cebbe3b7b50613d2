with

deploys as (
    select * from int_deploy_shas
),

incidents as (
    select * from stg_incidents
    where caused_by is not null
),

sequenced as (
    select
        d.*,
        -- the next revision of the same workload undoes this one (int_deploy_events' rule:
        -- same images as two before, within 24 h)
        coalesce(lead(is_rollback) over (
            partition by platform, source_name, namespace, workload_name
            order by revision_number
        ), false) as is_rolled_back,
        lead(deployed_at) over (
            partition by app_id order by deployed_at, deploy_id
        ) as next_app_deployed_at
    from deploys as d
),

by_deploy_id as (
    -- `caused_by` names the deploy with or without its cluster / Helios source prefix
    select d.deploy_id, i.incident_id, i.created_at, i.resolved_at
    from incidents as i
    inner join deploys as d
        on i.caused_by_deploy_id = d.deploy_id
        or i.caused_by_deploy_id = substr(d.deploy_id, length(d.source_name) + 2)
),

by_sha as (
    -- a sha (prefix) names the app's first deploy of that commit
    select
        arg_min(d.deploy_id, d.deployed_at) as deploy_id,
        i.incident_id, i.created_at, i.resolved_at
    from incidents as i
    inner join deploys as d
        on d.app_id = i.app
        and (starts_with(d.commit_sha, i.caused_by_sha) or starts_with(d.sha_text, i.caused_by_sha))
    where i.caused_by_sha is not null
    group by i.source, i.incident_id, i.created_at, i.resolved_at
),

named as (
    select
        deploy_id,
        count(*) as count_incidents,
        -- several incidents on one deploy: recovered when the last is resolved
        max(date_diff('second', created_at, resolved_at)) / 3600.0 as incident_hours
    from (select * from by_deploy_id union all select * from by_sha)
    group by deploy_id
),

final as (
    select
        s.deploy_id,
        s.app_id,
        s.team,
        s.deployed_at,
        s.deploy_date,
        s.is_rolled_back,
        coalesce(n.count_incidents, 0) as count_incidents,
        s.is_rolled_back or n.deploy_id is not null as is_failed,
        case
            when n.deploy_id is not null then n.incident_hours
            when s.is_rolled_back
                then date_diff('second', s.deployed_at, s.next_app_deployed_at) / 3600.0
        end as recovery_hours
    from sequenced as s
    left join named as n on n.deploy_id = s.deploy_id
)

select * from final
