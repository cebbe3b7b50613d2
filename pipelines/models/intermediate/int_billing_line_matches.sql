with

line_days as (
    select * from int_billing_line_days
    where cost_date in (select day from _fleetscope_dates) and charge_category = 'Usage'
),

resources as (
    select * from int_billing_resource_days
    where cost_date in (select day from _fleetscope_dates) and match_key is not null
),

candidates as (
    select l.cost_date, l.source, l.billing_period_start, l.file_name, l.line_number,
        r.cluster, r.resource_kind, r.resource_name
    from line_days as l
    inner join resources as r on r.cost_date = l.cost_date and r.match_key = l.match_key
    union all
    select l.cost_date, l.source, l.billing_period_start, l.file_name, l.line_number,
        r.cluster, r.resource_kind, r.resource_name
    from line_days as l
    inner join resources as r on r.cost_date = l.cost_date and r.name_key = l.match_key
),

ranked as (
    -- one resource per line and day: a node before a volume (a GKE boot disk carries its
    -- instance's name), then the first cluster and name, so that no line counts twice
    select
        *,
        row_number() over (
            partition by cost_date, source, billing_period_start, file_name, line_number
            order by case when resource_kind = 'node' then 0 else 1 end, cluster, resource_name
        ) as candidate_number
    from candidates
),

final as (
    select cost_date, source, billing_period_start, file_name, line_number, cluster,
        resource_kind, resource_name
    from ranked
    where candidate_number = 1
)

select * from final
