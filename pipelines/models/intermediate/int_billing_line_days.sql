with

days as (
    select day from _fleetscope_dates
),

lines as (
    select * from stg_billing_lines
    where charge_period_start < cast($last_day as timestamp) + interval '1' day
        and charge_period_end > cast($first_day as timestamp)
),

spread as (
    -- a line's cost is spread evenly over the hours of its charge period (hourly, daily and
    -- monthly lines alike): each UTC day gets the share of the period's hours it covers. A period
    -- of zero length stays whole on its first day.
    select
        d.day as cost_date,
        l.*,
        case
            when l.charge_period_end <= l.charge_period_start then 1.0
            else date_diff(
                'second',
                greatest(l.charge_period_start, cast(d.day as timestamp)),
                least(l.charge_period_end, cast(d.day as timestamp) + interval '1' day)
            ) / date_diff('second', l.charge_period_start, l.charge_period_end)
        end as day_share
    from lines as l
    inner join days as d
        on cast(d.day as timestamp) + interval '1' day > l.charge_period_start
        and (
            cast(d.day as timestamp) < l.charge_period_end
            or (l.charge_period_end <= l.charge_period_start
                and d.day = cast(l.charge_period_start as date))
        )
),

keyed as (
    -- how the line names its resource, in the form int_billing_resource_days gives nodes and
    -- volumes: AWS `i-...` / `vol-...` (bare or at the end of an ARN), GCE `.../instances/<name>`
    -- or `.../disks/<name>`, Azure ARM ids lower-cased; a bare name matches a GCE instance or disk
    select
        *,
        case
            when regexp_matches(resource_id, '(^|instance/)i-[0-9a-z]+$')
                then 'aws-instance:' || regexp_extract(resource_id, '(i-[0-9a-z]+)$', 1)
            when regexp_matches(resource_id, '(^|volume/)vol-[0-9a-z]+$')
                then 'aws-volume:' || regexp_extract(resource_id, '(vol-[0-9a-z]+)$', 1)
            when lower(resource_id) like '/subscriptions/%' then 'azure:' || lower(resource_id)
            when resource_id like '%/instances/%'
                then 'gce-instance:' || regexp_extract(resource_id, '([^/]+)$', 1)
            when resource_id like '%/disks/%'
                then 'gce-disk:' || regexp_extract(resource_id, '([^/]+)$', 1)
            when resource_id not like '%/%' then 'name:' || resource_id
        end as match_key
    from spread
),

final as (
    select
        cost_date,
        source,
        billing_period_start,
        file_name,
        line_number,
        charge_category,
        provider,
        service_name,
        resource_id,
        match_key,
        tags,
        day_share,
        billed_cost * day_share as billed_cost,
        effective_cost * day_share as effective_cost,
        list_cost * day_share as list_cost
    from keyed
    where day_share > 0
)

select * from final
