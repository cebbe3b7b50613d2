with

latest_snapshots as (
    select source_kind, source_name, max(collected_at) as collected_at
    from loads
    where status = 'succeeded' and window_start is null
    group by source_kind, source_name
),

owners as (
    select
        collected_at, cluster, namespace, workload_kind, workload_name, app_id, team,
        team_source, app_source, is_catalog_component
    from int_k8s_workloads_owned_by_day
    where collected_at >= $latest_snapshot_from
),

latest_kubernetes as (
    select source_name as cluster, collected_at
    from latest_snapshots
    where source_kind = 'kubernetes'
),

workloads as (
    select o.*
    from owners as o
    inner join latest_kubernetes as l
        on l.cluster = o.cluster and l.collected_at = o.collected_at
),

deployments as (
    select * from stg_helios_deployments
    where collected_at >= $latest_snapshot_from
),

latest_helios as (
    select source_name as source, collected_at
    from latest_snapshots
    where source_kind = 'helios'
),

deployed_jobs as (
    select distinct d.source, d.collected_at, d.job_id
    from deployments as d
    inner join latest_helios as l on l.source = d.source and l.collected_at = d.collected_at
),

jobs as (
    select j.*
    from int_helios_jobs_owned as j
    inner join deployed_jobs as d
        on d.source = j.source and d.collected_at = j.collected_at and d.job_id = j.job_id
    where j.collected_at >= $latest_snapshot_from
),

components as (
    select * from stg_catalog_components
    where collected_at >= $latest_snapshot_from
),

latest_catalog as (
    select source_name as source, collected_at
    from latest_snapshots
    where source_kind = 'catalog'
),

current_components as (
    select c.*
    from components as c
    inner join latest_catalog as l on l.source = c.source and l.collected_at = c.collected_at
),

app_teams as (
    select distinct app_id, team, 'kubernetes' as platform from workloads
    where team <> '__unallocated__'
    union
    select distinct app_id, team, 'helios' as platform from jobs
    where team <> '__unallocated__'
    union
    select distinct app_id, team, 'catalog' as platform from current_components
    where team is not null
),

mismatched as (
    select app_id
    from app_teams
    group by app_id
    having count(distinct team) > 1
),

gaps as (
    select
        'workload_without_component' as gap_kind,
        'kubernetes' as platform,
        cluster as source,
        namespace,
        workload_kind as object_kind,
        workload_name as object_name,
        app_id,
        team,
        'no Backstage component named ' || app_id
            || ' (or with that backstage.io/kubernetes-id); map it in the override file'
            as detail,
        collected_at
    from workloads
    where not is_catalog_component
    union all
    select
        'helios_job_without_component', 'helios', source, cast(null as varchar), 'Job', job_id,
        app_id, team,
        'no Backstage component named ' || app_id || '; map the job name in the override file',
        collected_at
    from jobs
    where not is_catalog_component
    union all
    select
        'component_without_owner', 'catalog', source, entity_namespace, 'Component', app_id,
        app_id, cast(null as varchar), 'component has no spec.owner', collected_at
    from current_components
    where team is null
    union all
    select
        'team_mismatch', t.platform, cast(null as varchar), cast(null as varchar), 'App',
        t.app_id, t.app_id, t.team,
        'team ' || t.team || ' on ' || t.platform || ' differs from the team on another source',
        cast(null as timestamp)
    from app_teams as t
    inner join mismatched as m on m.app_id = t.app_id
),

final as (
    select * from gaps
)

select * from final
