with

deployments as (
    select * from raw_helios_deployments
),

jobs as (
    select * from int_helios_jobs_owned
),

hosts as (
    select * from stg_helios_hosts
),

started_per_host as (
    select source, collected_at, host, count(*) as count_started_jobs
    from deployments
    where upper(goal) = 'START'
    group by source, collected_at, host
),

final as (
    select
        d.collected_at,
        d.source,
        d.host,
        d.job_id,
        coalesce(j.job_name, split_part(d.job_id, ':', 1)) as job_name,
        coalesce(j.app_id, split_part(d.job_id, ':', 1)) as app_id,
        coalesce(j.team, '__unallocated__') as team,
        coalesce(j.team_source, 'unallocated') as team_source,
        upper(d.goal) as goal,
        upper(d.state) as state,
        h.host_status,
        coalesce(upper(d.goal) = 'START' and upper(d.state) = 'RUNNING' and h.is_up, false)
            as is_running,
        case
            when j.cpu_shares > 0 then j.cpu_shares / 1024.0
            else h.cpu_cores / s.count_started_jobs
        end as cpu_cores,
        j.memory_bytes
    from deployments as d
    left join jobs as j
        on j.source = d.source and j.collected_at = d.collected_at and j.job_id = d.job_id
    left join hosts as h
        on h.source = d.source and h.collected_at = d.collected_at and h.host = d.host
    left join started_per_host as s
        on s.source = d.source and s.collected_at = d.collected_at and s.host = d.host
)

select * from final
