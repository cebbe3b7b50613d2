with

line_days as (
    select * from int_billing_line_days where cost_date in (select day from _fleetscope_dates)
),

matches as (
    select * from int_billing_line_matches where cost_date in (select day from _fleetscope_dates)
),

tag_keys as (
    select * from ref_label_keys where key_kind = 'billing_team'
),

unmatched as (
    -- every bill line-day no node or volume took (int_billing_line_matches): nothing is dropped
    select l.*
    from line_days as l
    left join matches as m
        using (cost_date, source, billing_period_start, file_name, line_number)
    where m.cost_date is null
),

tag_candidates as (
    select
        u.cost_date, u.source, u.billing_period_start, u.file_name, u.line_number,
        json_extract_string(u.tags, '$."' || k.label_key || '"') as team,
        k.priority
    from unmatched as u
    cross join tag_keys as k
    where u.charge_category = 'Usage'
),

tag_teams as (
    select
        cost_date, source, billing_period_start, file_name, line_number, team,
        row_number() over (
            partition by cost_date, source, billing_period_start, file_name, line_number
            order by priority
        ) as candidate_number
    from tag_candidates
    where team is not null and team <> ''
),

owned as (
    -- Tax, Credit, Adjustment and Purchase lines belong to the account, never to a team,
    -- whatever their tags say: the reserved team `__billing__`
    select
        u.*,
        case
            when u.charge_category <> 'Usage' then '__billing__'
            else coalesce(t.team, '__unallocated__')
        end as team
    from unmatched as u
    left join tag_teams as t
        on t.cost_date = u.cost_date and t.source = u.source
        and t.billing_period_start = u.billing_period_start and t.file_name = u.file_name
        and t.line_number = u.line_number and t.candidate_number = 1
),

final as (
    select
        cost_date,
        team,
        coalesce(provider, '') as provider,
        coalesce(service_name, '') as service_name,
        charge_category,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from owned
    group by cost_date, team, coalesce(provider, ''), coalesce(service_name, ''), charge_category
)

select * from final
