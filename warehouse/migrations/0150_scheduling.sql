-- Scheduling and integration components (GA readiness), from the Prometheus dump's optional
-- series (collectors/prometheus/ga_series.py); dumps without them load no rows here.

-- One row per pod and hour it is seen in kube-state-metrics: its creation and scheduling time
-- (`kube_pod_created`, `kube_pod_status_scheduled_time`, unix seconds as timestamps), the
-- fraction of the hour it was Pending (`kube_pod_status_phase{phase="Pending"}`) and whether it
-- was unschedulable in the hour (`kube_pod_status_unschedulable`).
create table raw_prom_pod_scheduling (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    hour_start timestamp not null,
    namespace varchar not null,
    pod_name varchar not null,
    created_at timestamp,
    scheduled_at timestamp,
    pending_hours double,          -- fraction of the hour Pending, 0..1
    is_unschedulable boolean
);

-- One row per golden signal ([[prometheus.golden_signals]]) and hour: the query's value of the
-- hour ending at hour_start + 1 h (the worst series when it returns several).
create table raw_prom_golden_signals (
    load_id varchar not null, collected_at timestamp not null, cluster varchar not null,
    hour_start timestamp not null,
    component varchar not null,
    signal varchar not null,
    value double not null
);
