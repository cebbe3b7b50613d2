with recursive

commits as (
    select repo, commit_sha, parent_shas, committed_at, first_parent_seq
    from stg_git_commits
),

side_parents as (
    -- the second and later parents of each merge on the first-parent chain
    select m.repo, m.first_parent_seq as merge_seq, unnest(m.parent_shas[2:]) as commit_sha
    from commits as m
    where m.first_parent_seq is not null and len(m.parent_shas) > 1
),

merged_in(repo, merge_seq, commit_sha) as (
    select s.repo, s.merge_seq, s.commit_sha
    from side_parents as s
    inner join commits as c on c.repo = s.repo and c.commit_sha = s.commit_sha
    where c.first_parent_seq is null
    union
    -- walk back through side-branch commits until the chain (seq not null) is reached
    select m.repo, m.merge_seq, p.commit_sha
    from merged_in as m
    inner join commits as c on c.repo = m.repo and c.commit_sha = m.commit_sha
    inner join commits as p
        on p.repo = c.repo and list_contains(c.parent_shas, p.commit_sha)
    where p.first_parent_seq is null
),

first_merge as (
    -- a side commit reachable from several merges ships with the earliest of them
    select repo, commit_sha, min(merge_seq) as merge_seq
    from merged_in
    group by repo, commit_sha
),

final as (
    select
        c.repo,
        c.commit_sha,
        c.committed_at,
        c.first_parent_seq,
        coalesce(c.first_parent_seq, f.merge_seq) as ship_seq
    from commits as c
    left join first_merge as f on f.repo = c.repo and f.commit_sha = c.commit_sha
)

select * from final
