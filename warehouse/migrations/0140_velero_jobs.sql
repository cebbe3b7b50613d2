-- GA readiness, backups and smoke deploys (issue 15): Velero backups and schedules, whether a
-- cluster has Velero at all, and the status of Jobs. Snapshot tables like the other raw_k8s_*
-- ones: a load replaces the cluster's rows of the same collected_at.

-- One row per cluster snapshot: does the cluster serve velero.io/v1? A live list answered 404
-- (no CRD) says false; an offline List says true when it holds Velero objects and NULL (not
-- known: `kubectl get` of a kind without its CRD fails instead of printing an empty List)
-- otherwise. The marts report "no Velero" from this, never zero backups.
create table raw_velero_installs (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    velero_installed boolean,          -- NULL: unknown (an offline List without Velero objects)
    detail varchar                     -- why, e.g. "GET /apis/velero.io/v1/backups: 404"
);

-- backups.velero.io (velero.io/v1 Backup), status as the Velero server writes it.
create table raw_velero_backups (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,        -- the Velero server's namespace (usually velero)
    backup_name varchar not null,
    schedule_name varchar,             -- label velero.io/schedule-name; NULL for a manual backup
    phase varchar,                     -- status.phase: New, FailedValidation, InProgress,
                                       -- WaitingForPluginOperations, Finalizing, Completed,
                                       -- PartiallyFailed, Failed, Deleting (NULL/'' = New)
    started_at timestamp,              -- status.startTimestamp, UTC
    completed_at timestamp,            -- status.completionTimestamp, UTC
    expires_at timestamp,              -- status.expiration, UTC
    included_namespaces json,          -- spec.includedNamespaces (list; [] = all)
    excluded_namespaces json,          -- spec.excludedNamespaces (list)
    errors integer,                    -- status.errors
    warnings integer,                  -- status.warnings
    created_at timestamp
);

-- schedules.velero.io (velero.io/v1 Schedule).
create table raw_velero_schedules (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,
    schedule_name varchar not null,
    schedule varchar,                  -- spec.schedule, a cron expression
    included_namespaces json,          -- spec.template.includedNamespaces (list; [] = all)
    excluded_namespaces json,          -- spec.template.excludedNamespaces (list)
    paused boolean not null,           -- spec.paused (absent = false)
    last_backup_at timestamp,          -- status.lastBackup, UTC
    created_at timestamp
);

-- batch/v1 Job status, one row per Job per snapshot (its labels are in raw_k8s_workloads).
create table raw_k8s_jobs (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,
    job_name varchar not null,
    uid varchar,
    cronjob_name varchar,              -- the owning CronJob, NULL for a Job created on its own
    started_at timestamp,              -- status.startTime, UTC
    completed_at timestamp,            -- status.completionTime, UTC (set on success only)
    succeeded integer,                 -- status.succeeded (pods)
    failed integer,                    -- status.failed (pods)
    outcome varchar,                   -- 'Complete' or 'Failed' (a True condition), else NULL
    finished_at timestamp              -- lastTransitionTime of that condition, UTC
);
