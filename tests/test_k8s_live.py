"""The live collector: the real `kubernetes` client over HTTP to a wire-compatible API server.

Pages of 2 objects force pagination on every resource of the sample cluster (8 pods -> 4 pages).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from k8s_fake_api import FakeKubeAPI, write_kubeconfig
from k8s_objects import as_list, sample_items

from fleetscope.cli import cli
from fleetscope.collectors.kubernetes.live import (
    ClusterTarget,
    collect_cluster,
    collect_target,
    targets,
)
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.collectors.kubernetes.transport import RetryPolicy
from fleetscope.config import parse_config
from fleetscope.errors import CollectError, ConfigError, InputError
from fleetscope.warehouse import connect_read_only

PODS = "/api/v1/pods"


@pytest.fixture
def api():
    server = FakeKubeAPI().add(sample_items())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(api, tmp_path):
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"prod": (api.url, api.token)})
    return parse_config({"kubernetes": {
        "kubeconfig": str(kubeconfig), "page_size": 2, "max_retries": 3,
        "retry_backoff_seconds": 0.01, "request_timeout_seconds": 10,
        "contexts": [{"context": "prod", "cluster": "prod-eu"}]}}).kubernetes


def _config_file(tmp_path, settings, extra: str = "") -> str:
    path = tmp_path / "fleetscope.toml"
    path.write_text(f'[kubernetes]\nkubeconfig = "{settings.kubeconfig}"\npage_size = 2\n'
                    "max_retries = 3\nretry_backoff_seconds = 0.01\n" + extra)
    return str(path)


def _pages(api, path):
    return [r.query.get("continue", "") != "" for r in api.requests if r.path == path]


def _rows(frame):
    return sorted(map(tuple, frame.astype(str).values.tolist()))


def test_live_rows_equal_the_file_reader_rows(api, settings):
    batch = collect_cluster(settings, context="prod")
    offline = read_list(as_list(sample_items()), cluster="prod-eu", collected_at=datetime.now())
    assert batch.source_name == "prod-eu"  # the config's cluster name for the context
    for table, frame in offline.tables.items():
        assert _rows(batch.tables[table]) == _rows(frame), table
    assert len(batch.tables["raw_k8s_pods"]) == 8
    assert _pages(api, PODS) == [False, True, True, True]  # 8 pods in pages of 2
    assert {r.query["limit"] for r in api.requests} == {"2"}


def test_expired_continue_token_lists_again_from_the_start(api, settings):
    api.fail(PODS, 410, page=2)
    batch = collect_cluster(settings, context="prod")
    assert _pages(api, PODS) == [False, True, True, False, True, True, True]
    pods = batch.tables["raw_k8s_pods"]["pod_name"]
    assert len(pods) == 8 and pods.is_unique


def test_retries_429_and_5xx_honouring_retry_after(api, settings):
    api.fail("/apis/apps/v1/replicasets", 500, page=0)
    api.fail(PODS, 429, page=1, times=2, retry_after="0")
    sleeps: list[float] = []
    policy = RetryPolicy(max_retries=3, backoff_seconds=0.01, sleep=sleeps.append)
    batch = collect_target(settings, ClusterTarget("prod-eu", "prod"), policy=policy)
    # ReplicaSets are listed before pods: backoff 0.01 s, then Retry-After: 0 twice.
    assert sleeps == [0.01, 0.0, 0.0]
    assert len(batch.tables["raw_k8s_pods"]) == 8
    assert len(batch.tables["raw_k8s_replicasets"]) == 2


def test_backoff_doubles_and_gives_up(api, settings):
    api.fail("/api/v1/nodes", 503, times=-1)
    sleeps: list[float] = []
    policy = RetryPolicy(max_retries=3, backoff_seconds=0.5, sleep=sleeps.append)
    with pytest.raises(CollectError, match=r"cluster prod-eu: list nodes failed after 4 "
                                           r"attempts: HTTP 503"):
        collect_target(settings, ClusterTarget("prod-eu", "prod"), policy=policy)
    assert sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(("setup", "message"), [
    (lambda api: api.forbidden.add("/apis/batch/v1/cronjobs"),
     "cluster prod-eu: forbidden (403): cannot list cronjobs; the collector needs 'list' on "
     "'cronjobs' (see deploy/rbac.yaml): cronjobs is forbidden"),
    (lambda api: setattr(api, "token", "rotated"),
     "cluster prod-eu: unauthorized (401): cannot list nodes"),
    (lambda api: api.fail("/apis/apps/v1/daemonsets", 400),
     "cluster prod-eu: list daemonsets failed with HTTP 400: injected 400"),
])
def test_http_errors_name_cluster_resource_and_verb(api, settings, setup, message):
    setup(api)
    with pytest.raises(CollectError) as err:
        collect_cluster(settings, context="prod")
    assert str(err.value).startswith(message)
    assert "test-token" not in str(err.value)


def test_interrupted_run_leaves_nothing_and_the_rerun_completes(api, settings, tmp_path,
                                                                 warehouse_path, cli_runner):
    # The connection drops in the middle of the third page of pods, on every attempt.
    api.fail(PODS, 0, page=2, times=-1)
    args = ["--warehouse", str(warehouse_path), "--config", _config_file(tmp_path, settings),
            "collect", "kubernetes", "--context", "prod"]
    result = cli_runner.invoke(cli, args)
    assert result.exit_code == 4
    assert "Error: 1 of 1 cluster(s) failed: prod (cluster prod: list pods failed after 4 " \
           "attempts: ProtocolError" in result.stderr
    con = connect_read_only(warehouse_path)
    for table in ("raw_k8s_nodes", "raw_k8s_namespaces", "raw_k8s_replicasets", "raw_k8s_pods",
                  "raw_k8s_containers"):
        assert con.execute(f"select count(*) from {table}").fetchone() == (0,), table
    assert con.execute("select source_name, status from loads").fetchall() == [("prod", "failed")]
    con.close()

    api.faults.clear()
    result = cli_runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert "prod: loaded 2 nodes, 1 namespaces, 8 pods, 9 containers, 5 workloads, " \
           "2 replicasets, 1 pvcs, 1 pvs" in result.stderr
    con = connect_read_only(warehouse_path)
    assert con.execute("select count(*), count(distinct collected_at) from raw_k8s_pods"
                       ).fetchone() == (8, 1)
    assert con.execute("select status from loads order by started_at, status").fetchall() == [
        ("failed",), ("succeeded",)]
    con.close()


def test_two_contexts_one_failing(api, tmp_path, warehouse_path, cli_runner):
    broken = FakeKubeAPI(token="other").add(sample_items()).fail("/api/v1/pods", 500, times=-1)
    broken.start()
    try:
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {
            "prod": (api.url, api.token), "staging": (broken.url, broken.token)})
        config = tmp_path / "fleetscope.toml"
        config.write_text(f'[kubernetes]\nkubeconfig = "{kubeconfig}"\npage_size = 3\n'
                          "max_retries = 1\nretry_backoff_seconds = 0.01\n"
                          '[[kubernetes.contexts]]\ncontext = "staging"\ncluster = "stg-us"\n'
                          '[[kubernetes.contexts]]\ncontext = "prod"\ncluster = "prod-eu"\n')
        result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "--config",
                                         str(config), "collect", "kubernetes"])
    finally:
        broken.stop()
    assert result.exit_code == 4
    assert "Error: 1 of 2 cluster(s) failed: stg-us (cluster stg-us: list pods failed after 2 " \
           "attempts: HTTP 500)" in result.stderr
    con = connect_read_only(warehouse_path)
    assert con.execute("select cluster, count(*) from raw_k8s_pods group by 1").fetchall() == [
        ("prod-eu", 8)]
    loads = con.execute("select source_kind, source_name, status, error from loads "
                        "order by source_name").fetchall()
    con.close()
    assert loads[0][:3] == ("kubernetes", "prod-eu", "succeeded")
    assert loads[1] == ("kubernetes", "stg-us", "failed",
                        "cluster stg-us: list pods failed after 2 attempts: HTTP 500")


def test_unknown_context_is_a_named_error(settings):
    bad = dataclasses.replace(settings, contexts=[])
    with pytest.raises(CollectError, match="kubeconfig context 'nope'"):
        collect_cluster(bad, context="nope")


def test_malformed_page_names_cluster_path_and_field(api, settings):
    api.items[PODS][3] = b'{"metadata":{"name":"x","namespace":"y"},"spec":{"containers":{}}}'
    with pytest.raises(InputError) as err:
        collect_cluster(settings, context="prod")
    message = str(err.value)
    assert message.startswith("cluster prod-eu: GET /api/v1/pods page 1: malformed PodList: ")
    assert "$.items[1].spec.containers" in message


def test_bad_quantity_from_the_api_names_the_pod(api, settings):
    api.items[PODS][0] = (b'{"metadata":{"name":"p","namespace":"n"},"spec":{"containers":'
                          b'[{"name":"c","resources":{"requests":{"cpu":"fast"}}}]}}')
    with pytest.raises(InputError) as err:
        collect_cluster(settings, context="prod")
    assert str(err.value).startswith(
        "cluster prod-eu: GET /api/v1/pods page 0 items[0]: Pod n/p: "
        "spec.containers[0].resources.requests.cpu: invalid quantity 'fast'")


def test_targets_from_options_config_and_in_cluster(settings):
    assert targets(settings, ["prod", "dev"]) == [ClusterTarget("prod-eu", "prod"),
                                                  ClusterTarget("dev", "dev")]
    assert targets(settings) == [ClusterTarget("prod-eu", "prod")]
    in_cluster = dataclasses.replace(settings, in_cluster=True, in_cluster_name="home")
    assert targets(in_cluster) == [ClusterTarget("home", None), ClusterTarget("prod-eu", "prod")]
    with pytest.raises(ConfigError, match="no Kubernetes cluster to collect"):
        targets(dataclasses.replace(settings, contexts=[]))


def test_in_cluster_outside_a_pod_is_a_named_error(settings, monkeypatch):
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(CollectError, match=r"^in-cluster config: "):
        collect_cluster(dataclasses.replace(settings, in_cluster=True), context=None)


def test_unreachable_server_is_retried_then_named(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig",
                                  {"gone": (f"http://127.0.0.1:{port}", "t")})
    settings = parse_config({"kubernetes": {"kubeconfig": str(kubeconfig)}}).kubernetes
    sleeps: list[float] = []
    policy = RetryPolicy(max_retries=2, backoff_seconds=0.25, sleep=sleeps.append)
    with pytest.raises(CollectError) as err:
        collect_target(settings, ClusterTarget("gone", "gone"), policy=policy)
    assert str(err.value).startswith("cluster gone: list nodes failed after 3 attempts: "
                                     "NewConnectionError")
    assert sleeps == [0.25, 0.5]


def test_retry_after_as_http_date(api, settings):
    api.fail("/api/v1/namespaces", 503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    sleeps: list[float] = []
    policy = RetryPolicy(max_retries=1, backoff_seconds=5.0, sleep=sleeps.append)
    collect_target(settings, ClusterTarget("prod-eu", "prod"), policy=policy)
    assert sleeps == [0.0]  # a date in the past: retry at once
