"""The live Helios collector against a Helios master served over HTTP by the test."""

from __future__ import annotations

import json
import math
import time

import pytest
from helios_fake_api import HeliosServer, document, host_status, job, serve

from fleetscope.cli import cli
from fleetscope.collectors.helios.client import (
    STATUS_CHUNK,
    Transport,
    collect_live,
    fetch_document,
)
from fleetscope.errors import CollectError


def _doc(hosts: int, jobs: int = 3) -> dict:
    job_ids = [f"svc{j}:1:h{j}" for j in range(jobs)]
    return document(
        {j: job(j, cpu_shares=512) for j in job_ids},
        {f"host-{i:04d}.example": host_status(cpus=8, running=(job_ids[i % jobs],))
         for i in range(hosts)},
        {j: {"events": [{"timestamp": 1763600400000, "host": "host-0000.example",
                         "status": {"state": "RUNNING", "env": {"SECRET_TOKEN": "s3cr3t"}}}]}
         for j in job_ids})


def _quick(url: str) -> Transport:
    """Retries without the production backoff, to keep the test fast."""
    return Transport(url, timeout_seconds=5, backoff_seconds=0.001)


def test_live_document_equals_the_servers(tmp_path):
    doc = _doc(5)
    with serve(doc) as server:
        fetched = fetch_document(server.url, concurrency=4)
    assert fetched["jobs"] == doc["jobs"]
    assert fetched["hosts"] == doc["hosts"]
    assert fetched["history"] == doc["history"]
    # /jobs, /hosts, one POST /hosts/statuses, one history per job
    assert server.calls == {"GET": 2 + 3, "POST": 1}


def test_master_without_bulk_endpoint_is_asked_host_by_host():
    with serve(_doc(7), bulk=False) as server:
        fetched = fetch_document(server.url, concurrency=3)
    assert len(fetched["hosts"]) == 7
    assert server.calls == {"GET": 2 + 7 + 3, "POST": 1}


def test_two_thousand_hosts_take_a_handful_of_calls():
    hosts, jobs = 2000, 40
    with serve(_doc(hosts, jobs)) as server:
        started = time.perf_counter()
        result = collect_live(server.url, source="helios", concurrency=16)
        seconds = time.perf_counter() - started
        calls = server.total_calls
    expected_calls = 2 + math.ceil(hosts / STATUS_CHUNK) + jobs
    assert calls == result.http_calls == expected_calls == 46
    assert len(result.batch.tables["raw_helios_hosts"]) == hosts
    assert len(result.batch.tables["raw_helios_deployments"]) == hosts
    # timing lives in benchmarks/helios_collect.py; shown here with -s only
    print(f"\n2,000 hosts, {jobs} jobs: {calls} HTTP calls in {seconds:.2f}s")


def test_server_errors_are_retried_then_named():
    with serve(_doc(2), fail={"/jobs": 503}) as server:
        with pytest.raises(CollectError, match=r"helios GET http://127\.0\.0\.1:\d+/jobs: "
                                               r"HTTP 503"):
            fetch_document(server.url, transport=_quick(server.url))
        assert server.calls["GET"] == 4  # the first attempt and three retries


def test_forbidden_is_not_retried():
    with serve(_doc(2), fail={"/hosts": 403}) as server:
        with pytest.raises(CollectError, match=r"/hosts: HTTP 403 \(check the master's access"):
            fetch_document(server.url)
        assert server.calls["GET"] == 2


def test_dead_master_is_a_collect_error():
    server = HeliosServer(_doc(1))
    url = server.url
    server.close()  # never served: nothing listens on the port any more
    with pytest.raises(CollectError, match="ConnectionRefusedError"):
        fetch_document(url, transport=_quick(url))


def test_cli_collects_dumps_without_env_and_reloads_the_dump(tmp_path, cli_runner,
                                                             warehouse_path):
    dump = tmp_path / "helios.json"
    with serve(_doc(4)) as server:
        result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "collect",
                                         "helios", "--url", server.url, "--source", "eu",
                                         "--dump", str(dump)])
    assert result.exit_code == 0, result.output
    text = dump.read_text()
    for secret in ("s3cr3t", "SECRET_TOKEN", "job-t0ken", "ag3nt"):
        assert secret not in text
    assert len(json.loads(text)["hosts"]) == 4
    result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "collect", "helios",
                                     "--from-file", str(dump), "--source", "eu",
                                     "--collected-at", "2026-11-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(warehouse_path)
    rows = con.execute("select collected_at::date::varchar, count(*) from raw_helios_hosts "
                       "group by 1 order by 1").fetchall()
    stored = "".join(str(con.execute(f"select * from {t}").fetchall()) for t in (
        "raw_helios_jobs", "raw_helios_hosts", "raw_helios_deployments",
        "raw_helios_job_events", "loads"))
    con.close()
    for secret in ("s3cr3t", "SECRET_TOKEN", "job-t0ken", "ag3nt"):
        assert secret not in stored
    assert len(rows) == 2 and rows[0] == ("2026-11-01", 4) and rows[1][1] == 4


def test_cli_failure_is_recorded_and_printed(cli_runner, warehouse_path):
    with serve(_doc(1), fail={"/jobs": 401}) as server:
        result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "collect",
                                         "helios", "--url", server.url])
    assert result.exit_code == 4
    assert "Error: helios GET" in result.output and "HTTP 401" in result.output
    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(warehouse_path)
    status = con.execute("select source_kind, status from loads").fetchall()
    con.close()
    assert status == [("helios", "failed")]
