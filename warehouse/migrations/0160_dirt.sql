-- The DiRT log (issue 15): planned disaster-recovery exercises, one row per exercise, read from
-- a YAML file (docs/sources.md, "DiRT log"). The file is a snapshot of the log: `source` is its
-- resolved path and a load replaces every row of that source, so editing or deleting an
-- exercise in the file and loading it again is reflected exactly.
-- The cluster column is `cluster_name`, not `cluster`: the loader names a load's rows by a
-- `cluster` column when a table has one, and here the load is the file, not a cluster.

create table raw_dirt_exercises (
    load_id varchar not null, collected_at timestamp not null,
    source varchar not null,            -- the file's resolved path (one load per file)
    exercise_id varchar not null,       -- `id`, else <date>-<cluster>-<scenario>
    exercise_date date not null,
    cluster_name varchar not null,
    scenario varchar not null,          -- cluster-deletion, control-plane-down, zone-outage,
                                        -- node-pool-loss, backup-restore, dns-outage, other
    validated json not null,            -- list of strings: what the exercise checked
    outcome varchar not null,           -- pass | partial | fail
    time_to_recover_minutes double,     -- >= 0; NULL when it did not recover during the test
    playbook_url varchar,
    follow_ups json not null,           -- list of {title, status: open|done, link}
    source_file varchar not null,       -- the path as given
    line integer not null               -- the exercise's first line in the file (1-based)
);
