"""A central metrics store (Thanos, Mimir, VictoriaMetrics) holding two clusters: a real
Prometheus (promtool-backfilled) behind a Mimir-like front that serves it under `/prometheus`
and refuses any request without the tenant header `X-Scope-OrgID: tenant-s3cret-42`.

Both clusters have the SAME pod and node names, told apart by the `cluster` label only, so a
query that missed a matcher would add them together. Window 2026-11-02 00:00-06:00, one sample
a minute (scrape_interval_seconds = 60). Worked out by hand:

  cluster a: shop/api-1/app on n1 (4 cores), 0.5 cores used -> 6 h x 0.5  = 3.0 core-hours;
             node n1 6 h x 4 cores = 24 core-hours of capacity
  cluster b: shop/api-1/app on n1 (2 cores), 0.25 cores used -> 6 h x 0.25 = 1.5 core-hours;
             node n1 6 h x 2 cores = 12 core-hours of capacity
  (mixed, as a source without matchers would see them: 4.5 core-hours)
"""

from __future__ import annotations

import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from prom_cluster import GIB, MIB, Container, Node, Pod, node_history, pod_history
from prometheus_server import Series, preloaded_prometheus

from fleetscope.cli import cli
from fleetscope.errors import CollectError, ConfigError
from fleetscope.warehouse import connect_read_only

DAY = datetime(2026, 11, 2, tzinfo=UTC)
START, END = "2026-11-02T00:00:00Z", "2026-11-02T06:00:00Z"
WINDOW = ("--start", START, "--end", END)
TENANT = "tenant-s3cret-42"
HOURS = range(0, 360)


def _cluster(cpu_used: float, memory_used: int, cores: int) -> tuple[Pod, Node]:
    """The same pod and node names in every cluster: only the `cluster` label tells them apart."""
    app = Container("app", 1, 256 * MIB, cpu_used=cpu_used, memory_used=memory_used)
    return Pod("shop", "api-1", "n1", "payments", [app]), Node("n1", cores, cores * 4 * GIB)


CLUSTERS = {"a": _cluster(0.5, 128 * MIB, 4), "b": _cluster(0.25, 64 * MIB, 2)}


def _history() -> list[Series]:
    out = []
    for cluster, (pod, node) in CLUSTERS.items():
        for series in pod_history(pod, DAY, HOURS) + node_history(node, DAY, HOURS):
            out.append(Series(series.name, series.labels | {"cluster": cluster}, series.samples))
    return out


class _TenantFront(http.server.BaseHTTPRequestHandler):
    """`/prometheus/api/...` -> the real server's `/api/...`, with the tenant header only."""

    upstream = ""

    def _forward(self) -> None:
        if self.headers.get("X-Scope-OrgID") != TENANT:
            self._answer(401, b'{"status":"error","error":"no org id"}')
            return
        if not self.path.startswith("/prometheus/"):
            self._answer(404, b"404 page not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        request = urllib.request.Request(
            self.upstream + self.path.removeprefix("/prometheus"),
            data=body,
            method=self.command,
            headers={
                "Content-Type": self.headers.get(
                    "Content-Type", "application/x-www-form-urlencoded"
                )
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                self._answer(response.status, response.read())
        except urllib.error.HTTPError as exc:
            self._answer(exc.code, exc.read())

    do_GET = do_POST = _forward

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # quiet test output
        pass


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Iterator[str]:
    """The store's URL with its `/prometheus` prefix, as Mimir serves the Prometheus API."""
    with preloaded_prometheus(_history(), tmp_path_factory.mktemp("central")) as server:
        handler = type("Front", (_TenantFront,), {"upstream": server.url})
        front = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=front.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{front.server_address[1]}/prometheus"
        finally:
            front.shutdown()
            front.server_close()


def _source(url: str, *, cluster: str = "", label: str = "", matchers: str = "") -> str:
    who = f'cluster_label = "{label}"' if label else f'cluster = "{cluster}"'
    return (
        f'[[prometheus.sources]]\nurl = "{url}"\n{who}\n'
        f'headers = {{ "X-Scope-OrgID" = "env:TEST_TENANT" }}\n'
        + (f"matchers = [{matchers}]\n" if matchers else "")
    )


def _only(url: str, cluster: str) -> str:
    """A source for one cluster of the store: named, and scoped by its matcher."""
    return _source(url, cluster=cluster, matchers=f"'cluster=\"{cluster}\"'")


def _collect(work: Path, sources: str, *args: str, tenant: str | None = TENANT):
    work.mkdir(parents=True, exist_ok=True)
    (work / "fleetscope.toml").write_text(
        f"[prometheus]\nscrape_interval_seconds = 60\n\n{sources}"
    )
    return CliRunner().invoke(
        cli,
        [
            "--warehouse",
            str(work / "wh.duckdb"),
            "--config",
            str(work / "fleetscope.toml"),
            "collect",
            "prometheus",
            *args,
        ],
        env={"FLEETSCOPE_CONFIG": None, "TEST_TENANT": tenant},
    )


def _rows(work: Path, sql: str) -> list[tuple]:
    con = connect_read_only(work / "wh.duckdb")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


_CONTAINER_ROWS = (
    "select cluster, hour_start, namespace, pod_name, container_name, node_name, "
    "cpu_usage_cores, memory_working_set_bytes_avg, memory_working_set_bytes_max, "
    "cpu_request_cores, memory_request_bytes, running_hours "
    "from raw_prom_container_hours order by all"
)
_NODE_ROWS = (
    "select cluster, hour_start, node_name, cpu_capacity_cores, memory_capacity_bytes, "
    "present_hours from raw_prom_node_hours order by all"
)
_CORE_HOURS = (
    "select cluster, round(sum(cpu_usage_cores), 6), count(*) "
    "from raw_prom_container_hours group by cluster order by cluster"
)


def test_one_store_pass_gives_each_cluster_what_separate_collections_give(store, tmp_path):
    one = _collect(tmp_path / "one", _source(store, label="cluster"), *WINDOW)
    assert one.exit_code == 0, one.output
    separate = _only(store, "a") + "\n" + _only(store, "b")
    two = _collect(tmp_path / "two", separate, *WINDOW)
    assert two.exit_code == 0, two.output
    for sql in (_CONTAINER_ROWS, _NODE_ROWS):
        rows = _rows(tmp_path / "one", sql)
        assert rows and rows == _rows(tmp_path / "two", sql)
    # a: 6 h x 0.5 = 3.0 core-hours; b: 6 h x 0.25 = 1.5; one container-hour row per hour each
    assert _rows(tmp_path / "one", _CORE_HOURS) == [("a", 3.0, 6), ("b", 1.5, 6)]
    # capacity: a 6 h x 4 = 24 core-hours, b 6 h x 2 = 12
    assert _rows(
        tmp_path / "one",
        "select cluster, sum(cpu_capacity_cores) from "
        "raw_prom_node_hours group by all order by all",
    ) == [("a", 24.0), ("b", 12.0)]
    # one load per cluster and window, named after the cluster
    assert _rows(
        tmp_path / "one", "select source_name, window_start, status from loads order by all"
    ) == [("a", datetime(2026, 11, 2), "succeeded"), ("b", datetime(2026, 11, 2), "succeeded")]


def test_matchers_collect_one_cluster_alone(store, tmp_path):
    result = _collect(
        tmp_path,
        _only(store, "a"),
        *WINDOW,
    )
    assert result.exit_code == 0, result.output
    # cluster a's 3.0 core-hours, not the 4.5 of both clusters' same-named container
    assert _rows(tmp_path, _CORE_HOURS) == [("a", 3.0, 6)]
    assert _rows(tmp_path, "select distinct cpu_capacity_cores from raw_prom_node_hours") == [
        (4.0,)
    ]


def test_watermark_is_kept_per_cluster_whichever_source_fed_it(store, tmp_path):
    # cluster a alone first, through its own source: its watermark is 06:00
    first = _collect(
        tmp_path,
        _only(store, "a"),
        *WINDOW,
    )
    assert first.exit_code == 0, first.output
    # then the whole store, from each cluster's watermark: a is up to date, b (no mark yet)
    # takes the first-run window, the 24 h before --end
    second = _collect(tmp_path, _source(store, label="cluster"), "--end", END)
    assert second.exit_code == 0, second.output
    assert "a: up to date (watermark 2026-11-02 06:00)" in second.output
    assert _rows(tmp_path, "select state_key, state_value from state order by all") == [
        ("prometheus:a:watermark", "2026-11-02T06:00:00"),
        ("prometheus:b:watermark", "2026-11-02T06:00:00"),
    ]
    assert _rows(tmp_path, "select source_name, window_start from loads order by all") == [
        ("a", datetime(2026, 11, 2)),
        ("b", datetime(2026, 11, 1, 6)),
    ]
    assert _rows(tmp_path, _CORE_HOURS) == [("a", 3.0, 6), ("b", 1.5, 6)]


def test_a_matcher_that_is_not_promql_names_the_source_and_field(store, tmp_path):
    result = _collect(
        tmp_path,
        _source(store, cluster="a", matchers="'cluster=a'"),
        *WINDOW,
    )
    assert result.exit_code == ConfigError.exit_code, result.output
    assert "Error: " in result.output
    assert (
        "prometheus.sources[0].matchers[0]: 'cluster=a' is not a PromQL label matcher"
        in result.output
    )
    assert not (tmp_path / "wh.duckdb").exists() or _rows(tmp_path, "from loads") == []


def test_a_missing_tenant_variable_names_the_source_and_field(store, tmp_path):
    result = _collect(tmp_path, _source(store, label="cluster"), *WINDOW, tenant=None)
    assert result.exit_code != 0, result.output
    assert "Error: " in result.output
    assert "headers.X-Scope-OrgID: environment variable TEST_TENANT is not set" in result.output
    assert f"{store} (cluster)" in result.output  # the source: its URL and cluster label
    assert _rows(tmp_path, "select count(*) from raw_prom_container_hours") == [(0,)]


def test_the_tenant_value_is_never_logged_stored_or_in_an_error(store, tmp_path):
    ok = _collect(tmp_path / "ok", _source(store, label="cluster"), *WINDOW)
    wrong = _collect(
        tmp_path / "wrong",
        _source(store, label="cluster"),
        *WINDOW,
        tenant="other-tenant",
    )
    assert ok.exit_code == 0, ok.output
    assert wrong.exit_code == CollectError.exit_code, wrong.output
    assert "HTTP 401" in wrong.output
    for work, result in ((tmp_path / "ok", ok), (tmp_path / "wrong", wrong)):
        assert TENANT not in result.output
        stored = _rows(work, "select * from loads") + _rows(work, "select * from state")
        assert stored and TENANT not in repr(stored)
    assert "other-tenant" not in wrong.output


def test_cluster_option_collects_one_cluster_of_a_store(store, tmp_path):
    result = _collect(tmp_path, _source(store, label="cluster"), "--cluster", "b", *WINDOW)
    assert result.exit_code == 0, result.output
    # cluster b alone: 6 h x 0.25 = 1.5 core-hours, its watermark only
    assert _rows(tmp_path, _CORE_HOURS) == [("b", 1.5, 6)]
    assert _rows(tmp_path, "select state_key from state") == [("prometheus:b:watermark",)]
