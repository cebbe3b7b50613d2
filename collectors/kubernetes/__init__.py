"""Kubernetes inventory: a `kubectl get -o json` List reader and a live collector sharing its rows.

`kinds.KINDS` is the one table of the kinds collected (API group, version, resource, scope, row
handler, wire type), from which the List reader, the live lister, the wire decoders, the CLI
help and deploy/rbac.yaml's test all come. `rows.SnapshotBuilder` turns API objects (plain
dicts) into the raw_k8s_* tables; `reader` feeds it from a List document, `live` from paginated
raw-JSON lists of real clusters (`transport` holds the retry policy).

Nothing is imported here, so that `kinds` stays cheap to import (the CLI help reads it).
"""
