-- Commit history and incidents (issue 14): the inputs of lead time, change failure rate and
-- recovery time. Only what those need is kept: no file contents, diffs or messages, and no
-- author e-mail (privacy): `author_hash` is a stable hash that still counts distinct authors.
-- Both tables are loaded by key, not by snapshot: a load replaces the rows sharing
-- (repo, sha) or (source, incident_id), so a rerun or an overlapping incremental read changes
-- nothing.

create table raw_git_commits (
    load_id varchar not null, collected_at timestamp not null,
    source varchar not null,          -- the collection that read it (`git`, `github`, a dump)
    repo varchar not null,            -- org/name, as the annotation github.com/project-slug
    branch varchar,                   -- the branch whose history was read (main, master)
    sha varchar not null,             -- 40 lowercase hex
    parent_shas json not null,        -- list of 40-hex shas, first parent first
    author_hash varchar,              -- first 16 hex of sha256(lowercased author e-mail)
    authored_at timestamp not null,   -- UTC
    committed_at timestamp not null,  -- UTC
    first_parent_seq bigint           -- 1 = the root of the branch's first-parent chain, +1 per
                                      -- step toward the head; NULL off that chain (merged-in)
);

create table raw_incidents (
    load_id varchar not null, collected_at timestamp not null,
    source varchar not null,          -- the file's name in the warehouse (default `incidents`)
    incident_id varchar not null,
    app varchar not null,             -- app or service as the file names it
    created_at timestamp not null,    -- UTC
    resolved_at timestamp,            -- UTC; NULL while open
    caused_by varchar,                -- a deploy id or a commit sha (7-40 hex), as written
    source_file varchar not null,
    source_line integer not null      -- CSV line (header = 1) or JSON list position (1-based)
);
