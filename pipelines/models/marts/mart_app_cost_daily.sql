with

days as (
    select day from _fleetscope_dates
),

workload_costs as (
    select w.*
    from int_workload_costs_daily as w
    inner join days as d on d.day = w.cost_date
),

helios_costs as (
    select h.*
    from int_helios_app_cost_daily as h
    inner join days as d on d.day = h.cost_date
),

app_team_costs as (
    select
        cost_date, app_id, cluster, team,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(gpu_cost) as gpu_cost,
        sum(total_cost) as total_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours
    from workload_costs
    group by cost_date, app_id, cluster, team
),

ranked_teams as (
    select
        *,
        row_number() over (
            partition by cost_date, app_id, cluster order by total_cost desc, team
        ) as team_rank
    from app_team_costs
),

kubernetes_apps as (
    select
        a.cost_date,
        a.app_id,
        t.team,
        a.cluster,
        'kubernetes' as platform,
        a.cpu_cost,
        a.ram_cost,
        a.gpu_cost,
        a.total_cost,
        a.cpu_core_hours,
        a.ram_gib_hours
    from (
        select
            cost_date, app_id, cluster,
            sum(cpu_cost) as cpu_cost,
            sum(ram_cost) as ram_cost,
            sum(gpu_cost) as gpu_cost,
            sum(total_cost) as total_cost,
            sum(cpu_core_hours) as cpu_core_hours,
            sum(ram_gib_hours) as ram_gib_hours
        from app_team_costs
        group by cost_date, app_id, cluster
    ) as a
    inner join ranked_teams as t
        on t.cost_date = a.cost_date
        and t.app_id = a.app_id
        and t.cluster = a.cluster
        and t.team_rank = 1
),

helios_apps as (
    select
        cost_date,
        app_id,
        max(team) as team,
        source as cluster,
        'helios' as platform,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        0.0 as gpu_cost,
        sum(total_cost) as total_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours
    from helios_costs
    group by cost_date, app_id, source
),

final as (
    select * from kubernetes_apps
    union all
    select * from helios_apps
)

select * from final
