with

lines as (
    select * from raw_billing_lines
),

final as (
    select
        source,
        billing_period_start,
        billing_period_end,
        charge_period_start,
        charge_period_end,
        charge_category,
        charge_class,
        provider,
        billing_account_id,
        sub_account_id,
        service_name,
        service_category,
        resource_id,
        resource_type,
        region_id,
        sku_id,
        pricing_category,
        commitment_discount_id,
        billed_cost,
        effective_cost,
        list_cost,
        contracted_cost,
        billing_currency,
        tags,
        file_name,
        line_number
    from lines
)

select * from final
