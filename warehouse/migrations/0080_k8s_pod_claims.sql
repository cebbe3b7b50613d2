-- The persistent volume claims a pod mounts (`spec.volumes[].persistentVolumeClaim.claimName`),
-- as a sorted JSON list of distinct claim names in the pod's namespace ('[]' for none). A bound
-- volume's cost is split over the running pods that mount its claim (int_storage_costs_daily).
-- NULL in rows loaded before this column existed: read as mounting nothing.
alter table raw_k8s_pods add column pvc_names json;
