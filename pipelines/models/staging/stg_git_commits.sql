with

commits as (
    select * from raw_git_commits
),

final as (
    select
        repo,
        branch,
        sha as commit_sha,
        cast(parent_shas as varchar[]) as parent_shas,
        cast(parent_shas as varchar[])[1] as first_parent_sha,
        len(cast(parent_shas as varchar[])) > 1 as is_merge,
        author_hash,
        authored_at,
        committed_at,
        first_parent_seq,
        first_parent_seq is not null as is_first_parent,
        source,
        collected_at
    from commits
)

select * from final
