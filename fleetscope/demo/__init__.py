"""`fleetscope demo`: a synthetic organisation written as real source files, then run end to end.

The organisation (`org`): 20 teams (one platform team, Kubernetes-native) and 250 apps; each
product team has a migration profile (finished, progressing at its own speed, stalled, not
started). Apps move Helios -> both -> Kubernetes, some are born on Kubernetes, a few are switched
off on Helios, two try Kubernetes and go back. Clusters (`cluster`): prod-eu, prod-us and
staging-eu with node pools of several instance types (on-demand and spot, GPU in prod-us) grown
by an autoscaler; deploys roll pods through new ReplicaSets (rollbacks reuse the old one).
Usage (`metrics`) follows daily and weekly cycles; most apps use well under what they request, a
few run above it, some containers have no requests. Helios (`helios`) runs the legacy fleet and
drains and decommissions hosts as apps leave; the catalog (`catalog`) has owners and a few gaps.

`generate.generate` writes the files; `run.run_demo` loads them through the real readers,
transforms, validates and renders the reports. Same seed, days and end date: identical files.
"""
