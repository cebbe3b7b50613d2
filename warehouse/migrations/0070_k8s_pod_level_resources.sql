-- Pod-level requests and limits (`spec.resources`, PodLevelResources, Kubernetes 1.32+), as the
-- pod declares them: NULL where unset, which is every pod before 1.32. Where set, a pod-level
-- request is the pod's request for that resource as the scheduler sees it (KEP-2837), in place
-- of its containers' sum; raw_k8s_containers keeps the containers' own values.
alter table raw_k8s_pods add column pod_cpu_request_cores double;
alter table raw_k8s_pods add column pod_memory_request_bytes double;
alter table raw_k8s_pods add column pod_cpu_limit_cores double;
alter table raw_k8s_pods add column pod_memory_limit_bytes double;
