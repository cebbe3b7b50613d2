with

label_keys as (
    select key_kind, label_key, priority
    from ref_label_keys
    where key_kind in ('helios_component', 'team')
),

app_rules as (
    select object_name, app_id, specificity, priority
    from ref_app_overrides
    where platform = 'helios'
),

metadata_values as (
    select
        j.source, j.collected_at, j.job_id, k.key_kind, k.priority,
        json_extract_string(j.metadata, '$."' || k.label_key || '"') as metadata_value
    from stg_helios_jobs as j
    cross join label_keys as k
),

ranked_metadata as (
    select
        source, collected_at, job_id, key_kind, metadata_value,
        row_number() over (
            partition by source, collected_at, job_id, key_kind order by priority
        ) as candidate_number
    from metadata_values
    where metadata_value is not null and metadata_value <> ''
),

job_metadata as (
    -- the first non-empty value of each kind, both kinds in one row
    select
        source, collected_at, job_id,
        max(case when key_kind = 'helios_component' then metadata_value end) as component,
        max(case when key_kind = 'team' then metadata_value end) as team
    from ranked_metadata
    where candidate_number = 1
    group by source, collected_at, job_id
),

override_apps as (
    select
        j.source, j.collected_at, j.job_id, r.app_id,
        row_number() over (
            partition by j.source, j.collected_at, j.job_id
            order by r.specificity desc, r.priority
        ) as candidate_number
    from stg_helios_jobs as j
    inner join app_rules as r on r.object_name = j.job_name
),

with_app as (
    select
        j.*,
        m.team as metadata_team,
        coalesce(o.app_id, m.component, j.job_name) as app_id,
        case
            when o.app_id is not null then 'override'
            when m.component is not null then 'metadata'
            else 'name'
        end as app_source
    from stg_helios_jobs as j
    left join override_apps as o
        on o.source = j.source and o.collected_at = j.collected_at and o.job_id = j.job_id
        and o.candidate_number = 1
    left join job_metadata as m
        on m.source = j.source and m.collected_at = j.collected_at and m.job_id = j.job_id
),

component_teams as (
    select collected_at, app_id, min(team) as team
    from int_catalog_components_by_snapshot
    group by collected_at, app_id
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
        coalesce(o.team, w.metadata_team, c.team, '__unallocated__') as team,
        case
            when o.team is not null then 'override'
            when w.metadata_team is not null then 'label'
            when c.team is not null then 'catalog'
            else 'unallocated'
        end as team_source,
        c.app_id is not null as is_catalog_component
    from with_app as w
    left join int_app_team_overrides as o on o.app_id = w.app_id
    left join component_teams as c
        on c.collected_at = w.collected_at and c.app_id = w.app_id
)

select * from final
