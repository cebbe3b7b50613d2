-- Core tables: loads, state, and one raw table per source object.
-- Raw tables are snapshots as collected: every row carries the load that wrote it (`load_id`),
-- when it was collected (`collected_at`, UTC) and its cluster or source. Only the warehouse
-- module writes here; collectors hand it rows, transforms read them.

create table loads (
    load_id        varchar primary key,
    source_kind    varchar not null,   -- kubernetes | prometheus | helios | catalog | ...
    source_name    varchar not null,   -- cluster name, or the source's configured name
    collected_at   timestamp not null, -- snapshot time (UTC) or end of the collected window
    window_start   timestamp,          -- time-series loads: [window_start, window_end)
    window_end     timestamp,
    status         varchar not null,   -- succeeded | failed
    row_count      bigint not null default 0,
    error          varchar,            -- why a failed collection failed (never credentials)
    started_at     timestamp not null,
    finished_at    timestamp not null
);

create table state (
    state_key   varchar primary key,   -- e.g. 'prometheus:prod-eu:watermark'
    state_value varchar not null,
    updated_at  timestamp not null
);

-- Kubernetes inventory (from the API or a `kubectl get -o json` List) ---------------------------

create table raw_k8s_nodes (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    node_name varchar not null,
    instance_type varchar,
    provider_id varchar,
    is_spot boolean not null,
    cpu_capacity_cores double,
    memory_capacity_bytes double,
    gpu_capacity double,
    cpu_allocatable_cores double,
    memory_allocatable_bytes double,
    labels json,
    created_at timestamp
);

create table raw_k8s_namespaces (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,
    labels json,
    annotations json,
    created_at timestamp
);

-- One row per pod; `workload_kind`/`workload_name` are resolved through owner references
-- (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob, StatefulSet, DaemonSet; a bare pod is
-- its own workload with kind 'Pod').
create table raw_k8s_pods (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,
    pod_name varchar not null,
    pod_uid varchar,
    node_name varchar,
    phase varchar,
    owner_kind varchar,
    owner_name varchar,
    workload_kind varchar not null,
    workload_name varchar not null,
    labels json,
    annotations json,
    created_at timestamp
);

-- One row per (regular, not init) container of a pod; quantities parsed exactly.
create table raw_k8s_containers (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,
    pod_name varchar not null,
    container_name varchar not null,
    image varchar,
    cpu_request_cores double,
    memory_request_bytes double,
    gpu_request double,
    cpu_limit_cores double,
    memory_limit_bytes double
);

-- Deployments, StatefulSets, DaemonSets, Jobs, CronJobs (ReplicaSets have their own table).
create table raw_k8s_workloads (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,
    workload_kind varchar not null,
    workload_name varchar not null,
    uid varchar,
    owner_kind varchar,
    owner_name varchar,
    replicas integer,
    labels json,
    annotations json,
    created_at timestamp
);

-- Deploy events: every ReplicaSet with its Deployment, revision and container images.
create table raw_k8s_replicasets (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,
    replicaset_name varchar not null,
    deployment_name varchar,
    revision integer,
    images json,                -- list of container images of the pod template, in order
    replicas integer,
    labels json,
    created_at timestamp
);

create table raw_k8s_pvcs (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    namespace varchar not null,
    pvc_name varchar not null,
    volume_name varchar,
    storage_class varchar,
    request_bytes double,
    labels json
);

create table raw_k8s_pvs (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    pv_name varchar not null,
    storage_class varchar,
    capacity_bytes double,
    claim_namespace varchar,
    claim_name varchar
);

-- Prometheus hourly series (loads replace the cluster's rows in their window) ------------------

-- One row per container and hour. `hour_start` is the UTC start of the hour.
create table raw_prom_container_hours (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    hour_start timestamp not null,
    namespace varchar not null,
    pod_name varchar not null,
    container_name varchar not null,
    node_name varchar,
    cpu_usage_cores double,                 -- average cores used over the hour
    memory_working_set_bytes_avg double,
    memory_working_set_bytes_max double,
    cpu_request_cores double,               -- kube-state-metrics, when present
    memory_request_bytes double,
    gpu_request double,
    running_hours double                    -- fraction of the hour the container ran, 0..1
);

-- One row per node and hour it existed.
create table raw_prom_node_hours (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    hour_start timestamp not null,
    node_name varchar not null,
    cpu_capacity_cores double,
    memory_capacity_bytes double,
    gpu_capacity double,
    present_hours double not null           -- fraction of the hour the node existed, 0..1
);

-- Helios (legacy orchestrator) -----------------------------------------------------------------

-- Job definitions. `env` is never stored: it routinely holds credentials.
create table raw_helios_jobs (
    load_id varchar not null, collected_at timestamp not null, source varchar not null,
    job_id varchar not null,          -- name:version:hash
    job_name varchar not null,
    job_version varchar,
    image varchar,
    cpu_shares double,
    memory_bytes double,
    metadata json,
    created_at timestamp,
    creating_user varchar
);

create table raw_helios_hosts (
    load_id varchar not null, collected_at timestamp not null, source varchar not null,
    host varchar not null,
    status varchar,                   -- UP | DOWN
    cpus double,
    memory_total_bytes double
);

create table raw_helios_deployments (
    load_id varchar not null, collected_at timestamp not null, source varchar not null,
    host varchar not null,
    job_id varchar not null,
    goal varchar,                     -- START | STOP | UNDEPLOY
    state varchar                     -- RUNNING | STOPPED | PULLING_IMAGE | ...
);

create table raw_helios_job_events (
    load_id varchar not null, collected_at timestamp not null, source varchar not null,
    job_id varchar not null,
    event_at timestamp not null,
    host varchar,
    state varchar
);

-- Backstage catalog ---------------------------------------------------------------------------

create table raw_catalog_entities (
    load_id varchar not null, collected_at timestamp not null, source varchar not null,
    kind varchar not null,            -- Component | Group | System | ...
    entity_namespace varchar not null,
    entity_name varchar not null,
    owner varchar,                    -- spec.owner as written (e.g. group:payments)
    system varchar,
    lifecycle varchar,
    entity_type varchar,
    kubernetes_id varchar,            -- backstage.io/kubernetes-id
    kubernetes_label_selector varchar,
    annotations json,
    labels json
);
