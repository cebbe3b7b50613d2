-- grain: one row per team, Kubernetes cluster, namespace and day
-- materialized: incremental
-- date_column: cost_date
-- The Kubernetes rows of mart_team_cost_daily split by namespace, from the same cost lines
-- (int_cost_lines_daily): container charges by the namespace the container ran in, persistent
-- volumes by their claim's namespace (`__unbound__` for a volume no claim is bound to), and the
-- unused part of the nodes as team `__idle__` in namespace `__idle__`. Per team, cluster and day
-- the rows add up to mart_team_cost_daily.total_cost. Helios sources have no namespaces and are
-- left out (their cost is in mart_team_cost_daily and mart_app_cost_daily); the idle share is not
-- split by namespace (mart_team_cost_daily.idle_share_cost).
with

cost_lines as (
    select * from int_cost_lines_daily
    where platform = 'kubernetes' and cost_date in (select day from _fleetscope_dates)
),

final as (
    select
        cost_date, team, cluster, namespace,
        sum(cpu_cost) as cpu_cost,
        sum(ram_cost) as ram_cost,
        sum(gpu_cost) as gpu_cost,
        sum(storage_cost) as storage_cost,
        sum(total_cost) as total_cost,
        sum(cpu_core_hours) as cpu_core_hours,
        sum(ram_gib_hours) as ram_gib_hours,
        sum(cpu_requested_core_hours) as cpu_requested_core_hours,
        sum(cpu_used_core_hours) as cpu_used_core_hours,
        sum(ram_requested_gib_hours) as ram_requested_gib_hours,
        sum(ram_used_gib_hours) as ram_used_gib_hours
    from cost_lines
    group by cost_date, team, cluster, namespace
)

select * from final
