"""The in-cluster path for real: the client's own loader, HTTPS, and a service-account token.

The test API server serves HTTPS with a certificate from a CA made here; the collector reads the
token and `ca.crt` from `kubernetes.service_account_dir` and host/port from
KUBERNETES_SERVICE_HOST/PORT (given to the CLI run as its environment, as a pod gets them).
Nothing in the client is replaced: a wrong CA or token fails exactly as it would in a pod.
"""

from __future__ import annotations

import http.client
import json
import secrets
import ssl

import pytest
from k8s_fake_api import FakeKubeAPI, TestCA, in_cluster_env, write_service_account
from k8s_objects import as_list, sample_items

from fleetscope.cli import cli
from fleetscope.warehouse import connect_read_only

K8S_TABLES = ("raw_k8s_nodes", "raw_k8s_namespaces", "raw_k8s_pods", "raw_k8s_containers",
              "raw_k8s_workloads", "raw_k8s_replicasets", "raw_k8s_pvcs", "raw_k8s_pvs")


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA.create(tmp_path_factory.mktemp("cluster-ca"))


@pytest.fixture
def api(ca):
    # A fresh random token per test, so that finding it anywhere is never a coincidence.
    server = FakeKubeAPI(token=secrets.token_urlsafe(24), tls=ca.issue()).add(sample_items())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sa_dir(tmp_path, api, ca):
    return write_service_account(tmp_path / "serviceaccount", token=api.token, ca=ca)


def _config(tmp_path, sa_dir, extra: str = "") -> str:
    path = tmp_path / "fleetscope.toml"
    path.write_text('[kubernetes]\nin_cluster = true\nin_cluster_name = "prod-eu"\n'
                    f'service_account_dir = "{sa_dir}"\npage_size = 2\nmax_retries = 1\n'
                    "retry_backoff_seconds = 0.01\n" + extra)
    return str(path)


def _collect(cli_runner, warehouse_path, config: str, api: FakeKubeAPI):
    return cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "--config", config,
                                   "collect", "kubernetes"], env=in_cluster_env(api))


def _table(path, table: str) -> list[tuple]:
    """A raw table's rows without the load's own id and time (they differ by construction)."""
    con = connect_read_only(path)
    try:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_name = ? "
            "order by ordinal_position", [table]).fetchall()
            if c not in ("load_id", "collected_at")]
        return sorted(map(tuple, con.execute(
            f"select {', '.join(columns)} from {table}").fetchall()), key=repr)
    finally:
        con.close()


def _everything(path) -> str:
    """Every value of every table of the warehouse, as one string to search for secrets."""
    con = connect_read_only(path)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()]
        return "\n".join(repr(con.execute(f'select * from "{t}"').fetchall()) for t in tables)
    finally:
        con.close()


def test_in_cluster_rows_equal_the_file_rows_and_the_token_stays_secret(
        api, sa_dir, tmp_path, cli_runner):
    live_wh, file_wh = tmp_path / "live.duckdb", tmp_path / "file.duckdb"
    result = _collect(cli_runner, live_wh, _config(tmp_path, sa_dir), api)
    assert result.exit_code == 0, result.stderr
    assert "prod-eu: collecting (in-cluster)" in result.stderr
    assert "prod-eu: loaded 2 nodes, 1 namespaces, 8 pods, 9 containers, 5 workloads, " \
           "2 replicasets, 1 pvcs, 1 pvs" in result.stderr

    dump = tmp_path / "snap.json"
    dump.write_text(json.dumps(as_list(sample_items())))
    result_file = cli_runner.invoke(cli, ["--warehouse", str(file_wh), "collect", "kubernetes",
                                          "--from-file", str(dump), "--cluster", "prod-eu"])
    assert result_file.exit_code == 0, result_file.stderr
    for table in K8S_TABLES:
        assert _table(live_wh, table) == _table(file_wh, table), table

    # By hand from k8s_objects.sample_items: web-5d8f7-x1 0.25 + 0.1 (envoy's limit) cores and
    # 512 + 64 MiB; six 0.1-core / 128 MiB pods; db-0 2 cores, 4 GiB and 1 GPU.
    con = connect_read_only(live_wh)
    assert con.execute("select sum(cpu_request_cores), sum(memory_request_bytes) / 2^20, "
                       "sum(gpu_request) from raw_k8s_containers").fetchone() == pytest.approx(
        (2.95, 512 + 64 + 6 * 128 + 4096, 1))
    assert con.execute("select source_kind, source_name, status from loads").fetchall() == [
        ("kubernetes", "prod-eu", "succeeded")]
    con.close()

    # Twelve resources (ten built-in, Velero's two) fit one page of 2; 8 pods take 4 pages.
    # All over TLS (the server speaks nothing else) with the file's token (anything else would
    # have been a 401).
    assert len(api.requests) == 12 + 4
    assert api.token not in result.stderr + result.stdout
    assert api.token not in _everything(live_wh)


def test_wrong_token_is_a_401_naming_the_cluster_and_nothing_is_loaded(
        api, ca, tmp_path, cli_runner, warehouse_path):
    wrong = secrets.token_urlsafe(24)
    sa_dir = write_service_account(tmp_path / "serviceaccount", token=wrong, ca=ca)
    result = _collect(cli_runner, warehouse_path, _config(tmp_path, sa_dir), api)
    assert result.exit_code == 4
    assert ("Error: 1 of 1 cluster(s) failed: prod-eu (cluster prod-eu: unauthorized (401): "
            "cannot list nodes: the API server rejected the credentials") in result.stderr
    assert "rbac" not in result.stderr  # a bad token is not a missing permission
    assert len(api.requests) == 1  # 401 is final: no retry, no further resource
    con = connect_read_only(warehouse_path)
    for table in K8S_TABLES:
        assert con.execute(f"select count(*) from {table}").fetchone() == (0,), table
    assert con.execute("select source_name, status from loads").fetchall() == [
        ("prod-eu", "failed")]
    con.close()
    for token in (wrong, api.token):
        assert token not in result.stderr + result.stdout
        assert token not in _everything(warehouse_path)


def test_the_server_requires_the_bearer_token(api, ca):
    # The fake itself: HTTPS verified against the CA, 401 without the token, 200 with it.
    context = ssl.create_default_context(cafile=str(ca.cert_file))
    statuses = []
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"bearer {api.token}"},
                    {"Authorization": f"Bearer {api.token}"}):
        con = http.client.HTTPSConnection("127.0.0.1", api.port, context=context, timeout=10)
        con.request("GET", "/api/v1/namespaces", headers=headers)
        response = con.getresponse()
        statuses.append((response.status, json.loads(response.read()).get("kind")))
        con.close()
    assert statuses == [(401, "Status"), (401, "Status"), (200, "NamespaceList"),
                        (200, "NamespaceList")]


def test_a_server_certificate_from_another_ca_is_refused_before_the_token_is_sent(
        api, tmp_path, cli_runner, warehouse_path):
    other = TestCA.create(tmp_path / "other-ca", name="someone-else")
    sa_dir = write_service_account(tmp_path / "serviceaccount", token=api.token, ca=other)
    result = _collect(cli_runner, warehouse_path, _config(tmp_path, sa_dir), api)
    assert result.exit_code == 4
    # not retried: a certificate that does not verify will not verify later
    assert "Error: 1 of 1 cluster(s) failed: prod-eu (cluster prod-eu: list nodes: the API " \
           "server's TLS certificate does not verify against the configured CA" in result.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert api.requests == []  # no HTTP request (so no token) ever reached the server
    assert api.token not in result.stderr


@pytest.mark.parametrize(("missing", "message"), [
    ("token", "Service token file does not exist."),
    ("ca.crt", "Service certification file does not exist."),
])
def test_missing_service_account_file_is_named(api, sa_dir, tmp_path, cli_runner,
                                               warehouse_path, missing, message):
    (sa_dir / missing).unlink()
    result = _collect(cli_runner, warehouse_path, _config(tmp_path, sa_dir), api)
    assert result.exit_code == 4
    assert (f"Error: 1 of 1 cluster(s) failed: prod-eu (in-cluster config: {message} "
            f"(service account folder {sa_dir}))") in result.stderr
    assert api.requests == []


def test_outside_a_pod_names_the_missing_service_variables(api, sa_dir, tmp_path, cli_runner,
                                                           warehouse_path):
    env = {"KUBERNETES_SERVICE_HOST": None, "KUBERNETES_SERVICE_PORT": None}  # unset
    result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "--config",
                                     _config(tmp_path, sa_dir), "collect", "kubernetes"],
                               env=env)
    assert result.exit_code == 4
    assert ("prod-eu (in-cluster config: Service host/port is not set. (service account "
            f"folder {sa_dir}))") in result.stderr


def test_a_rotated_token_is_used_by_the_next_run(api, sa_dir, tmp_path, cli_runner,
                                                 warehouse_path):
    # kubelet rewrites the projected token file; the API server stops accepting the old one.
    config = _config(tmp_path, sa_dir)
    assert _collect(cli_runner, warehouse_path, config, api).exit_code == 0
    old, api.token = api.token, secrets.token_urlsafe(24)
    (sa_dir / "token").write_text(api.token, encoding="utf-8")
    result = _collect(cli_runner, warehouse_path, config, api)
    assert result.exit_code == 0, result.stderr
    # Each run builds a new loader, which reads the file again. (Within one run the client
    # re-reads it once its copy is a minute old: not tested, it would take a minute.)
    assert len(api.requests) == 2 * 16  # 12 resources, pods in 4 pages of 2 (see above)
    con = connect_read_only(warehouse_path)
    assert con.execute("select status, count(*) from loads group by 1").fetchall() == [
        ("succeeded", 2)]
    con.close()
    for token in (old, api.token):
        assert token not in _everything(warehouse_path)
