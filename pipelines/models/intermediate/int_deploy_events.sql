with

replicasets as (
    select * from stg_k8s_replicasets
    where deployment_name is not null and revision is not null
),

pods as (
    select cluster, namespace, owner_name, created_at
    from raw_k8s_pods
    where owner_kind = 'ReplicaSet'
),

owners as (
    -- the materialized owners: the snapshots that first show a revision span the history
    select collected_at, cluster, namespace, workload_name, app_id, team
    from int_k8s_workloads_owned_by_day
    where workload_kind = 'Deployment'
),

helios_jobs as (
    select source, collected_at, job_id, job_name, image, app_id, team
    from int_helios_jobs_owned
),

helios_deployments as (
    select source, collected_at, job_id, job_name, app_id, team
    from stg_helios_deployments
    where goal = 'START'
),

job_events as (
    select source, job_id, min(event_at) as first_event_at
    from raw_helios_job_events
    group by source, job_id
),

source_starts as (
    select source_kind, source_name, min(cast(collected_at as date)) as first_date
    from loads
    where status = 'succeeded' and window_start is null
        and source_kind in ('kubernetes', 'helios')
    group by source_kind, source_name
),

k8s_revisions as (
    select
        cluster, namespace, deployment_name, revision,
        min(replicaset_name) as replicaset_name,
        min(images_key) as images_key,
        min(created_at) as created_at,
        min(collected_at) as first_seen_at
    from replicasets
    group by cluster, namespace, deployment_name, revision
),

k8s_bounds as (
    select
        r.*,
        max(created_at) over (
            partition by cluster, namespace, deployment_name
            order by revision
            rows between unbounded preceding and 1 preceding
        ) as earlier_created_at
    from k8s_revisions as r
),

reused_starts as (
    select
        b.cluster, b.namespace, b.deployment_name, b.revision,
        min(p.created_at) as first_pod_at
    from k8s_bounds as b
    inner join pods as p
        on p.cluster = b.cluster
        and p.namespace = b.namespace
        and p.owner_name = b.replicaset_name
        and p.created_at >= b.earlier_created_at
    where b.created_at < b.earlier_created_at
    group by b.cluster, b.namespace, b.deployment_name, b.revision
),

k8s_timed as (
    select
        b.cluster, b.namespace, b.deployment_name, b.revision, b.images_key, b.first_seen_at,
        case
            when b.created_at is null then b.first_seen_at
            when b.created_at >= coalesce(b.earlier_created_at, b.created_at) then b.created_at
            when s.first_pod_at is not null and s.first_pod_at < b.first_seen_at
                then s.first_pod_at
            else b.first_seen_at
        end as deployed_at
    from k8s_bounds as b
    left join reused_starts as s using (cluster, namespace, deployment_name, revision)
),

k8s_deploys as (
    select
        'kubernetes' as platform,
        t.cluster as source_name,
        t.namespace,
        t.deployment_name as workload_name,
        cast(t.revision as varchar) as revision_key,
        t.revision as revision_number,
        t.deployed_at,
        t.images_key,
        coalesce(o.app_id, t.deployment_name) as app_id,
        coalesce(o.team, '__unallocated__') as team
    from k8s_timed as t
    left join owners as o
        on o.collected_at = t.first_seen_at
        and o.cluster = t.cluster
        and o.namespace = t.namespace
        and o.workload_name = t.deployment_name
),

helios_identity as (
    select source, job_id, job_name, image, app_id, team, collected_at, 0 as source_rank
    from helios_jobs
    union all
    select source, job_id, job_name, null as image, app_id, team, collected_at, 1 as source_rank
    from helios_deployments
),

helios_latest as (
    select
        source, job_id, job_name, image, app_id, team,
        row_number() over (
            partition by source, job_id order by source_rank, collected_at desc
        ) as candidate_number
    from helios_identity
),

helios_first_deployed as (
    select source, job_id, min(collected_at) as first_seen_at
    from helios_deployments
    group by source, job_id
),

helios_versions as (
    select
        l.source, l.job_id, l.job_name, l.image, l.app_id, l.team,
        case
            when e.first_event_at is null then d.first_seen_at
            when d.first_seen_at is null then e.first_event_at
            when e.first_event_at < d.first_seen_at then e.first_event_at
            else d.first_seen_at
        end as deployed_at
    from helios_latest as l
    left join job_events as e on e.source = l.source and e.job_id = l.job_id
    left join helios_first_deployed as d on d.source = l.source and d.job_id = l.job_id
    where l.candidate_number = 1
        and (e.first_event_at is not null or d.first_seen_at is not null)
),

helios_deploys as (
    select
        'helios' as platform,
        source as source_name,
        cast(null as varchar) as namespace,
        job_name as workload_name,
        job_id as revision_key,
        cast(row_number() over (
            partition by source, job_name order by deployed_at, job_id
        ) as integer) as revision_number,
        deployed_at,
        image as images_key,
        app_id,
        team
    from helios_versions
),

all_deploys as (
    select * from k8s_deploys
    union all
    select * from helios_deploys
),

with_history as (
    select
        d.*,
        lag(deployed_at, 1) over workload_revisions as previous_deployed_at,
        lag(images_key, 2) over workload_revisions as images_two_back
    from all_deploys as d
    window workload_revisions as (
        partition by platform, source_name, namespace, workload_name
        order by revision_number
    )
),

final as (
    select
        h.platform,
        h.source_name,
        h.namespace,
        h.workload_name,
        h.revision_key,
        h.revision_number,
        h.deployed_at,
        cast(h.deployed_at as date) as deploy_date,
        h.app_id,
        h.team,
        h.images_key,
        coalesce(
            h.images_key = h.images_two_back
            and h.deployed_at <= h.previous_deployed_at + interval '24' hour,
            false
        ) as is_rollback
    from with_history as h
    inner join source_starts as s
        on s.source_kind = h.platform
        and s.source_name = h.source_name
    where cast(h.deployed_at as date) >= s.first_date
)

select * from final
