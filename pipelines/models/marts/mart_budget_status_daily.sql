with

budgets as (
    select * from ref_budgets
),

team_costs as (
    select * from mart_team_cost_daily
),

data_days as (
    -- every day with cost data: a budget's scope without a row that day spent 0
    select distinct cost_date from team_costs
),

scoped_costs as (
    -- spend = the fully loaded cost the reports show: allocated (reconciled_cost: the bill's
    -- where one covers the node-day, the list price otherwise) + shared + the reconciled idle
    -- share; `__idle__` is left out because its cost is already in the teams' idle shares
    select b.budget_id, c.cost_date,
        sum(c.reconciled_cost + c.shared_cost + c.reconciled_idle_share_cost) as cost
    from budgets as b
    inner join team_costs as c
        on (b.team is null or c.team = b.team) and (b.cluster is null or c.cluster = b.cluster)
    where c.team <> '__idle__'
    group by b.budget_id, c.cost_date
),

daily as (
    select b.budget_id, d.cost_date, coalesce(s.cost, 0.0) as cost
    from budgets as b
    cross join data_days as d
    left join scoped_costs as s on s.budget_id = b.budget_id and s.cost_date = d.cost_date
),

status_days as (
    select b.budget_id, b.team, b.cluster, b.monthly_budget, d.cost_date as status_date,
        cast(date_trunc('month', d.cost_date) as date) as month_start,
        last_day(d.cost_date) as month_end
    from budgets as b
    cross join data_days as d
    where d.cost_date in (select day from _fleetscope_dates)
),

month_to_date as (
    select s.budget_id, s.status_date, sum(c.cost) as mtd_cost,
        count(*) as count_days_with_data
    from status_days as s
    inner join daily as c
        on c.budget_id = s.budget_id and c.cost_date between s.month_start and s.status_date
    group by s.budget_id, s.status_date
),

trailing_days as (
    -- the 28 days ending on the status day: 4 of each weekday, so a weekend's lower cost
    -- forecasts the remaining weekends, not the weekdays
    select s.budget_id, s.status_date, c.cost_date, c.cost
    from status_days as s
    inner join daily as c
        on c.budget_id = s.budget_id and c.cost_date between s.status_date - 27 and s.status_date
),

weekday_rates as (
    select budget_id, status_date, isodow(cost_date) as weekday, avg(cost) as rate
    from trailing_days
    group by budget_id, status_date, isodow(cost_date)
),

overall_rates as (
    -- the fallback for a weekday the window has no data for (history shorter than a week)
    select budget_id, status_date, avg(cost) as rate
    from trailing_days
    group by budget_id, status_date
),

remaining_days as (
    select s.budget_id, s.status_date, cast(r.day as date) as day
    from status_days as s
    cross join lateral (
        select unnest(generate_series(
            cast(s.status_date + 1 as timestamp), cast(s.month_end as timestamp), interval 1 day
        )) as day
    ) as r
),

rest_of_month as (
    select r.budget_id, r.status_date, count(*) as count_days_remaining,
        sum(coalesce(w.rate, o.rate)) as remaining_cost
    from remaining_days as r
    inner join overall_rates as o using (budget_id, status_date)
    left join weekday_rates as w
        on w.budget_id = r.budget_id and w.status_date = r.status_date
        and w.weekday = isodow(r.day)
    group by r.budget_id, r.status_date
),

final as (
    select
        s.status_date,
        s.budget_id,
        s.team,
        s.cluster,
        s.monthly_budget,
        s.month_start,
        m.count_days_with_data,
        coalesce(r.count_days_remaining, 0) as count_days_remaining,
        m.mtd_cost,
        m.mtd_cost + coalesce(r.remaining_cost, 0.0) as forecast_cost,
        100 * m.mtd_cost / s.monthly_budget as mtd_pct,
        100 * (m.mtd_cost + coalesce(r.remaining_cost, 0.0)) / s.monthly_budget as forecast_pct,
        case
            when m.mtd_cost > s.monthly_budget then 'over'
            when m.mtd_cost + coalesce(r.remaining_cost, 0.0) > s.monthly_budget then 'at_risk'
            else 'ok'
        end as status
    from status_days as s
    inner join month_to_date as m using (budget_id, status_date)
    left join rest_of_month as r using (budget_id, status_date)
)

select * from final
