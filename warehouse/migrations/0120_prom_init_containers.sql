-- Init containers (kube-state-metrics' kube_pod_init_container_* series): their hours are
-- charged for the time they ran, like app containers'; `is_init` marks them. NULL on rows
-- loaded before this migration, read as false (no init container was collected then).
alter table raw_prom_container_hours add column is_init boolean;
