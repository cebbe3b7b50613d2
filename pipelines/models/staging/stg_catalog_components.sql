with

entities as (
    select * from raw_catalog_entities
),

components as (
    select
        collected_at,
        source,
        entity_namespace,
        entity_name as app_id,
        nullif(trim(owner), '') as owner_ref,
        system,
        lifecycle,
        entity_type,
        nullif(trim(kubernetes_id), '') as kubernetes_id,
        kubernetes_label_selector,
        nullif(trim(json_extract_string(annotations, '$."github.com/project-slug"')), '')
            as github_project_slug,
        nullif(trim(json_extract_string(annotations, '$."backstage.io/source-location"')), '')
            as source_location
    from entities
    where lower(kind) = 'component'
),

final as (
    select
        collected_at,
        source,
        entity_namespace,
        app_id,
        owner_ref,
        case
            when owner_ref is null then null
            else regexp_replace(owner_ref, '^([^:/]+:)?([^/]+/)?', '')
        end as team,
        system,
        lifecycle,
        entity_type,
        kubernetes_id,
        kubernetes_label_selector,
        github_project_slug,
        source_location
    from components
)

select * from final
