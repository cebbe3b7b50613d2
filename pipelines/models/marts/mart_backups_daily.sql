with

snapshots as (
    select * from stg_k8s_snapshots
),

installs as (
    select * from stg_velero_installs
),

schedules as (
    select * from stg_velero_schedules
),

backups as (
    select * from int_velero_backups_latest
),

days as (
    select
        s.cluster,
        cast(s.collected_at as date) as day,
        max(s.collected_at) as snapshot_at
    from snapshots as s
    group by s.cluster, cast(s.collected_at as date)
),

day_status as (
    select
        d.*,
        case
            when i.velero_installed then 'installed'
            when not i.velero_installed then 'not_installed'
            else 'unknown'
        end as velero_status
    from days as d
    left join installs as i on i.cluster = d.cluster and i.collected_at = d.snapshot_at
),

scheduled as (
    select d.cluster, d.day, s.schedule_name
    from day_status as d
    inner join schedules as s on s.cluster = d.cluster and s.collected_at = d.snapshot_at
    union
    select d.cluster, d.day, b.schedule_name
    from day_status as d
    inner join backups as b on b.cluster = d.cluster and b.backup_date = d.day
),

keys as (
    select d.*, s.schedule_name
    from day_status as d
    inner join scheduled as s on s.cluster = d.cluster and s.day = d.day
    where d.velero_status = 'installed'
    union all
    select
        d.*,
        case when d.velero_status = 'installed' then '__no_schedules__' else '__no_velero__' end
    from day_status as d
    where d.velero_status <> 'installed'
        or not exists (select 1 from scheduled as s where s.cluster = d.cluster and s.day = d.day)
),

counts as (
    select
        k.cluster,
        k.day,
        k.schedule_name,
        count(b.backup_name) as backups_started,
        count(b.backup_name) filter (where b.phase = 'Completed') as completed_backups,
        count(b.backup_name) filter (
            where b.phase in ('Failed', 'FailedValidation')
        ) as failed_backups,
        count(b.backup_name) filter (where b.phase = 'PartiallyFailed') as partially_failed_backups
    from keys as k
    left join backups as b
        on b.cluster = k.cluster and b.schedule_name = k.schedule_name and b.backup_date = k.day
    group by k.cluster, k.day, k.schedule_name
),

last_completed as (
    select
        k.cluster,
        k.day,
        k.schedule_name,
        max(b.completed_at) as last_completed_at,
        -- ties (the same second): the last name, on both engines
        arg_max(b.backup_name, struct_pack(at := b.completed_at, name := b.backup_name))
            as last_completed_backup
    from keys as k
    inner join backups as b
        on b.cluster = k.cluster and b.schedule_name = k.schedule_name
        and b.phase = 'Completed' and b.completed_at <= k.snapshot_at
    group by k.cluster, k.day, k.schedule_name
),

final as (
    select
        k.day,
        k.cluster,
        k.schedule_name,
        k.velero_status,
        k.snapshot_at,
        s.schedule as schedule_cron,
        s.paused,
        c.backups_started,
        c.completed_backups,
        c.failed_backups,
        c.partially_failed_backups,
        l.last_completed_backup,
        l.last_completed_at,
        date_diff('second', l.last_completed_at, k.snapshot_at) / 3600.0
            as last_completed_age_hours
    from keys as k
    inner join counts as c
        on c.cluster = k.cluster and c.day = k.day and c.schedule_name = k.schedule_name
    left join last_completed as l
        on l.cluster = k.cluster and l.day = k.day and l.schedule_name = k.schedule_name
    left join schedules as s
        on s.cluster = k.cluster and s.collected_at = k.snapshot_at
        and s.schedule_name = k.schedule_name
)

select * from final
