with

cost_lines as (
    select * from int_cost_lines_daily
    where app_id is not null and cost_date in (select day from _fleetscope_dates)
),

team_charges as (
    select cost_date, platform, cluster, app_id, team, sum(total_cost) as total_cost
    from cost_lines
    group by cost_date, platform, cluster, app_id, team
),

ranked_teams as (
    select
        *,
        -- first: on Kubernetes the most charged team (ties: the first name), on Helios the last name
        row_number() over (
            partition by cost_date, platform, cluster, app_id
            order by
                case when platform = 'kubernetes' then total_cost end desc,
                case when platform = 'kubernetes' then team end,
                team desc
        ) as team_rank
    from team_charges
),

app_costs as (
    select
        cost_date, platform, cluster, app_id,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(gpu_cost) as gpu_cost,
        sum(total_cost) as total_cost,
        sum(reconciled_cost) as reconciled_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours
    from cost_lines
    group by cost_date, platform, cluster, app_id
),

final as (
    select
        a.cost_date,
        a.app_id,
        t.team,
        a.cluster,
        a.platform,
        a.cpu_cost,
        a.ram_cost,
        a.gpu_cost,
        a.total_cost,
        a.reconciled_cost,
        a.cpu_core_hours,
        a.ram_gib_hours
    from app_costs as a
    inner join ranked_teams as t using (cost_date, platform, cluster, app_id)
    where t.team_rank = 1
)

select * from final
