with

deploys as (
    select
        *,
        -- cluster/namespace/deployment:revision, or helios-source/name:version:hash
        source_name || '/' || case
            when platform = 'helios' then revision_key
            else namespace || '/' || workload_name || ':' || revision_key
        end as deploy_id
    from int_deploy_events
),

sources as (
    select * from ref_delivery_sha_sources
),

annotation_keys as (
    select * from ref_delivery_annotations
),

repos as (
    select * from int_app_repos
),

commits as (
    select repo, commit_sha, first_parent_seq, ship_seq, committed_at
    from int_git_commits_shipped_with
),

images as (
    -- Kubernetes: the pod template's images (a JSON list, in container order); Helios: one image
    select d.deploy_id, i.image, i.position
    from deploys as d,
        unnest(
            case when d.platform = 'kubernetes'
                 then cast(d.images_key as varchar[]) else [d.images_key] end
        ) with ordinality as i(image, position)
),

image_tags as (
    -- the tag after the last ':' that follows the last '/' (not a registry port), digest dropped
    select deploy_id, position,
        regexp_extract(split_part(image, '@', 1), ':([^:/]+)$', 1) as tag
    from images
),

tag_shas as (
    -- the last 7-40 hex run of the tag bounded by '-', '.' or its ends: app:v1.2-1f3a9c2
    select deploy_id, position, list_filter(
        string_split_regex(lower(tag), '[-.]'), lambda p: regexp_full_match(p, '[0-9a-f]{7,40}')
    )[-1] as sha_text
    from image_tags
),

deployments as (
    select cluster, namespace, workload_name, collected_at, annotations
    from stg_k8s_workloads
    where workload_kind = 'Deployment'
),

workload_annotations as (
    -- the Deployment's annotations in the first snapshot at or after the deploy: the earliest
    -- later snapshot ranked first (a ranked join both DuckDB and Spark run; Spark has no ASOF)
    select deploy_id, annotations
    from (
        select d.deploy_id, w.annotations, row_number() over (
            partition by d.deploy_id order by w.collected_at
        ) as snapshot_number
        from deploys as d
        inner join deployments as w
            on w.cluster = d.source_name and w.namespace = d.namespace
            and w.workload_name = d.workload_name
            and w.collected_at >= d.deployed_at
        where d.platform = 'kubernetes'
    ) as later
    where snapshot_number = 1
),

candidates as (
    select deploy_id, 'image_tag' as sha_source, position as rank_within, sha_text
    from tag_shas
    where sha_text is not null
    union all
    select a.deploy_id, 'annotations', k.priority,
        lower(json_extract_string(a.annotations, '$."' || k.annotation_key || '"'))
    from workload_annotations as a
    cross join annotation_keys as k
    where regexp_full_match(
        lower(json_extract_string(a.annotations, '$."' || k.annotation_key || '"')),
        '[0-9a-f]{7,40}'
    )
    union all
    -- Helios job id name:version:hash: the version, when it reads as a sha
    select deploy_id, 'helios_version', 0, lower(split_part(revision_key, ':', 2))
    from deploys
    where platform = 'helios'
        and regexp_full_match(lower(split_part(revision_key, ':', 2)), '[0-9a-f]{7,40}')
),

resolved as (
    -- a short sha resolves to the one commit of the app's repo it starts; ambiguous: none
    select c.deploy_id, c.sha_source, c.rank_within, c.sha_text,
        min(g.commit_sha) as commit_sha, count(g.commit_sha) as count_matches
    from candidates as c
    inner join deploys as d on d.deploy_id = c.deploy_id
    left join repos as r on r.app_id = d.app_id
    left join commits as g
        on g.repo = r.repo
        and left(g.commit_sha, 7) = left(c.sha_text, 7)
        and starts_with(g.commit_sha, c.sha_text)
    group by c.deploy_id, c.sha_source, c.rank_within, c.sha_text
),

ranked as (
    select r.*, row_number() over (
        partition by r.deploy_id
        order by (r.count_matches = 1) desc, s.priority, r.rank_within
    ) as candidate_number
    from resolved as r
    inner join sources as s on s.sha_source = r.sha_source
),

final as (
    select
        d.deploy_id,
        d.platform,
        d.source_name,
        d.namespace,
        d.workload_name,
        d.revision_key,
        d.revision_number,
        d.deployed_at,
        d.deploy_date,
        d.app_id,
        d.team,
        d.is_rollback,
        r.repo,
        k.sha_source,
        k.sha_text,
        case when k.count_matches = 1 then k.commit_sha end as commit_sha,
        case when k.count_matches = 1 then g.first_parent_seq end as first_parent_seq,
        case when k.count_matches = 1 then g.ship_seq end as ship_seq,
        coalesce(k.count_matches = 1, false) as is_sha_resolved
    from deploys as d
    left join repos as r on r.app_id = d.app_id
    left join ranked as k on k.deploy_id = d.deploy_id and k.candidate_number = 1
    left join commits as g on g.repo = r.repo and g.commit_sha = k.commit_sha
)

select * from final
