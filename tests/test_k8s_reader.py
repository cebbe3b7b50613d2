"""The List reader: every raw_k8s_* table, owner resolution, exact quantities, named errors."""

from __future__ import annotations

import copy
import json
from datetime import datetime

import pytest
from k8s_objects import as_list, container, pod, sample_items

from fleetscope.cli import cli
from fleetscope.collectors.kubernetes.reader import read_list, read_list_file
from fleetscope.errors import InputError

WHEN = datetime(2026, 11, 20, 12)
GI = 1024**3
MI = 1024**2


def _read(items):
    return read_list(as_list(items), cluster="prod", collected_at=WHEN, origin="snap.json")


def test_nodes_namespaces_and_storage():
    tables = _read(sample_items()).tables
    nodes = tables["raw_k8s_nodes"].set_index("node_name")
    assert nodes.loc["n1", "instance_type"] == "m5.xlarge"
    assert nodes.loc["n2", "instance_type"] == "c5.large"  # from the beta label
    assert bool(nodes.loc["n1", "is_spot"]) and not bool(nodes.loc["n2", "is_spot"])
    assert nodes.loc["n1", "provider_id"] == "aws:///eu-west-1a/i-0123"
    assert nodes.loc["n1", "cpu_capacity_cores"] == 4.0
    assert nodes.loc["n1", "memory_capacity_bytes"] == 16 * GI
    assert nodes.loc["n1", "gpu_capacity"] == 1.0 and nodes.loc["n2", "gpu_capacity"] == 0.0
    assert nodes.loc["n1", "cpu_allocatable_cores"] == 3.92
    assert nodes.loc["n1", "memory_allocatable_bytes"] == 15 * GI
    assert json.loads(nodes.loc["n1", "labels"])["karpenter.sh/capacity-type"] == "spot"
    assert nodes.loc["n1", "created_at"] == datetime(2026, 11, 20, 10)

    namespaces = tables["raw_k8s_namespaces"]
    assert namespaces["namespace"].tolist() == ["payments"]
    assert json.loads(namespaces["labels"][0]) == {"team": "payments"}
    assert json.loads(namespaces["annotations"][0]) == {"owner": "group:payments"}

    pvc = tables["raw_k8s_pvcs"].iloc[0]
    assert (pvc["pvc_name"], pvc["volume_name"], pvc["storage_class"], pvc["request_bytes"]) == (
        "data-db-0", "pv-1", "gp3", 10 * GI)
    pv = tables["raw_k8s_pvs"].iloc[0]
    assert (pv["pv_name"], pv["capacity_bytes"], pv["claim_namespace"], pv["claim_name"]) == (
        "pv-1", 10 * GI, "payments", "data-db-0")


def test_pods_resolve_to_their_workload():
    pods = _read(sample_items()).tables["raw_k8s_pods"]
    pods = pods.astype(object).where(pods.notna(), None)
    resolved = {row.pod_name: (row.owner_kind, row.owner_name, row.workload_kind,
                               row.workload_name) for row in pods.itertuples()}
    assert resolved == {
        "web-5d8f7-x1": ("ReplicaSet", "web-5d8f7", "Deployment", "web"),
        # ReplicaSet not in the List: strip the pod-template-hash suffix.
        "api-7c9f-q2": ("ReplicaSet", "api-7c9f", "Deployment", "api"),
        # ... and without the hash label the ReplicaSet stays the workload.
        "legacy-x": ("ReplicaSet", "legacy-rs", "ReplicaSet", "legacy-rs"),
        "nightly-29011-abc": ("Job", "nightly-29011", "CronJob", "nightly"),
        "migrate-zz": ("Job", "migrate", "Job", "migrate"),
        "db-0": ("StatefulSet", "db", "StatefulSet", "db"),
        "agent-k2": ("DaemonSet", "agent", "DaemonSet", "agent"),
        "debug": (None, None, "Pod", "debug"),
    }
    web = pods.set_index("pod_name").loc["web-5d8f7-x1"]
    assert (web["namespace"], web["node_name"], web["phase"], web["pod_uid"]) == (
        "payments", "n1", "Running", "uid-web-5d8f7-x1")
    assert json.loads(web["labels"]) == {"app": "web", "pod-template-hash": "5d8f7"}


def test_containers_requests_limits_and_gpus():
    containers = _read(sample_items()).tables["raw_k8s_containers"]
    rows = containers.set_index(["pod_name", "container_name"])
    app = rows.loc[("web-5d8f7-x1", "app")]
    assert (app["cpu_request_cores"], app["memory_request_bytes"]) == (0.25, 512 * MI)
    assert (app["cpu_limit_cores"], app["memory_limit_bytes"]) == (1.0, GI)
    # Only limits given: the request defaults to the limit, as the API server does.
    envoy = rows.loc[("web-5d8f7-x1", "envoy")]
    assert (envoy["cpu_request_cores"], envoy["memory_request_bytes"]) == (0.1, 64 * MI)
    assert envoy["image"] == "envoy:1.30"
    pg = rows.loc[("db-0", "pg")]
    assert (pg["cpu_request_cores"], pg["memory_request_bytes"], pg["gpu_request"]) == (
        2.0, 4 * GI, 1.0)  # the GPU counted once although both request and limit name it
    assert pg["cpu_limit_cores"] != pg["cpu_limit_cores"]  # no CPU limit: NULL (NaN)
    assert len(containers) == 9
    assert containers["cpu_request_cores"].sum() == pytest.approx(0.25 + 0.1 + 2 + 6 * 0.1)


def test_workloads_and_deploy_events():
    tables = _read(sample_items()).tables
    workloads = tables["raw_k8s_workloads"].set_index("workload_name")
    assert sorted(workloads.index) == ["agent", "db", "nightly", "nightly-29011", "web"]
    assert workloads.loc["web", "workload_kind"] == "Deployment"
    assert workloads.loc["web", "replicas"] == 3
    assert workloads.loc["agent", "replicas"] == 2  # DaemonSet: status.desiredNumberScheduled
    assert (workloads.loc["nightly-29011", "owner_kind"],
            workloads.loc["nightly-29011", "owner_name"]) == ("CronJob", "nightly")
    assert json.loads(workloads.loc["web", "labels"]) == {"app": "web", "team": "payments"}

    replicasets = tables["raw_k8s_replicasets"].set_index("replicaset_name")
    assert replicasets.loc["web-5d8f7", "deployment_name"] == "web"
    assert replicasets.loc["web-5d8f7", "revision"] == 3
    assert json.loads(replicasets.loc["web-5d8f7", "images"]) == ["web:1.4", "envoy:1.30"]
    assert replicasets.loc["web-44b1c", "revision"] == 2
    assert replicasets.loc["web-44b1c", "replicas"] == 0


def test_every_table_named_even_when_empty():
    batch = _read([])
    assert sorted(batch.tables) == sorted([
        "raw_k8s_nodes", "raw_k8s_namespaces", "raw_k8s_pods", "raw_k8s_containers",
        "raw_k8s_workloads", "raw_k8s_replicasets", "raw_k8s_pvcs", "raw_k8s_pvs",
        "raw_k8s_jobs", "raw_velero_backups", "raw_velero_schedules", "raw_velero_installs"])
    installs = batch.tables.pop("raw_velero_installs")
    # One row per snapshot: a List without Velero objects cannot tell whether Velero is there.
    assert installs["velero_installed"].isna().tolist() == [True]
    assert installs["detail"].tolist() == ["no Velero objects in the List"]
    assert all(frame.empty for frame in batch.tables.values())
    assert (batch.source_kind, batch.source_name, batch.collected_at) == ("kubernetes", "prod",
                                                                          WHEN)


def test_bad_quantity_names_file_item_object_and_field():
    items = sample_items()
    items[6]["spec"]["containers"][1]["resources"]["limits"]["memory"] = "64 MB"
    with pytest.raises(InputError) as err:
        _read(items)
    assert str(err.value).startswith(
        "snap.json: items[6]: Pod payments/web-5d8f7-x1: "
        "spec.containers[1].resources.limits.memory: invalid quantity '64 MB'")


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda items: items[0]["metadata"].update(creationTimestamp="yesterday"),
     "snap.json: items[0]: Node n1: metadata.creationTimestamp: invalid timestamp 'yesterday'"),
    (lambda items: items[4]["metadata"]["annotations"].update(
        {"deployment.kubernetes.io/revision": "three"}),
     "snap.json: items[4]: ReplicaSet payments/web-5d8f7: "
     "metadata.annotations[deployment.kubernetes.io/revision]: expected an integer"),
    (lambda items: items[3]["metadata"].pop("namespace"),
     "snap.json: items[3]: Deployment web: metadata.namespace is missing"),
    (lambda items: items[2].pop("kind"), "snap.json: items[2]: `kind` is missing"),
    (lambda items: items[6]["spec"].update(containers={"app": {}}),
     "snap.json: items[6]: Pod payments/web-5d8f7-x1: malformed object"),
    (lambda items: items[0]["metadata"].update(labels=["spot"]),
     "snap.json: items[0]: Node n1: metadata.labels: expected an object of strings, got list"),
    (lambda items: items[17]["metadata"].update(annotations="a=b"),
     "snap.json: items[17]: Pod payments/debug: metadata.annotations: expected an object"),
    (lambda items: items[3]["spec"].update(replicas="3"),
     "snap.json: items[3]: Deployment payments/web: replicas: expected an integer"),
])
def test_malformed_objects_are_named(mutate, expected):
    items = copy.deepcopy(sample_items())
    mutate(items)
    with pytest.raises(InputError) as err:
        _read(items)
    assert str(err.value).startswith(expected)


def test_not_a_list(tmp_path):
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(pod("a", "b", [container("c", "i")])))
    with pytest.raises(InputError, match=r"pod\.json: expected a Kubernetes List"):
        read_list_file(path, cluster="prod")
    path.write_text("{not json")
    with pytest.raises(InputError, match=r"pod\.json: invalid JSON"):
        read_list_file(path, cluster="prod")


def test_cli_from_file_loads_once_per_snapshot(tmp_path, warehouse_path, cli_runner):
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(as_list(sample_items())))
    args = ["--warehouse", str(warehouse_path), "collect", "kubernetes", "--from-file", str(path),
            "--cluster", "prod-eu", "--collected-at", "2026-11-19T06:00:00Z"]
    for _ in range(2):  # the same snapshot twice replaces instead of duplicating
        result = cli_runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    assert "prod-eu: loaded 2 nodes, 1 namespaces, 8 pods, 9 containers, 5 workloads, " \
           "2 replicasets, 1 pvcs, 1 pvs" in result.stderr
    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(warehouse_path)
    rows = con.execute("select cluster, collected_at, count(*) from raw_k8s_pods "
                       "group by all").fetchall()
    assert rows == [("prod-eu", datetime(2026, 11, 19, 6), 8)]
    con.close()


def test_cli_bad_file_writes_nothing(tmp_path, warehouse_path, cli_runner):
    items = sample_items()
    items[7]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "lots"
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(as_list(items)))
    result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "collect", "kubernetes",
                                     "--from-file", str(path), "--cluster", "prod"])
    assert result.exit_code == 3
    assert f"Error: {path}: items[7]: Pod payments/api-7c9f-q2: " \
           "spec.containers[0].resources.requests.cpu: invalid quantity 'lots'" in result.stderr
    assert not warehouse_path.exists()


def test_file_and_document_readers_agree(tmp_path):
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(as_list(sample_items())))
    from_file = read_list_file(path, cluster="prod", collected_at=WHEN).tables
    from_document = _read(sample_items()).tables
    for table, frame in from_document.items():
        assert sorted(map(tuple, from_file[table].astype(str).values.tolist())) == sorted(
            map(tuple, frame.astype(str).values.tolist())), table


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda items: items[6]["spec"].update(containers={"app": {}}),
     "items[6]: Pod payments/web-5d8f7-x1: malformed object: Expected `array | null`, got "
     "`object` - at `$.spec.containers`"),
    (lambda items: items.__setitem__(2, ["not", "an", "object"]),
     "items[2]: expected an object with `kind` and `metadata`"),
    (lambda items: items[2].update(kind=7), "items[2]: `kind` is missing"),
])
def test_malformed_file_items_are_named(tmp_path, mutate, expected):
    items = sample_items()
    mutate(items)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(as_list(items)))
    with pytest.raises(InputError) as err:
        read_list_file(path, cluster="prod")
    assert str(err.value) == f"{path}: {expected}"


def test_native_sidecars_count_and_init_containers_do_not(tmp_path):
    item = pod("mesh-1", "shop", [container("app", "shop:2", {"cpu": "500m"})])
    item["spec"]["initContainers"] = [
        dict(container("migrate", "shop-migrate:2", {"cpu": "2"})),
        dict(container("proxy", "istio/proxyv2:1.24", {"cpu": "100m", "memory": "128Mi"}),
             restartPolicy="Always")]
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(as_list([item])))
    for batch in (_read([item]), read_list_file(path, cluster="prod", collected_at=WHEN)):
        containers = batch.tables["raw_k8s_containers"].set_index("container_name")
        assert sorted(containers.index) == ["app", "proxy"]
        assert containers["cpu_request_cores"].sum() == pytest.approx(0.6)
        assert containers.loc["proxy", "memory_request_bytes"] == 128 * MI
