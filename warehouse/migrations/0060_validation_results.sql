-- Data-quality results written by `fleetscope validate` (and by `fleetscope run`).
-- One row per check per validation run; history is kept so reports can show trends and the
-- last passing run. Only the warehouse module writes here (`Warehouse.append_rows`).

create table validation_results (
    run_id           varchar not null,   -- one id per `fleetscope validate` invocation
    validated_at     timestamp not null, -- UTC, same for every row of a run
    check_name       varchar not null,   -- e.g. 'mart_team_cost_daily.grain_unique'
    table_name       varchar not null,   -- table or view the check reads
    check_kind       varchar not null,   -- grain | not_null | range | invariant | freshness | share
    severity         varchar not null,   -- critical (stops `fleetscope run`) | warning
    success          boolean not null,
    element_count    bigint,             -- rows (or groups) examined
    unexpected_count bigint,             -- rows (or groups) violating the check
    observed         varchar,            -- one human sentence: what was found
    details          json                -- a few offending rows / the GX result summary
);

-- The newest run, one row per check.
create view validation_latest as
select r.*
from validation_results as r
where r.run_id = (select run_id from validation_results
                  order by validated_at desc, run_id desc limit 1);

-- One row: the newest run's overall status, for the leadership report's banner.
-- status: passed (all checks pass) | warnings (only warning checks fail) | failed (a critical
-- check fails).
create view validation_status as
select
    run_id,
    max(validated_at) as validated_at,
    case
        when count(*) filter (where not success and severity = 'critical') > 0 then 'failed'
        when count(*) filter (where not success) > 0 then 'warnings'
        else 'passed'
    end as status,
    count(*) as count_checks,
    count(*) filter (where not success and severity = 'critical') as count_failed_critical,
    count(*) filter (where not success and severity = 'warning') as count_failed_warning
from validation_latest
group by run_id;

-- Freshness per source and cluster, from the loads ledger: newest successful snapshot (or end of
-- the newest collected window) and the newest failure after it, if any.
create view source_freshness as
with succeeded as (
    select source_kind, source_name,
           max(coalesce(window_end, collected_at)) as last_data_at,
           max(finished_at) as last_succeeded_at
    from loads where status = 'succeeded'
    group by source_kind, source_name
),
failed as (
    select source_kind, source_name, max(finished_at) as last_failed_at
    from loads where status = 'failed'
    group by source_kind, source_name
)
select
    coalesce(s.source_kind, f.source_kind) as source_kind,
    coalesce(s.source_name, f.source_name) as source_name,
    s.last_data_at,
    s.last_succeeded_at,
    f.last_failed_at,
    coalesce(f.last_failed_at > s.last_succeeded_at or s.last_succeeded_at is null, false)
        as is_failing
from succeeded as s
full outer join failed as f
    on s.source_kind = f.source_kind and s.source_name = f.source_name;
