with

label_keys as (
    select key_kind, label_key, priority from ref_label_keys
),

app_overrides as (
    select object_name, app_id, specificity, priority
    from ref_app_overrides
    where platform = 'helios'
),

team_overrides as (
    select app_id, team, priority
    from ref_team_overrides
    where app_id is not null
),

components as (
    select * from stg_catalog_components
),

-- component_metadata and team_metadata are two copies that differ only in the key kind, and
-- each names raw_helios_jobs itself: a shared CTE read twice is materialised by DuckDB over every
-- snapshot, ignoring the filters callers push down, which made incremental runs grow with history.
component_metadata as (
    select
        source, collected_at, job_id, metadata_value,
        row_number() over (
            partition by source, collected_at, job_id order by priority
        ) as candidate_number
    from (
        select
            j.source, j.collected_at, j.job_id, k.priority,
            json_extract_string(j.metadata, '$."' || k.label_key || '"') as metadata_value
        from raw_helios_jobs as j
        inner join label_keys as k on k.key_kind = 'helios_component'
    ) as candidates
    where metadata_value is not null and metadata_value <> ''
),

team_metadata as (
    select
        source, collected_at, job_id, metadata_value,
        row_number() over (
            partition by source, collected_at, job_id order by priority
        ) as candidate_number
    from (
        select
            j.source, j.collected_at, j.job_id, k.priority,
            json_extract_string(j.metadata, '$."' || k.label_key || '"') as metadata_value
        from raw_helios_jobs as j
        inner join label_keys as k on k.key_kind = 'team'
    ) as candidates
    where metadata_value is not null and metadata_value <> ''
),

override_apps as (
    select
        j.source, j.collected_at, j.job_id, o.app_id,
        row_number() over (
            partition by j.source, j.collected_at, j.job_id
            order by o.specificity desc, o.priority
        ) as candidate_number
    from raw_helios_jobs as j
    inner join app_overrides as o on o.object_name = j.job_name
),

with_app as (
    select
        j.*,
        coalesce(o.app_id, m.metadata_value, j.job_name) as app_id,
        case
            when o.app_id is not null then 'override'
            when m.metadata_value is not null then 'metadata'
            else 'name'
        end as app_source
    from raw_helios_jobs as j
    left join override_apps as o
        on o.source = j.source and o.collected_at = j.collected_at and o.job_id = j.job_id
        and o.candidate_number = 1
    left join component_metadata as m
        on m.source = j.source and m.collected_at = j.collected_at and m.job_id = j.job_id
        and m.candidate_number = 1
),

snapshots as (
    select distinct collected_at from raw_helios_jobs
),

catalog_as_of as (
    -- the catalog snapshot in force at each snapshot (stg_catalog_snapshots states the rule)
    select s.collected_at, c.source, c.collected_at as catalog_collected_at
    from snapshots as s
    inner join stg_catalog_snapshots as c
        on (c.valid_from is null or s.collected_at >= c.valid_from)
        and (c.valid_to is null or s.collected_at < c.valid_to)
),

snapshot_components as (
    select
        a.collected_at,
        c.app_id,
        min(c.team) as team
    from catalog_as_of as a
    inner join components as c
        on c.source = a.source and c.collected_at = a.catalog_collected_at
    group by a.collected_at, c.app_id
),

app_team_overrides as (
    select
        app_id, team,
        row_number() over (partition by app_id order by priority) as candidate_number
    from team_overrides
),

final as (
    select
        w.collected_at,
        w.source,
        w.job_id,
        w.job_name,
        w.job_version,
        w.image,
        w.cpu_shares,
        w.memory_bytes,
        w.created_at,
        w.app_id,
        w.app_source,
        coalesce(o.team, t.metadata_value, c.team, '__unallocated__') as team,
        case
            when o.team is not null then 'override'
            when t.metadata_value is not null then 'label'
            when c.team is not null then 'catalog'
            else 'unallocated'
        end as team_source,
        c.app_id is not null as is_catalog_component
    from with_app as w
    left join app_team_overrides as o
        on o.app_id = w.app_id and o.candidate_number = 1
    left join team_metadata as t
        on t.source = w.source and t.collected_at = w.collected_at and t.job_id = w.job_id
        and t.candidate_number = 1
    left join snapshot_components as c
        on c.collected_at = w.collected_at and c.app_id = w.app_id
)

select * from final
