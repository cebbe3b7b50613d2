-- grain: one row per team, Kubernetes cluster, namespace and day
-- materialized: incremental
-- date_column: cost_date
-- The Kubernetes rows of mart_team_cost_daily split by namespace, from the same sums
-- (int_team_costs_daily over int_cost_lines_daily): container charges by the namespace the
-- container ran in, persistent volumes by their claim's namespace (`__unbound__` for a volume no
-- claim is bound to), and the unused part of the nodes as team `__idle__` in namespace
-- `__idle__`. Per team, cluster and day the rows add up to mart_team_cost_daily.total_cost.
-- Helios sources have no namespaces and are left out (their cost is in mart_team_cost_daily and
-- mart_app_cost_daily); the idle share is not split by namespace
-- (mart_team_cost_daily.idle_share_cost).
with

namespace_costs as (
    select * from int_team_costs_daily
    where platform = 'kubernetes' and not is_team_total
        and cost_date in (select day from _fleetscope_dates)
),

final as (
    select
        cost_date, team, cluster, namespace, cpu_cost, ram_cost, gpu_cost, storage_cost,
        total_cost, cpu_core_hours, ram_gib_hours, cpu_requested_core_hours, cpu_used_core_hours,
        ram_requested_gib_hours, ram_used_gib_hours
    from namespace_costs
)

select * from final
