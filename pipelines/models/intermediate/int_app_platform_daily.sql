with

days as (
    select day from _fleetscope_dates
),

snapshot_days as (
    select * from int_app_snapshot_days
    where snapshot_date between $first_day and $last_day
        and snapshot_date in (select day from days)
),

raw_pods as (
    select collected_at, cluster, namespace, pod_name, workload_kind, workload_name, phase,
        pod_cpu_request_cores
    from raw_k8s_pods
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

pod_requests as (
    select collected_at, cluster, namespace, pod_name, sum(cpu_request_cores) as cpu_request_cores
    from stg_k8s_containers
    where collected_at >= $inventory_from and collected_at < $inventory_to
    group by collected_at, cluster, namespace, pod_name
),

pods as (
    select
        p.collected_at, p.cluster, p.namespace, p.workload_kind, p.workload_name, p.phase,
        -- a pod-level request (PodLevelResources) is what the scheduler reserves for the pod
        coalesce(p.pod_cpu_request_cores, r.cpu_request_cores) as cpu_request_cores
    from raw_pods as p
    left join pod_requests as r using (collected_at, cluster, namespace, pod_name)
),

owners as (
    select * from int_k8s_workloads_owned_by_day
    where collected_at >= $inventory_from and collected_at < $inventory_to
),

helios as (
    select * from stg_helios_deployments
    where collected_at >= $snapshot_from and collected_at < $inventory_to
),

kubernetes_running as (
    select
        d.snapshot_date,
        o.app_id,
        o.team,
        o.team_source,
        coalesce(p.cpu_request_cores, 0) as cpu_cores
    from snapshot_days as d
    inner join pods as p
        on d.source_kind = 'kubernetes'
        and p.cluster = d.source_name
        and p.collected_at = d.collected_at
    inner join owners as o
        on o.collected_at = p.collected_at
        and o.cluster = p.cluster
        and o.namespace = p.namespace
        and o.workload_kind = p.workload_kind
        and o.workload_name = p.workload_name
    where p.phase = 'Running'
),

helios_running as (
    select
        d.snapshot_date,
        h.app_id,
        h.team,
        h.team_source,
        coalesce(h.cpu_cores, 0) as cpu_cores
    from snapshot_days as d
    inner join helios as h
        on d.source_kind = 'helios'
        and h.source = d.source_name
        and h.collected_at = d.collected_at
    where h.is_running
),

running as (
    select snapshot_date, app_id, team, team_source, cpu_cores, 'kubernetes' as platform
    from kubernetes_running
    union all
    select snapshot_date, app_id, team, team_source, cpu_cores, 'helios' as platform
    from helios_running
),

team_candidates as (
    select
        snapshot_date, app_id, team,
        row_number() over (
            partition by snapshot_date, app_id
            order by
                case team_source
                    when 'override' then 0
                    when 'label' then 1
                    when 'catalog' then 2
                    when 'namespace' then 3
                    else 4
                end,
                team
        ) as candidate_number
    from running
),

per_app as (
    select
        snapshot_date,
        app_id,
        sum(case when platform = 'kubernetes' then 1 else 0 end) > 0 as is_on_kubernetes,
        sum(case when platform = 'helios' then 1 else 0 end) > 0 as is_on_helios,
        sum(case when platform = 'kubernetes' then cpu_cores else 0 end)
            as kubernetes_cpu_cores,
        sum(case when platform = 'helios' then cpu_cores else 0 end) as helios_cpu_cores
    from running
    group by snapshot_date, app_id
),

final as (
    select
        a.snapshot_date as status_date,
        a.app_id,
        t.team,
        a.is_on_kubernetes,
        a.is_on_helios,
        a.kubernetes_cpu_cores,
        a.helios_cpu_cores
    from per_app as a
    inner join team_candidates as t
        on t.snapshot_date = a.snapshot_date
        and t.app_id = a.app_id
        and t.candidate_number = 1
)

select * from final
