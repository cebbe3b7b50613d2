"""Writes the bad-input files of this folder (run it after changing a case; outputs are committed).

Each file is a small, otherwise valid input with exactly one thing wrong, so that the expected
error in cases.toml names that thing.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

NODE = {"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "node-a", "uid": "u-node-a",
                     "creationTimestamp": "2026-11-01T00:00:00Z",
                     "labels": {"node.kubernetes.io/instance-type": "m6i.xlarge"}},
        "spec": {"providerID": "aws:///eu-west-1a/i-0a"},
        "status": {"capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                   "allocatable": {"cpu": "3900m", "memory": "15Gi", "pods": "110"}}}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": "shop", "uid": "u-ns",
                          "creationTimestamp": "2026-01-01T00:00:00Z",
                          "labels": {"team": "payments"}}}
POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "checkout-1", "namespace": "shop", "uid": "u-pod-1",
                    "creationTimestamp": "2026-11-01T00:00:00Z",
                    "labels": {"app.kubernetes.io/name": "checkout", "team": "payments"}},
       "spec": {"nodeName": "node-a",
                "containers": [{"name": "app", "image": "registry.example.com/checkout:1.0",
                                "resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                                              "limits": {"memory": "1Gi"}}}]},
       "status": {"phase": "Running"}}


def k8s(*items: dict) -> dict:
    return {"apiVersion": "v1", "kind": "List", "metadata": {}, "items": list(items)}


def pod(**changes) -> dict:
    p = copy.deepcopy(POD)
    for path, value in changes.items():
        target = p
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return p


DELETE = object()


def prom(**series_values) -> dict:
    """A one-hour dump of cluster prod with one container and one node."""
    container = {"namespace": "shop", "pod": "checkout-1", "container": "app", "node": "node-a"}
    t = 1795136400  # 2026-11-20T01:00:00Z: the sample describing the hour 00:00-01:00
    defaults = {"container_cpu_usage_cores": "0.25",
                "container_memory_working_set_bytes_avg": "268435456",
                "container_memory_working_set_bytes_max": "300000000",
                "container_cpu_request_cores": "0.5",
                "container_memory_request_bytes": "536870912",
                "container_running_fraction": "1",
                "node_cpu_capacity_cores": "4",
                "node_memory_capacity_bytes": "17179869184",
                "node_present_fraction": "1"}
    results = {}
    for name, value in defaults.items():
        value = series_values.get(name, value)
        labels = {"node": "node-a"} if name.startswith("node_") else container
        results[name] = {"status": "success", "data": {"resultType": "matrix", "result": [
            {"metric": labels, "values": [[series_values.get("timestamp", t), value]]}]}}
    return {"cluster": "prod", "start": "2026-11-20T00:00:00Z", "end": "2026-11-20T01:00:00Z",
            "step_seconds": 3600, "results": results}


HELIOS = {
    "jobs": {"checkout:1.0:abc123": {
        "id": "checkout:1.0:abc123", "image": "registry.example.com/checkout:1.0",
        "env": {}, "ports": {}, "registration": {}, "metadata": {},
        "resources": {"memory": 536870912, "cpuShares": 512},
        "created": 1795046400000, "creatingUser": "deployer"}},
    "hosts": {"helios-host-1": {
        "status": "UP", "hostInfo": {"cpus": 8, "memoryTotalBytes": 34359738368},
        "jobs": {"checkout:1.0:abc123": {"goal": "START"}},
        "statuses": {"checkout:1.0:abc123": {"state": "RUNNING"}}}},
    "history": {"checkout:1.0:abc123": {"events": [
        {"timestamp": 1795046400000, "host": "helios-host-1", "status": {"state": "RUNNING"}}]}},
}


def helios(mutate) -> dict:
    doc = copy.deepcopy(HELIOS)
    mutate(doc)
    return doc


CATALOG_OK = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    backstage.io/kubernetes-id: checkout
spec:
  type: service
  lifecycle: production
  owner: group:payments
  system: shop
"""


def write_json(name: str, document: object) -> None:
    (HERE / name).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")


def write_text(name: str, text: str) -> None:
    (HERE / name).write_text(text, encoding="utf-8")


def catalog(name: str, text: str) -> None:
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    (folder / "catalog-info.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    # Valid baselines: loaded into every case's warehouse before the bad input is tried.
    write_json("good_k8s.json", k8s(NODE, NAMESPACE, POD))
    write_json("good_prom.json", prom())
    write_json("good_helios.json", HELIOS)
    catalog("good_catalog", CATALOG_OK)
    # Kubernetes Lists
    write_text("k8s_truncated.json", json.dumps(k8s(NODE, POD))[:180])
    write_text("k8s_empty.json", "")
    write_json("k8s_not_a_list.json", POD)
    write_json("k8s_item_without_kind.json", k8s(NODE, {k: v for k, v in POD.items()
                                                      if k != "kind"}))
    write_json("k8s_cpu_words.json", k8s(pod(spec__containers__0__resources__requests__cpu=
                                              "half a core")))
    write_json("k8s_memory_gb.json", k8s(pod(spec__containers__0__resources__requests__memory=
                                              "12GB")))
    write_json("k8s_cpu_number_type.json", k8s(pod(spec__containers__0__resources__requests__cpu=
                                                    ["1"])))
    write_json("k8s_negative_request.json", k8s(pod(spec__containers__0__resources__requests__cpu=
                                                     "-500m")))
    write_json("k8s_huge_memory.json", k8s(pod(spec__containers__0__resources__requests__memory=
                                                "1e400")))
    write_json("k8s_node_capacity_garbage.json", k8s({**NODE, "status": {
        "capacity": {"cpu": "lots", "memory": "16Gi"}}}))
    write_json("k8s_pod_without_name.json", k8s(pod(metadata__name=DELETE)))
    write_json("k8s_items_not_a_list.json", {"apiVersion": "v1", "kind": "List",
                                              "items": {"0": POD}})
    hostile = {"team": "<script>alert('x')</script>", "owner": "O'Brien \"the\" team",
               "note": "line one\nline two", "app.kubernetes.io/name": "zahlungs-dienst-ü-𝔘-💸"}
    write_json("k8s_hostile_labels.json", k8s(NODE, NAMESPACE, pod(metadata__labels=hostile)))
    kubernetes_public_and_pod_level()


def kubernetes_public_and_pod_level() -> None:
    """Bytes that are not UTF-8, pod-level spec.resources, copies of one object, a public List."""
    body = json.dumps(k8s(NODE, POD)).encode()
    write_bytes("k8s_not_utf8.json", body.replace(b"checkout-1", b"checkout-\xff1"))
    service = {"apiVersion": "v1", "kind": "Service",  # a kind never decoded, a Latin-1 byte
               "metadata": {"name": "checkout", "namespace": "shop",
                            "annotations": {"note": "MARKER"}}}
    write_bytes("k8s_not_utf8_unread_field.json",
                json.dumps(k8s(service, POD)).encode().replace(b"MARKER", b"caf\xe9"))
    write_json("k8s_pod_level_cpu_words.json", k8s(pod(spec__resources={
        "requests": {"cpu": "one core"}})))
    write_json("k8s_pod_level_negative_limit.json", k8s(pod(spec__resources={
        "limits": {"memory": "-1Gi"}})))
    write_json("k8s_pod_level_requests_list.json", k8s(pod(spec__resources={
        "requests": ["cpu", "1"]})))
    # the copy kubectl printed second is the one kept, so its bad quantity is refused
    write_json("k8s_duplicate_bad_copy.json", k8s(POD, pod(
        spec__containers__0__resources__requests__cpu="lots")))
    write_json("k8s_duplicate_pods.json", k8s(NODE, POD, POD, pod(status__phase="Pending"),
                                              NODE))
    public = (HERE.parent / "fixtures" / "kubernetes" / "website-examples" / "po-all.json")
    write_bytes("k8s_po_all_truncated.json", public.read_bytes()[:5000])


def write_bytes(name: str, body: bytes) -> None:
    (HERE / name).write_bytes(body)
    # Prometheus dumps
    write_text("prom_truncated.json", json.dumps(prom())[:200])
    doc = prom()
    del doc["cluster"]
    write_json("prom_no_cluster.json", doc)
    doc = prom()
    doc["results"]["container_cpu_usage_cores"] = {"status": "error", "errorType": "timeout",
                                                   "error": "query timed out"}
    write_json("prom_error_body.json", doc)
    write_json("prom_value_not_a_number.json", prom(container_cpu_usage_cores="fast"))
    write_json("prom_negative_usage.json", prom(container_cpu_usage_cores="-0.25"))
    write_json("prom_nan_usage.json", prom(container_memory_working_set_bytes_avg="NaN"))
    write_json("prom_timestamp_milliseconds.json", prom(timestamp=1795136400000))
    doc = prom()
    doc["end"] = "2026-11-19T00:00:00Z"
    write_json("prom_window_backwards.json", doc)
    write_json("prom_huge_usage.json", prom(container_cpu_usage_cores="1e308"))
    doc = prom()
    doc["results"]["node_labels"] = {"status": "success", "data": {"resultType": "matrix",
        "result": [{"metric": {"node": "node-a", "capacity_type": "preemptible"},
                    "values": [[1795136400, "60"]]}]}}
    write_json("prom_bad_capacity_type.json", doc)
    # Helios documents
    write_text("helios_truncated.json", json.dumps(HELIOS, indent=1)[:300])
    write_json("helios_no_hosts.json", helios(lambda d: d.pop("hosts")))
    write_json("helios_bad_job_id.json", helios(lambda d: d["jobs"].update(
        {"checkout": d["jobs"].pop("checkout:1.0:abc123")})))
    write_json("helios_cpu_shares_text.json", helios(lambda d: d["jobs"]["checkout:1.0:abc123"]
                                                     ["resources"].update(cpuShares="half")))
    write_json("helios_hosts_not_a_map.json", helios(lambda d: d.update(
        hosts=["helios-host-1"])))
    write_json("helios_env_secret.json", helios(lambda d: d["jobs"]["checkout:1.0:abc123"]
                                                .update(env={"DB_PASSWORD": "hunter2-s3cr3t"})))
    # Backstage catalog folders
    catalog("catalog_broken_yaml", CATALOG_OK.replace("  owner: group:payments",
                                                      "  owner: [group:payments"))
    catalog("catalog_no_name", CATALOG_OK.replace("  name: checkout\n", ""))
    catalog("catalog_owner_list", CATALOG_OK.replace("owner: group:payments",
                                                     "owner:\n    - a\n    - b"))
    catalog("catalog_tab_indent", CATALOG_OK.replace("  name: checkout", "\tname: checkout"))
    # Configuration files for `fleetscope run`
    write_text("config_unknown_key.toml", "[kubernetes]\ncontext = \"prod\"\n")
    write_text("config_wrong_type.toml", "[run]\nlock_timeout_seconds = \"ten minutes\"\n")
    write_text("config_missing_file.toml",
               "[[kubernetes.files]]\npath = \"no-such-snapshot.json\"\ncluster = \"prod\"\n")
    write_text("config_bad_collected_at.toml",
               "[[kubernetes.files]]\npath = \"good_k8s.json\"\ncluster = \"prod\"\n"
               "collected_at = \"last tuesday\"\n")
    git_and_incidents()
    dirt()


GIT_OK = {"repos": [{"repo": "acme/checkout", "branch": "main", "commits": [
    {"sha": "b" * 40, "parents": ["a" * 40], "author_email": "ada@example.com",
     "authored_at": "2026-11-03T10:00:00Z", "committed_at": "2026-11-03T10:00:00Z"},
    {"sha": "a" * 40, "parents": [], "author_email": "ada@example.com",
     "authored_at": "2026-11-02T09:00:00Z", "committed_at": "2026-11-02T09:00:00Z"}]}]}
INCIDENTS_OK = ("id,app,created,resolved,caused_by\n"
                "INC-1,checkout,2026-11-03T11:00:00Z,2026-11-03T12:30:00Z," + "b" * 7 + "\n")


def git_and_incidents() -> None:
    """Commit dumps, a folder that is no repository, incident files (issue 14)."""
    write_json("good_git.json", GIT_OK)
    write_text("git_truncated.json", json.dumps(GIT_OK)[:150])
    bad_time = json.loads(json.dumps(GIT_OK))
    bad_time["repos"][0]["commits"][1]["committed_at"] = "yesterday"
    write_json("git_bad_time.json", bad_time)
    bad_sha = json.loads(json.dumps(GIT_OK))
    bad_sha["repos"][0]["commits"][0]["parents"] = ["not-a-sha"]
    write_json("git_bad_parent.json", bad_sha)
    (HERE / "git_not_a_repo").mkdir(exist_ok=True)
    write_text("git_not_a_repo/README", "a folder, not a clone\n")
    write_text("good_incidents.csv", INCIDENTS_OK)
    write_text("incidents_missing_column.csv", INCIDENTS_OK.replace("app,", "team,"))
    write_text("incidents_bad_date.csv", INCIDENTS_OK + "INC-2,checkout,03/11/2026,,\n")
    write_text("incidents_resolved_first.json", json.dumps([
        {"id": "INC-3", "service": "checkout", "created": "2026-11-03T11:00:00Z",
         "resolved": "2026-11-03T10:00:00Z"}]))


DIRT_OK = """exercises:
  - date: 2026-10-14
    cluster: prod
    scenario: control-plane-down
    validated: [alerts page the on-call]
    outcome: partial
    time_to_recover_minutes: 95
    playbook: https://runbooks.example.com/control-plane
    follow_ups:
      - title: Page on etcd leader loss
        status: open
"""


def dirt() -> None:
    """DiRT logs (issue 15): one good, one per strict check (the bad value's line is named)."""
    write_text("good_dirt.yaml", DIRT_OK)
    write_text("dirt_unknown_key.yaml",
               DIRT_OK.replace("    outcome:", "    owner: sre\n    outcome:"))
    write_text("dirt_missing_outcome.yaml", DIRT_OK.replace("    outcome: partial\n", ""))
    write_text("dirt_bad_date.yaml", DIRT_OK.replace("2026-10-14", "14/10/2026"))
    write_text("dirt_bad_outcome.yaml", DIRT_OK.replace("outcome: partial", "outcome: passed"))
    write_text("dirt_bad_scenario.yaml", DIRT_OK.replace("control-plane-down", "meteor-strike"))
    write_text("dirt_negative_time.yaml", DIRT_OK.replace("minutes: 95", "minutes: -5"))
    write_text("dirt_bad_follow_up_status.yaml", DIRT_OK.replace("status: open", "status: wip"))


if __name__ == "__main__":
    main()
