with

budget_days as (
    select
        *,
        -- a month starts afresh: its first day compares with 'ok', not last month's end
        case when lag(month_start) over w = month_start then lag(status) over w else 'ok' end
            as previous_status
    from mart_budget_status_daily
    window w as (partition by budget_id order by status_date)
),

budget_alerts as (
    -- raised when a budget's status becomes at_risk or over (again after a change)
    select
        'budget' as alert_kind,
        coalesce(team, '__all__') as team,
        cast(null as varchar) as app_id,
        cluster,
        budget_id as subject,
        status_date as raised_on,
        case when status = 'over' then 'critical' else 'warning' end as severity,
        'Budget ' || budget_id || case when status = 'over' then ' is over' else ' is at risk' end
            as title,
        'Month to date ' || printf('%.0f', mtd_cost) || ' of ' || printf('%.0f', monthly_budget)
            || ' on day ' || day(status_date) || ' of the month; forecast '
            || printf('%.0f', forecast_cost) || ' (' || printf('%.0f', forecast_pct)
            || ' % of the budget).' as detail,
        forecast_cost - monthly_budget as amount
    from budget_days
    where status <> 'ok' and status <> previous_status
),

anomaly_alerts as (
    select
        'anomaly' as alert_kind,
        team,
        app_id,
        cast(null as varchar) as cluster,
        scope || ':' || direction as subject,
        cost_date as raised_on,
        case when direction = 'spike' then 'warning' else 'info' end as severity,
        'Cost ' || direction || ' of ' || coalesce('app ' || app_id, 'team ' || team) as title,
        'Cost ' || printf('%.2f', cost) || ' against a trailing median of '
            || printf('%.2f', trailing_median) || ' (threshold ' || printf('%.2f', threshold)
            || '); moved most: ' || coalesce(cause_resource, '?') || ' '
            || printf('%+.2f', coalesce(cause_resource_change, 0)) || ', namespace '
            || coalesce(cause_namespace, '?') || ' '
            || printf('%+.2f', coalesce(cause_namespace_change, 0)) || '.' as detail,
        excess_cost as amount
    from mart_cost_anomalies
    where is_first_day
),

migration_alerts as (
    select
        'migration' as alert_kind,
        team,
        app_id,
        cast(null as varchar) as cluster,
        app_id as subject,
        on_helios_since as raised_on,
        'warning' as severity,
        'Migrating ' || app_id || ' off Helios saves about '
            || printf('%.0f', saving_per_month) || ' a month' as title,
        app_id || ' costs ' || printf('%.0f', helios_cost_per_month) || ' a month on Helios.'
            || ' Migrated apps (' || impact_basis || ') changed their weekly cost by '
            || printf('%+.0f', 100 * change_ratio) || ' % (interval '
            || printf('%+.0f', 100 * change_ratio_low) || ' .. '
            || printf('%+.0f', 100 * change_ratio_high) || ' %): a saving of '
            || printf('%.0f', saving_per_month) || ' (' || printf('%.0f', saving_per_month_low)
            || ' .. ' || printf('%.0f', saving_per_month_high) || ') a month.' as detail,
        saving_per_month as amount
    from mart_helios_savings
    -- only a clear saving is an alert (Cost Insights' migration alert recommends an action);
    -- the team page lists every app still on Helios, "no clear saving" included
    where verdict = 'saving'
),

alerts as (
    select * from budget_alerts
    union all
    select * from anomaly_alerts
    union all
    select * from migration_alerts
),

final as (
    select
        -- stable across runs: the same condition raised the same day keeps its id
        substr(md5(concat_ws('|', alert_kind, team, coalesce(app_id, ''), subject,
            cast(raised_on as varchar))), 1, 16) as alert_id,
        alert_kind,
        team,
        app_id,
        cluster,
        raised_on,
        severity,
        title,
        detail,
        amount
    from alerts
)

select * from final
