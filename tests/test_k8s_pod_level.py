"""Pod-level `spec.resources` (PodLevelResources, Kubernetes 1.32+): the pod's request where set.

The public examples are kubernetes.io's own (tests/fixtures/kubernetes/website-examples/, CC BY
4.0): `pod-level-resources.yaml` asks 1 core and 100Mi for the pod, 0.5 core and 50Mi for its
first container and nothing for the second. The scheduler places it by the pod-level request
(KEP-2837, "Scheduler Changes"), so its request is 1 core, not 0.5.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from k8s_objects import as_list, container, pod, staged_rows

from fleetscope.collectors.kubernetes.decode import decode_page
from fleetscope.collectors.kubernetes.reader import read_list, read_list_file
from fleetscope.errors import InputError

PO_ALL = Path(__file__).parent / "fixtures" / "kubernetes" / "website-examples" / "po-all.json"
WHEN = datetime(2026, 11, 20, 12)
MI = 1024**2
LEVEL = [
    "pod_cpu_request_cores",
    "pod_memory_request_bytes",
    "pod_cpu_limit_cores",
    "pod_memory_limit_bytes",
]


def _pods(items):
    tables = read_list(as_list(items), cluster="prod", collected_at=WHEN, origin="snap.json")
    pods = tables.tables["raw_k8s_pods"].set_index("pod_name")[LEVEL]
    return pods.astype(object).where(pods.notna(), None)


def _with_pod_level(item, **resources):
    item["spec"]["resources"] = resources
    return item


def test_the_website_examples_pod_level_values():
    tables = read_list_file(PO_ALL, cluster="kind", collected_at=WHEN).tables
    pods = tables["raw_k8s_pods"].set_index(["namespace", "pod_name"])[LEVEL]
    pods = pods.astype(object).where(pods.notna(), None)
    example = "pod-resources-example"
    assert pods.loc[(example, "pod-resources-demo")].tolist() == [1.0, 100 * MI, 1.0, 200 * MI]
    assert pods.loc[(example, "cpu-demo")].tolist() == [0.5, None, 1.0, None]
    assert pods.loc[(example, "memory-demo")].tolist() == [None, 100 * MI, None, 200 * MI]
    # container-level only: nothing at the pod level
    assert pods.loc[("mem-example", "memory-demo")].tolist() == [None] * 4
    # the containers keep their own values (usage and right-sizing read them)
    containers = tables["raw_k8s_containers"].set_index("container_name")
    assert containers.loc["pod-resources-demo-ctr-1", "cpu_request_cores"] == 0.5
    assert containers.loc["pod-resources-demo-ctr-1", "memory_request_bytes"] == 50 * MI
    assert pd.isna(containers.loc["pod-resources-demo-ctr-2", "cpu_request_cores"])


def test_a_pod_level_limit_alone_is_the_request_when_no_container_requests():
    # KEP-2837 row 5 / the API server's defaulting: pod request := pod limit, per resource
    bare = _with_pod_level(
        pod("bare", "shop", [container("app", "shop:1")]), limits={"cpu": "2", "memory": "1Gi"}
    )
    # a container requests CPU: the pod's CPU request is the containers' sum (left NULL here,
    # stg_k8s_pods sums the containers); memory still defaults to the pod-level limit
    mixed = _with_pod_level(
        pod("mixed", "shop", [container("app", "shop:1", {"cpu": "250m"})]),
        limits={"cpu": "2", "memory": "1Gi"},
    )
    # a container limit defaults that container's request, so it counts as a request
    limited = _with_pod_level(
        pod("limited", "shop", [container("app", "shop:1", limits={"memory": "256Mi"})]),
        limits={"memory": "1Gi"},
    )
    pods = _pods([bare, mixed, limited])
    assert pods.loc["bare"].tolist() == [2.0, 1024 * MI, 2.0, 1024 * MI]
    assert pods.loc["mixed"].tolist() == [None, 1024 * MI, 2.0, 1024 * MI]
    assert pods.loc["limited"].tolist() == [None, None, None, 1024 * MI]


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (
            {"requests": {"cpu": "one core"}},
            "snap.json: items[0]: Pod shop/web-1: spec.resources.requests.cpu: invalid quantity "
            "'one core'",
        ),
        (
            {"limits": {"memory": "-1Gi"}},
            "snap.json: items[0]: Pod shop/web-1: spec.resources.limits.memory: "
            "quantity '-1Gi' must not be negative",
        ),
        (
            {"requests": ["cpu", "1"]},
            "snap.json: items[0]: Pod shop/web-1: spec.resources.requests: expected an object of "
            "quantities, got list",
        ),
    ],
)
def test_malformed_pod_level_resources_name_the_field(resources, expected):
    item = _with_pod_level(pod("web-1", "shop", [container("app", "web:1")]), **resources)
    with pytest.raises(InputError) as err:
        _pods([item])
    assert str(err.value).startswith(expected)


def test_pod_level_resources_that_are_not_an_object():
    item = pod("web-1", "shop", [container("app", "web:1")])
    item["spec"]["resources"] = "1 core"
    with pytest.raises(
        InputError,
        match=r"Pod shop/web-1: spec\.resources: expected an object "
        r"with requests and limits, got str",
    ):
        _pods([item])


def test_live_pages_keep_the_pod_level_resources():
    item = _with_pod_level(pod("web-1", "shop", [container("app", "web:1")]), requests={"cpu": "1"})
    items, _ = decode_page("Pod", json.dumps({"items": [item]}).encode(), where="GET pods")
    assert items[0]["spec"]["resources"] == {"requests": {"cpu": "1"}}


def test_stg_k8s_pods_takes_the_pod_level_request(tmp_path):
    """By hand: pod-resources-demo asks 1 core / 100Mi at the pod level and 0.5 core / 50Mi in
    its containers -> 1 core / 100Mi. cpu-demo sets only CPU at the pod level (0.5 core): its
    memory is its containers' sum, 0. mem-example/memory-demo has container requests only."""
    rows = staged_rows(
        tmp_path / "wh.duckdb",
        PO_ALL,
        "select namespace, pod_name, cpu_request_cores, memory_request_bytes / 1048576, "
        "is_pod_level_request, container_cpu_request_cores, "
        "container_memory_request_bytes / 1048576 from stg_k8s_pods "
        "where namespace <> 'default' order by all",
        collected_at=WHEN,
    )
    assert rows == [
        ("mem-example", "memory-demo", 0.0, 100.0, False, 0.0, 100.0),
        ("pod-resources-example", "cpu-demo", 0.5, 0.0, True, 0.0, 0.0),
        ("pod-resources-example", "memory-demo", 0.0, 100.0, True, 0.0, 0.0),
        ("pod-resources-example", "pod-resources-demo", 1.0, 100.0, True, 0.5, 50.0),
    ]
