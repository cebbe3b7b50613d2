"""Objects printed twice in one List (`kubectl get po,all -A -o json`): kept once, and said.

The faithful List is tests/fixtures/kubernetes/website-examples/po-all.json: the kubernetes.io
example manifests as kubectl prints them after they are applied (README.md beside it).
"""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path

import pytest
from k8s_objects import as_list, container, meta, pod, staged_rows

from fleetscope.collectors.kubernetes.reader import read_list, read_list_file

PO_ALL = Path(__file__).parent / "fixtures" / "kubernetes" / "website-examples" / "po-all.json"
WHEN = datetime(2026, 11, 20, 12)
MI = 1024**2


def _read(items, lines=None):
    return read_list(
        as_list(items),
        cluster="prod",
        collected_at=WHEN,
        origin="snap.json",
        progress=(lines if lines is not None else []).append,
    )


def test_po_all_keeps_one_pod_per_namespace_and_name():
    lines: list[str] = []
    tables = read_list_file(PO_ALL, cluster="kind", collected_at=WHEN, progress=lines.append).tables
    pods = tables["raw_k8s_pods"]
    # 14 pod items: 7 pods, each printed twice. `memory-demo` is two pods (two namespaces).
    assert sorted(zip(pods["namespace"], pods["pod_name"], strict=True)) == [
        ("default", "nginx-deployment-86dcfdf4c6-4xk2p"),
        ("default", "nginx-deployment-86dcfdf4c6-9bq7m"),
        ("default", "nginx-deployment-86dcfdf4c6-tz5wd"),
        ("mem-example", "memory-demo"),
        ("pod-resources-example", "cpu-demo"),
        ("pod-resources-example", "memory-demo"),
        ("pod-resources-example", "pod-resources-demo"),
    ]
    containers = tables["raw_k8s_containers"]
    assert len(containers) == 8  # 3 nginx, 2 in pod-resources-demo, 1 in each other pod
    # by hand: only pod-resources-demo-ctr-1 (0.5 core, 50Mi) and mem-example's
    # memory-demo-ctr (100Mi) request anything; twice as much if the copies were kept
    assert containers["cpu_request_cores"].sum() == 0.5
    assert containers["memory_request_bytes"].sum() == 150 * MI
    assert tables["raw_k8s_workloads"]["workload_name"].tolist() == ["nginx-deployment"]
    assert tables["raw_k8s_replicasets"]["replicaset_name"].tolist() == [
        "nginx-deployment-86dcfdf4c6"
    ]
    # cpu-demo was scheduled between kubectl's two list calls: the later copy is kept
    cpu_demo = pods.set_index("pod_name").loc["cpu-demo"]
    assert (cpu_demo["phase"], cpu_demo["node_name"]) == ("Running", "kind-worker")
    assert lines == [
        f"kubernetes kind: warning: {PO_ALL}: items[11]: Pod pod-resources-example/cpu-demo is "
        "also items[4], with a different spec.nodeName: items[11] (the later) is kept",
        f"kubernetes kind: read {PO_ALL}: 9 object(s); 1 skipped (kinds not collected: "
        "Service 1); 7 duplicate object(s) dropped (6 identical, 1 differing: the later kept)",
    ]


def test_a_list_without_copies_says_so_briefly():
    lines: list[str] = []
    _read([pod("a", "shop", [container("c", "i")])], lines)
    assert lines == ["kubernetes prod: read snap.json: 1 object(s)"]


def test_every_kind_is_deduplicated_cluster_scoped_ones_by_name():
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta("n1"),
        "status": {"capacity": {"cpu": "4", "memory": "16Gi"}},
    }
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": meta("shop")}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta("web", "shop"),
        "spec": {"replicas": 2},
    }
    same_name_elsewhere = copy.deepcopy(deployment)
    same_name_elsewhere["metadata"]["namespace"] = "other"
    lines: list[str] = []
    tables = _read(
        [node, namespace, deployment, node, namespace, deployment, same_name_elsewhere], lines
    ).tables
    assert tables["raw_k8s_nodes"]["node_name"].tolist() == ["n1"]
    assert tables["raw_k8s_namespaces"]["namespace"].tolist() == ["shop"]
    assert sorted(tables["raw_k8s_workloads"]["namespace"]) == ["other", "shop"]
    assert lines[-1].endswith(
        "4 object(s); 3 duplicate object(s) dropped (3 identical, 0 differing: the later kept)"
    )


def test_a_pod_recreated_under_its_name_is_one_row_the_later():
    old = pod("db-0", "shop", [container("pg", "postgres:16", {"cpu": "1"})])
    new = copy.deepcopy(old)
    new["metadata"]["uid"] = "uid-db-0-recreated"
    new["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "2"
    lines: list[str] = []
    tables = _read([old, new], lines).tables
    assert tables["raw_k8s_pods"]["pod_uid"].tolist() == ["uid-db-0-recreated"]
    assert tables["raw_k8s_containers"]["cpu_request_cores"].tolist() == [2.0]
    assert lines[0] == (
        "kubernetes prod: warning: snap.json: items[1]: Pod shop/db-0 is also "
        "items[0], with a different metadata.uid: items[1] (the later) is kept"
    )


def test_three_copies_keep_the_last_and_compare_each_with_it():
    first = pod("web-1", "shop", [container("app", "web:1")])
    second = copy.deepcopy(first)
    second["status"]["phase"] = "Pending"
    third = copy.deepcopy(first)
    lines: list[str] = []
    tables = _read([first, second, third], lines).tables
    assert tables["raw_k8s_pods"]["phase"].tolist() == ["Running"]
    assert lines[0] == (
        "kubernetes prod: warning: snap.json: items[2]: Pod shop/web-1 is also "
        "items[1], with a different status.phase: items[2] (the later) is kept"
    )
    assert lines[1].endswith(
        "2 duplicate object(s) dropped (1 identical, 1 differing: the later kept)"
    )


def test_copies_are_compared_on_the_fields_read():
    # resourceVersion and managedFields change with every write; fleetscope reads neither
    first = pod("web-1", "shop", [container("app", "web:1")])
    second = copy.deepcopy(first)
    second["metadata"]["resourceVersion"] = "99"
    lines: list[str] = []
    _read([first, second], lines)
    assert lines == [
        "kubernetes prod: read snap.json: 1 object(s); 1 duplicate object(s) "
        "dropped (1 identical, 0 differing: the later kept)"
    ]


@pytest.mark.parametrize("broken", ["name", "namespace"])
def test_an_object_without_a_key_is_still_refused_by_name(broken):
    item = pod("web-1", "shop", [container("app", "web:1")])
    del item["metadata"][broken]
    from fleetscope.errors import InputError

    with pytest.raises(InputError, match=f"items\\[1\\]: Pod.*metadata.{broken} is missing"):
        _read([pod("ok", "shop", []), item, item])


def test_stg_k8s_pods_has_one_row_per_pod(tmp_path):
    rows = staged_rows(
        tmp_path / "wh.duckdb",
        PO_ALL,
        "select namespace, pod_name, count(*), sum(memory_request_bytes) from stg_k8s_pods "
        "group by all order by all",
        collected_at=WHEN,
    )
    assert len(rows) == 7 and {row[2] for row in rows} == {1}
    assert ("mem-example", "memory-demo", 1, 100.0 * MI) in rows  # 100Mi once, not twice


def test_cli_prints_the_summary_line(tmp_path, cli_runner):
    from fleetscope.cli import cli

    result = cli_runner.invoke(
        cli,
        [
            "--warehouse",
            str(tmp_path / "wh.duckdb"),
            "collect",
            "kubernetes",
            "--from-file",
            str(PO_ALL),
            "--cluster",
            "kind",
            "--collected-at",
            "2026-11-20T12:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "7 duplicate object(s) dropped (6 identical, 1 differing" in result.output
