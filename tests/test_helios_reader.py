"""Helios offline document → raw tables: every field, env never stored, errors name the spot."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from fleetscope.collectors.helios import read_dump, read_dump_file
from fleetscope.errors import InputError

WHEN = datetime(2026, 11, 20, 6)

DOC = {
    "jobs": {
        "payments:1.2:abc123": {
            "id": "payments:1.2:abc123", "image": "registry/payments:1.2",
            "env": {"DB_PASSWORD": "hunter2"},
            "resources": {"memory": 2147483648, "cpuShares": 512},
            "metadata": {"backstage.io/component": "payments-api"},
            "created": 1763596800000, "creatingUser": "alice",
        },
        "search:7:ffff": {"image": "registry/search:7"},
    },
    "hosts": {
        "h1": {"status": "UP", "hostInfo": {"cpus": 8, "memoryTotalBytes": 34359738368},
               "jobs": {"payments:1.2:abc123": {"goal": "START"}},
               "statuses": {"payments:1.2:abc123": {"state": "RUNNING",
                                                    "env": {"DB_PASSWORD": "hunter2"}}}},
        "h2": {"status": "DOWN", "hostInfo": {"cpus": 4, "memoryTotalBytes": 8e9},
               "jobs": {"search:7:ffff": {"goal": "START"}}, "statuses": {}},
        "gone": None,
    },
    "history": {"payments:1.2:abc123": {"events": [
        {"timestamp": 1763600400000, "host": "h1", "status": {"state": "PULLING_IMAGE"}},
        {"timestamp": 1763600460000, "host": "h1", "status": {"state": "RUNNING"}}]}},
}


def test_document_lands_in_the_raw_tables(warehouse):
    batch = read_dump(DOC, source="helios-eu", collected_at=WHEN)
    warehouse.load(batch)
    jobs = warehouse.query_df("select * from raw_helios_jobs order by job_id")
    assert jobs["job_name"].tolist() == ["payments", "search"]
    assert jobs["job_version"].tolist() == ["1.2", "7"]
    assert jobs["cpu_shares"].tolist()[0] == 512
    assert jobs["memory_bytes"].tolist()[0] == 2147483648
    assert jobs["created_at"].tolist()[0] == datetime(2025, 11, 20)
    assert jobs["source"].unique().tolist() == ["helios-eu"]
    hosts = warehouse.query_df("select host, status, cpus from raw_helios_hosts order by 1")
    assert hosts.values.tolist() == [["h1", "UP", 8.0], ["h2", "DOWN", 4.0]]
    deps = warehouse.con.execute("select host, job_id, goal, state from raw_helios_deployments "
                                 "order by 1").fetchall()
    assert deps == [("h1", "payments:1.2:abc123", "START", "RUNNING"),
                    ("h2", "search:7:ffff", "START", None)]
    events = warehouse.query_df("select event_at, state from raw_helios_job_events order by 1")
    assert events["state"].tolist() == ["PULLING_IMAGE", "RUNNING"]
    assert events["event_at"].tolist()[0] == datetime(2025, 11, 20, 1)


def test_env_is_never_stored(warehouse):
    warehouse.load(read_dump(DOC, source="helios", collected_at=WHEN))
    for table in ("raw_helios_jobs", "raw_helios_hosts", "raw_helios_deployments",
                  "raw_helios_job_events"):
        text = warehouse.query_df(f"select * from {table}").to_csv()
        assert "hunter2" not in text and "DB_PASSWORD" not in text


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["jobs"].update({":1:x": {}}), r"jobs\[':1:x'\]: job id ':1:x' has no name"),
    (lambda d: d["jobs"]["search:7:ffff"].update({"resources": {"cpuShares": "lots"}}),
     r"jobs\['search:7:ffff'\]\.resources\.cpuShares: expected a number"),
    (lambda d: d["hosts"].update({"h3": ["UP"]}), r"hosts\['h3'\]: expected an object"),
    (lambda d: d.pop("hosts"), r"missing key\(s\) \['hosts'\]"),
])
def test_bad_documents_name_the_field(mutate, message):
    doc = json.loads(json.dumps(DOC))
    mutate(doc)
    with pytest.raises(InputError, match=message):
        read_dump(doc, source="helios", collected_at=WHEN)


def test_file_errors_name_the_line(tmp_path):
    path = tmp_path / "dump.json"
    path.write_text('{"jobs": {},\n "hosts": {,}}\n')
    with pytest.raises(InputError, match=r"dump.json: line 2 column 12: invalid JSON"):
        read_dump_file(path, source="helios", collected_at=None)


def test_reloading_the_same_snapshot_replaces_it(warehouse, tmp_path):
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(DOC))
    for _ in range(2):
        warehouse.load(read_dump_file(path, source="helios", collected_at=WHEN))
    assert warehouse.query_df("select count(*) n from raw_helios_deployments")["n"][0] == 2


def test_cli_prints_the_error_and_writes_nothing(tmp_path, cli_runner, warehouse_path):
    from fleetscope.cli import cli

    path = tmp_path / "dump.json"
    doc = json.loads(json.dumps(DOC))
    doc["hosts"]["h2"]["hostInfo"]["cpus"] = "four"
    path.write_text(json.dumps(doc))
    result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "collect", "helios",
                                     "--from-file", str(path)])
    assert result.exit_code == 3
    assert "Error: " in result.output
    assert "dump.json: hosts['h2'].hostInfo.cpus: expected a number, got 'four'" in result.output
    assert not warehouse_path.exists()
    result = cli_runner.invoke(cli, ["collect", "helios", "--from-file", str(path), "--dump",
                                     str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "--dump needs --url" in result.output
