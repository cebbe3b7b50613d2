"""The Prometheus dump reader: hourly rows, merging of series, errors that name the culprit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from fleetscope.cli import cli
from fleetscope.collectors.prometheus import read_dump, read_dump_file
from fleetscope.errors import InputError
from fleetscope.warehouse import Warehouse

T0 = int(datetime(2026, 9, 1, tzinfo=UTC).timestamp())
H = 3600


def body(*series: tuple[dict, list]) -> dict:
    return {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": m, "values": v} for m, v in series]}}


def ctr(pod: str = "api-1", container: str = "app", node: str | None = "n1",
        namespace: str = "shop") -> dict:
    labels = {"namespace": namespace, "pod": pod, "container": container}
    if node:
        labels["node"] = node
    return labels


def doc(results: dict, hours: int = 3) -> dict:
    end = datetime.fromtimestamp(T0 + hours * H, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"cluster": "prod", "start": "2026-09-01T00:00:00Z", "end": end,
            "step_seconds": 3600, "results": results}


def at(hour_end: int, value: str) -> list:
    return [T0 + hour_end * H, value]


def test_samples_land_on_the_hour_they_end_and_series_merge():
    document = doc({
        "container_cpu_usage_cores": body((ctr(), [at(1, "0.5"), at(2, "0.5"), at(3, "0.25")])),
        "container_cpu_request_cores": body((ctr(node=None), [at(1, "1"), at(2, "1")])),
        "container_running_fraction": body((ctr(), [at(1, "1"), at(2, "1"), at(3, "0.5")])),
        "node_cpu_capacity_cores": body(({"node": "n1"}, [at(1, "4"), at(2, "4")])),
        "node_present_fraction": body(({"node": "n1"}, [at(2, "0.25")])),
    })
    batch = read_dump(document, cluster="prod", origin="d.json")
    rows = batch.tables["raw_prom_container_hours"]
    assert rows["hour_start"].dt.hour.tolist() == [0, 1, 2]
    assert rows["cpu_usage_cores"].tolist() == [0.5, 0.5, 0.25]
    # 0.5 + 0.5 + 0.25 core for one hour each
    assert rows["cpu_usage_cores"].sum() == 1.25
    assert rows["cpu_request_cores"].fillna(-1).tolist() == [1.0, 1.0, -1]
    assert rows["node_name"].tolist() == ["n1", "n1", "n1"]
    assert rows["running_hours"].tolist() == [1.0, 1.0, 0.5]
    nodes = batch.tables["raw_prom_node_hours"]
    assert nodes["cpu_capacity_cores"].tolist() == [4.0, 4.0]
    # hour 0 has capacity but no presence sample (counts as present), hour 1 says a quarter
    assert nodes["present_hours"].tolist() == [1.0, 0.25]
    assert batch.window.start == datetime(2026, 9, 1)
    assert batch.window.end == datetime(2026, 9, 1, 3)


def test_a_pod_that_moved_node_within_the_hour_adds_usage_and_keeps_the_larger_request():
    document = doc({
        "container_cpu_usage_cores": body((ctr(node="n1"), [at(1, "0.2")]),
                                          (ctr(node="n2"), [at(1, "0.3")])),
        "container_cpu_request_cores": body((ctr(node="n1"), [at(1, "0.5")]),
                                            (ctr(node="n2"), [at(1, "0.5")])),
        "container_running_fraction": body((ctr(node="n1"), [at(1, "0.75")]),
                                           (ctr(node="n2"), [at(1, "0.5")])),
    }, hours=1)
    rows = read_dump(document, cluster="prod", origin="d").tables["raw_prom_container_hours"]
    assert len(rows) == 1
    assert rows["cpu_usage_cores"][0] == pytest.approx(0.5)
    assert rows["cpu_request_cores"][0] == 0.5
    assert rows["running_hours"][0] == 1.0  # 0.75 + 0.5 capped at the hour


@pytest.mark.parametrize(("value", "reason"), [("NaN", "NaN or infinite"),
                                               ("+Inf", "NaN or infinite"),
                                               ("-0.5", "negative")])
def test_bad_values_name_file_series_labels_and_time(value, reason):
    document = doc({"container_memory_working_set_bytes_avg": body(
        (ctr(pod="ok"), [at(1, "1")]), (ctr(pod="web-7"), [at(1, "1"), at(2, value)]))})
    with pytest.raises(InputError) as err:
        read_dump(document, cluster="prod", origin="dump.json")
    message = str(err.value)
    assert "dump.json" in message
    assert "container_memory_working_set_bytes_avg" in message
    assert 'pod="web-7"' in message
    assert "2026-09-01T02:00:00Z" in message
    assert reason in message


def test_fraction_above_one_is_refused():
    document = doc({"container_running_fraction": body((ctr(), [at(1, "1.5")]))})
    with pytest.raises(InputError, match=r"running_hours.*fraction above 1"):
        read_dump(document, cluster="prod", origin="d")


def test_vector_result_is_refused():
    document = doc({"container_cpu_usage_cores": {
        "status": "success", "data": {"resultType": "vector", "result": []}}})
    with pytest.raises(InputError, match=r"container_cpu_usage_cores.*resultType.*'vector'"):
        read_dump(document, cluster="prod", origin="d")


def test_sample_outside_window_or_off_grid_is_refused():
    outside = doc({"container_cpu_usage_cores": body((ctr(), [at(4, "1")]))})
    with pytest.raises(InputError, match="2026-09-01T04:00:00Z is not the end of an hour"):
        read_dump(outside, cluster="prod", origin="d")
    off_grid = doc({"container_cpu_usage_cores": body((ctr(), [[T0 + 1800, "1"]]))})
    with pytest.raises(InputError, match="not the end of an hour"):
        read_dump(off_grid, cluster="prod", origin="d")


def test_missing_label_unknown_series_and_bad_step_are_named():
    no_pod = doc({"container_cpu_usage_cores": body(({"namespace": "a", "container": "c"},
                                                     [at(1, "1")]))})
    with pytest.raises(InputError, match=r"label.*pod missing"):
        read_dump(no_pod, cluster="prod", origin="d")
    not_pairs = doc({"container_cpu_usage_cores": body((ctr(), [[T0 + H]]))})
    with pytest.raises(InputError, match=r'pod="api-1".*values\[0\]: expected \[timestamp'):
        read_dump(not_pairs, cluster="prod", origin="d")
    not_number = doc({"container_cpu_usage_cores": body((ctr(), [at(1, "lots")]))})
    with pytest.raises(InputError, match="value 'lots' at 2026-09-01T01:00:00Z is not a number"):
        read_dump(not_number, cluster="prod", origin="d")
    with pytest.raises(InputError, match="unknown series cpu_typo"):
        read_dump(doc({"cpu_typo": body()}), cluster="prod", origin="d")
    bad_step = doc({}) | {"step_seconds": 300}
    with pytest.raises(InputError, match="step_seconds"):
        read_dump(bad_step, cluster="prod", origin="d")


def test_bad_json_names_the_file_and_position(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('{"cluster": "prod", "start": }')
    with pytest.raises(InputError, match=r"broken\.json: invalid JSON.*line 1"):
        read_dump_file(path)


def test_cli_from_file_loads_and_reload_replaces(tmp_path: Path, cli_runner):
    path = tmp_path / "prod.json"
    path.write_bytes(orjson.dumps(doc({
        "container_cpu_usage_cores": body((ctr(), [at(1, "0.5"), at(2, "0.5"), at(3, "0.5")])),
        "node_cpu_capacity_cores": body(({"node": "n1"}, [at(1, "4")]))})))
    warehouse = tmp_path / "wh.duckdb"
    for _ in range(2):
        result = cli_runner.invoke(cli, ["--warehouse", str(warehouse), "-q", "collect",
                                         "prometheus", "--from-file", str(path)])
        assert result.exit_code == 0, result.output
    with Warehouse(warehouse) as wh:
        got = wh.query_df("select cluster, sum(cpu_usage_cores) as core_hours, count(*) as n "
                          "from raw_prom_container_hours group by cluster")
    # 0.5 cores for 3 hours, loaded twice: still 1.5 core-hours
    assert got.values.tolist() == [["prod", 1.5, 3]]


def test_cli_bad_file_writes_nothing(tmp_path: Path, cli_runner):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(orjson.dumps(doc({"container_cpu_usage_cores": body(
        (ctr(), [at(1, "0.5")]))})))
    bad.write_bytes(orjson.dumps(doc({"container_cpu_usage_cores": body(
        (ctr(), [at(1, "NaN")]))})))
    warehouse = tmp_path / "wh.duckdb"
    result = cli_runner.invoke(cli, ["--warehouse", str(warehouse), "-q", "collect", "prometheus",
                                     "--from-file", str(good), "--from-file", str(bad)])
    assert result.exit_code == 3
    assert "Error: " in result.output and "bad.json" in result.output
    with Warehouse(warehouse) as wh:
        assert wh.query_df("select count(*) n from raw_prom_container_hours")["n"][0] == 0


@pytest.mark.parametrize("pretty", [False, True])
def test_file_reading_fast_and_plain_paths_agree(tmp_path: Path, pretty: bool):
    document = doc({
        "container_cpu_usage_cores": body((ctr(), [at(1, "0.1"), at(2, "0.30000000000000004"),
                                                   at(3, "1e-3")]),
                                          (ctr(pod="empty"), [])),
        "node_cpu_capacity_cores": body(({"node": "n1"}, [at(1, "4")]))})
    path = tmp_path / "d.json"
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2 if pretty else 0))
    from_file = read_dump_file(path).tables["raw_prom_container_hours"]
    in_memory = read_dump(document, cluster="prod", origin="d").tables[
        "raw_prom_container_hours"]
    assert from_file["cpu_usage_cores"].tolist() == [0.1, 0.30000000000000004, 1e-3]
    assert from_file.equals(in_memory)


@pytest.mark.parametrize(("values", "message"), [
    ([[T0 + H, "NaN"]], "NaN or infinite"),
    ([[T0 + H, "1,5"]], "value '1,5' at 2026-09-01T01:00:00Z is not a number"),
    ([[T0 + H, "abc"]], "value 'abc' at 2026-09-01T01:00:00Z is not a number"),
    ([[str(T0 + H), "1"]], "timestamp '1788224400' is not a number"),
    ([[T0 + H, "1", "2"]], r"values\[0\]: expected \[timestamp, \"value\"\]"),
])
def test_file_errors_still_name_series_and_value(tmp_path: Path, values: list, message: str):
    path = tmp_path / "bad.json"
    path.write_bytes(orjson.dumps(doc({"container_cpu_usage_cores": body(
        (ctr(pod="web-7"), values))})))
    with pytest.raises(InputError, match=message) as err:
        read_dump_file(path)
    assert "bad.json" in str(err.value) and 'pod="web-7"' in str(err.value)


def test_init_container_flag_is_optional_and_checked():
    running = body((ctr(container="init"), [at(1, "0.0333")]), (ctr(), [at(1, "1")]))
    flagged = doc({"container_running_fraction": running,
                   "container_is_init": body((ctr(container="init"), [at(1, "1")]))}, hours=1)
    rows = read_dump(flagged, cluster="prod", origin="d").tables["raw_prom_container_hours"]
    assert dict(zip(rows["container_name"], rows["is_init"], strict=True)) == {
        "init": True, "app": False}
    # a dump written before init containers were collected: every container an app one
    old = doc({"container_running_fraction": running}, hours=1)
    rows = read_dump(old, cluster="prod", origin="d").tables["raw_prom_container_hours"]
    assert rows["is_init"].tolist() == [False, False]
    bad = doc({"container_is_init": body((ctr(container="init"), [at(1, "2")]))}, hours=1)
    with pytest.raises(InputError, match=r"container_is_init.*init.*is a fraction above 1"):
        read_dump(bad, cluster="prod", origin="d")
