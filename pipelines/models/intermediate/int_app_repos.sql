with

components as (
    select * from stg_catalog_components
),

overrides as (
    select app_id, repo from ref_app_repos
),

annotated as (
    select
        app_id,
        collected_at,
        coalesce(
            github_project_slug,
            -- url:https://github.com/acme/checkout/tree/main/ -> acme/checkout
            nullif(regexp_extract(
                source_location, 'github\.com[/:]([^/]+/[^/#?]+?)(\.git)?([/#?]|$)', 1
            ), '')
        ) as repo
    from components
),

catalog_repos as (
    -- the latest snapshot that names a repository for the app
    select app_id, arg_max(repo, collected_at) as repo
    from annotated
    where repo is not null
    group by app_id
),

final as (
    select app_id, repo, 'override' as repo_source from overrides
    union all
    select c.app_id, c.repo, 'catalog' as repo_source
    from catalog_repos as c
    where c.app_id not in (select app_id from overrides)
)

select * from final
