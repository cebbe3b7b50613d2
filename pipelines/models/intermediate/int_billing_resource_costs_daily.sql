with

resources as (
    select * from int_billing_resource_days where cost_date in (select day from _fleetscope_dates)
),

matches as (
    select * from int_billing_line_matches where cost_date in (select day from _fleetscope_dates)
),

line_days as (
    select * from int_billing_line_days
    where cost_date in (select day from _fleetscope_dates) and charge_category = 'Usage'
),

billed as (
    -- what the bill charged each matched node or volume that day (Usage lines only)
    select
        m.cost_date,
        m.cluster,
        m.resource_kind,
        m.resource_name,
        sum(l.effective_cost) as effective_cost,
        sum(l.billed_cost) as billed_cost,
        sum(l.list_cost) as list_cost
    from matches as m
    inner join line_days as l
        using (cost_date, source, billing_period_start, file_name, line_number)
    group by m.cost_date, m.cluster, m.resource_kind, m.resource_name
),

final as (
    select
        r.cost_date,
        r.cluster,
        r.resource_kind,
        r.resource_name,
        r.resource_ref,
        r.modelled_cost,
        b.effective_cost is not null as is_matched,
        b.effective_cost,
        b.billed_cost,
        b.list_cost,
        -- every cost charged on the node (or volume) that day is multiplied by this; no bill
        -- line, or nothing modelled to scale: the modelled cost stays
        case when b.effective_cost is not null and r.modelled_cost > 0
            then b.effective_cost / r.modelled_cost else 1.0 end as reconcile_factor
    from resources as r
    left join billed as b using (cost_date, cluster, resource_kind, resource_name)
)

select * from final
