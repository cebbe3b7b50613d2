with

node_hours as (
    select * from int_node_hours where usage_date in (select day from _fleetscope_dates)
),

volume_costs as (
    select * from int_storage_costs_daily where cost_date in (select day from _fleetscope_dates)
),

volumes as (
    -- the snapshots the computed days may use (see pipelines/runner.py)
    -- one handle per volume (a PV's handle does not change; max() guards the join)
    select cluster, pv_name, max(volume_handle) as volume_handle from raw_k8s_pvs
    where collected_at >= $inventory_from and collected_at < $inventory_to
        and volume_handle is not null
    group by cluster, pv_name
),

nodes as (
    select
        usage_date as cost_date,
        cluster,
        node_name as resource_name,
        any_value(provider_id) as provider_id,
        sum(total_cost) as modelled_cost
    from node_hours
    group by usage_date, cluster, node_name
),

node_keys as (
    -- spec.providerID: aws:///<zone>/<instance-id>, gce://<project>/<zone>/<name>,
    -- azure:///subscriptions/... (the ARM id, compared lower-cased)
    select
        *,
        case
            when provider_id like 'aws://%'
                then 'aws-instance:' || regexp_extract(provider_id, '([^/]+)$', 1)
            when provider_id like 'gce://%'
                then 'gce-instance:' || regexp_extract(provider_id, '([^/]+)$', 1)
            when provider_id like 'azure://%'
                then 'azure:' || lower(substr(provider_id, length('azure://') + 1))
        end as match_key
    from nodes
),

volume_days as (
    select
        c.cost_date,
        c.cluster,
        c.pv_name as resource_name,
        any_value(v.volume_handle) as volume_handle,
        sum(c.storage_cost) as modelled_cost
    from volume_costs as c
    left join volumes as v using (cluster, pv_name)
    group by c.cost_date, c.cluster, c.pv_name
),

volume_keys as (
    -- volume_handle: AWS vol-... (also aws://<zone>/vol-...), GCE pdName or
    -- projects/.../disks/<name>, Azure diskURI (an ARM id, compared lower-cased)
    select
        *,
        case
            when regexp_matches(volume_handle, '(^|/)vol-[0-9a-z]+$')
                then 'aws-volume:' || regexp_extract(volume_handle, '(vol-[0-9a-z]+)$', 1)
            when lower(volume_handle) like '/subscriptions/%' then 'azure:' || lower(volume_handle)
            when volume_handle like '%/disks/%'
                then 'gce-disk:' || regexp_extract(volume_handle, '([^/]+)$', 1)
            when volume_handle not like '%/%' then 'gce-disk:' || volume_handle
        end as match_key
    from volume_days
),

resources as (
    select cost_date, cluster, 'node' as resource_kind, resource_name, provider_id as resource_ref,
        match_key, modelled_cost
    from node_keys
    union all
    select cost_date, cluster, 'volume', resource_name, volume_handle, match_key, modelled_cost
    from volume_keys
),

final as (
    -- a bill may name a GCE instance or disk by its bare name: `name:<name>` matches that too
    select
        *,
        case when match_key like 'gce-%' then 'name:' || regexp_extract(match_key, ':(.*)$', 1)
            end as name_key
    from resources
)

select * from final
