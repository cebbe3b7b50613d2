-- Node facts per node-hour from kube-state-metrics' `kube_node_labels` (the dump's optional
-- `node_labels` series, collectors/prometheus/node_labels.py): a spot node seen only by
-- Prometheus (Karpenter between two inventory snapshots) is priced at spot, not on-demand.
-- NULL = not seen in Prometheus (rows loaded before these columns, or no allow-listed label):
-- int_node_hours then takes the inventory snapshot's fact.
alter table raw_prom_node_hours add column instance_type varchar;
alter table raw_prom_node_hours add column is_spot boolean;
alter table raw_prom_node_hours add column zone varchar;
