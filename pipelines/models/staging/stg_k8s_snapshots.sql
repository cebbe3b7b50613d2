with

loads_log as (
    select * from loads
),

final as (
    select distinct
        source_name as cluster,
        collected_at
    from loads_log
    where source_kind = 'kubernetes' and status = 'succeeded'
)

select * from final
