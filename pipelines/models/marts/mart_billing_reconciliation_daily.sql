with

resources as (
    select * from int_billing_resource_costs_daily
    where cost_date in (select day from _fleetscope_dates)
),

final as (
    -- billed_*: EffectiveCost of the Usage bill lines matched to the cluster's nodes / volumes
    select
        cost_date,
        cluster,
        sum(case when resource_kind = 'node' then modelled_cost else 0.0 end)
            as modelled_node_cost,
        sum(case when resource_kind = 'node' and is_matched then effective_cost else 0.0 end)
            as billed_node_cost,
        sum(case when resource_kind = 'node' and is_matched then modelled_cost else 0.0 end)
            as modelled_matched_node_cost,
        count(case when resource_kind = 'node' then 1 end) as count_nodes,
        count(case when resource_kind = 'node' and is_matched then 1 end)
            as count_nodes_matched,
        sum(case when resource_kind = 'volume' then modelled_cost else 0.0 end)
            as modelled_volume_cost,
        sum(case when resource_kind = 'volume' and is_matched then effective_cost else 0.0 end)
            as billed_volume_cost,
        sum(case when resource_kind = 'volume' and is_matched then modelled_cost else 0.0 end)
            as modelled_matched_volume_cost,
        count(case when resource_kind = 'volume' then 1 end) as count_volumes,
        count(case when resource_kind = 'volume' and is_matched then 1 end)
            as count_volumes_matched
    from resources
    group by cost_date, cluster
)

select * from final
