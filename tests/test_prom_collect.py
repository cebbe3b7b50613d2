"""The live collector against a real Prometheus preloaded with the hand-made scenario.

Every expected number is worked out from the samples described in `prometheus_server`
(scenario section); samples come every minute (60 per hour), which the collector learns from
the data: no scrape interval is configured.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from prometheus_server import MIB, T0, T1, preloaded_prometheus, scenario_history

from fleetscope.cli import cli
from fleetscope.collectors.prometheus.collector import WindowCollector
from fleetscope.collectors.prometheus.live import client_for
from fleetscope.collectors.prometheus.reader import read_dump
from fleetscope.config import PrometheusSource, parse_config
from fleetscope.warehouse import Warehouse

START = T0.replace(tzinfo=None)
END = START + timedelta(hours=6)
CONFIG_TOML = "[prometheus]\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    with preloaded_prometheus(scenario_history(), tmp_path_factory.mktemp("prom")) as server:
        yield server


def _config(**prometheus):
    return parse_config({"prometheus": prometheus}).prometheus


def _collect(url: str, start=START, end=END, **prometheus) -> dict[str, pd.DataFrame]:
    config = _config(**prometheus)
    collector = WindowCollector(client_for(PrometheusSource(url=url, cluster="prod"), config),
                                config, cluster="prod")
    document = collector.document(start, end)
    batch = read_dump(document, cluster="prod", origin="live")
    out = {}
    for name, frame in batch.tables.items():
        if name not in ("raw_prom_container_hours", "raw_prom_node_hours"):
            out[name] = frame  # scheduling and golden signals: tests/test_ga_scheduling.py
            continue
        key = ["hour_start", "node_name"] if "node" in name else \
            ["namespace", "pod_name", "container_name", "hour_start"]
        out[name] = frame.sort_values(key).reset_index(drop=True)
    out["_stats"] = collector.stats  # type: ignore[assignment]
    return out


@pytest.fixture(scope="module")
def collected(prometheus):
    return _collect(prometheus.url)


def _rows(frame: pd.DataFrame, pod: str, container: str) -> pd.DataFrame:
    return frame[(frame.pod_name == pod) & (frame.container_name == container)]


def test_constant_half_core_for_three_hours_is_one_and_a_half_core_hours(collected):
    app = _rows(collected["raw_prom_container_hours"], "api-1", "app")
    assert app.hour_start.dt.hour.tolist() == [0, 1, 2]
    assert app.cpu_usage_cores.tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert app.cpu_usage_cores.sum() == pytest.approx(1.5)
    assert app.cpu_request_cores.tolist() == [1.0, 1.0, 1.0]
    assert app.memory_request_bytes.tolist() == [256 * MIB] * 3
    assert app.running_hours.tolist() == [1.0, 1.0, 1.0]
    assert app.node_name.tolist() == ["n1"] * 3


def test_scrape_gap_does_not_lower_the_average(collected):
    app = _rows(collected["raw_prom_container_hours"], "api-1", "app")
    # 01:10-01:40 has no samples: the other 30 are all 100 MiB, and the container ran throughout
    assert app.memory_working_set_bytes_avg.tolist() == [100 * MIB] * 3


def test_pod_cgroup_and_pause_container_are_not_counted(collected):
    containers = set(collected["raw_prom_container_hours"].container_name)
    assert containers == {"app", "sidecar", "main"}


def test_sidecar_average_and_max_working_set(collected):
    sidecar = _rows(collected["raw_prom_container_hours"], "api-1", "sidecar")
    assert sidecar.cpu_usage_cores.sum() == pytest.approx(0.9)  # 0.3 cores x 3 h
    # hour 1: 59 samples of 50 MiB and one of 80 MiB
    assert sidecar.memory_working_set_bytes_avg.tolist() == pytest.approx(
        [50 * MIB, (59 * 50 + 80) / 60 * MIB, 50 * MIB])
    assert sidecar.memory_working_set_bytes_max.tolist() == [50 * MIB, 80 * MIB, 50 * MIB]


def test_counter_reset_inside_an_hour_gives_the_right_usage(collected):
    worker = _rows(collected["raw_prom_container_hours"], "worker-1", "main")
    # 1 core for two hours; the counter drops from 1740 to 60 at 00:30 (a restart)
    assert worker.cpu_usage_cores.tolist() == pytest.approx([1.0, 1.0])
    assert worker.node_name.tolist() == ["n2", "n2"]


def test_container_running_half_an_hour(collected):
    job = _rows(collected["raw_prom_container_hours"], "job-7", "main")
    assert job.hour_start.dt.hour.tolist() == [3]
    assert job.running_hours.tolist() == [0.5]  # 30 of 60 samples running
    # 64 MiB while it ran (byte-hours: 64 MiB x 0.5)
    assert job.memory_working_set_bytes_avg.tolist() == [64 * MIB]
    assert job.memory_working_set_bytes_max.tolist() == [64 * MIB]
    # 0.2 cores for 29 sampled minutes; rate() extrapolates the last sample by half an interval
    # (30 s): increase 348 x 1770/1740 = 354 core-seconds over the hour
    assert job.cpu_usage_cores.tolist() == pytest.approx([354 / 3600])
    assert job.cpu_request_cores.isna().all()


def test_nodes_capacity_and_partial_presence(collected):
    nodes = collected["raw_prom_node_hours"]
    n1, n2 = nodes[nodes.node_name == "n1"], nodes[nodes.node_name == "n2"]
    assert n1.hour_start.dt.hour.tolist() == [0, 1, 2, 3, 4, 5]
    assert n1.present_hours.tolist() == [1.0] * 6  # the 04:10-04:40 gap is a scrape gap
    assert n1.cpu_capacity_cores.tolist() == [4.0] * 6
    assert n1.memory_capacity_bytes.tolist() == [16 * 2**30] * 6
    assert n2.hour_start.dt.hour.tolist() == [0, 1, 2]
    assert n2.present_hours.tolist() == [1.0, 1.0, 0.5]  # gone at 02:30


def test_tiny_budget_splits_by_namespace_and_time_with_the_same_result(prometheus, collected):
    split = _collect(prometheus.url, max_series_per_query=4)
    stats = split["_stats"]
    assert stats.requests > collected["_stats"].requests
    # the largest namespaces hold 2 containers: 4 // 2 = 2 hours per query, one namespace each
    assert (stats.groups, stats.chunk_hours) == (3, 2)
    assert (collected["_stats"].groups, collected["_stats"].chunk_hours) == (1, 6)
    assert stats.largest_response_points <= 4
    for table in ("raw_prom_container_hours", "raw_prom_node_hours"):
        pd.testing.assert_frame_equal(split[table], collected[table])


def test_nan_sample_is_a_clear_error(prometheus):
    from fleetscope.errors import InputError

    start = T1.replace(tzinfo=None)
    with pytest.raises(InputError) as err:
        _collect(prometheus.url, start=start, end=start + timedelta(hours=1))
    assert 'pod="bad-1"' in str(err.value)
    assert "NaN" in str(err.value)


def _cli(runner, warehouse: Path, config: Path, *args: str):
    return runner.invoke(cli, ["--warehouse", str(warehouse), "--config", str(config), "-q",
                               "collect", "prometheus", *args])


def test_cli_window_watermark_and_idempotent_rerun(prometheus, tmp_path, cli_runner):
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text(CONFIG_TOML)
    window = ["--url", prometheus.url, "--cluster", "prod",
              "--start", "2026-11-02T00:00:00Z", "--end", "2026-11-02T06:00:00Z"]
    for _ in range(2):  # collecting the same hours again replaces them
        result = _cli(cli_runner, warehouse, config, *window)
        assert result.exit_code == 0, result.output
    with Warehouse(warehouse) as wh:
        assert wh.get_state("prometheus:prod:watermark") == "2026-11-02T06:00:00"
        got = wh.query_df("select round(sum(cpu_usage_cores), 6) as core_hours, count(*) as n "
                          "from raw_prom_container_hours").iloc[0].tolist()
    # 1.5 + 0.9 + 2.0 + 354/3600 core-hours over 3 + 3 + 2 + 1 container-hours
    assert got == [pytest.approx(4.4 + 354 / 3600), 9]

    # no --start: continue from the watermark
    result = _cli(cli_runner, warehouse, config, "--url", prometheus.url, "--cluster", "prod",
                  "--end", "2026-11-02T08:00:00Z")
    assert result.exit_code == 0, result.output
    with Warehouse(warehouse) as wh:
        assert wh.get_state("prometheus:prod:watermark") == "2026-11-02T08:00:00"
        hours = wh.query_df("select hour(hour_start) h from raw_prom_node_hours "
                            "where node_name = 'n1' order by 1")["h"].tolist()
    assert hours == list(range(8))


def test_cli_failure_is_recorded_and_leaves_data(prometheus, tmp_path, cli_runner):
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text(CONFIG_TOML)
    result = _cli(cli_runner, warehouse, config, "--url", prometheus.url, "--cluster", "prod",
                  "--start", "2026-11-03T00:00:00Z", "--end", "2026-11-03T01:00:00Z")
    assert result.exit_code == 4  # a server's source failed (here: a NaN sample)
    assert "Error: 1 of 1 Prometheus server(s) failed: prod (" in result.output
    assert "bad-1" in result.output
    with Warehouse(warehouse) as wh:
        loads = wh.query_df("select status, error from loads")
        assert loads.status.tolist() == ["failed"]
        assert wh.get_state("prometheus:prod:watermark") is None
        assert wh.query_df("select count(*) n from raw_prom_container_hours")["n"][0] == 0


def test_bad_metric_name_is_a_clear_bad_query_error(prometheus, tmp_path, cli_runner):
    from fleetscope.errors import CollectError

    with pytest.raises(CollectError, match="bad query"):
        _collect(prometheus.url, metrics={"cpu_usage": "container_cpu{"})


def test_start_off_the_hour_is_refused(prometheus, tmp_path, cli_runner):
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text(CONFIG_TOML)
    result = _cli(cli_runner, warehouse, config, "--url", prometheus.url, "--cluster", "prod",
                  "--start", "2026-11-02T00:30:00Z", "--end", "2026-11-02T06:00:00Z")
    assert result.exit_code == 2  # a wrong option: nothing collected, nothing recorded
    assert "not on a full hour" in result.output
    assert not warehouse.exists()


def test_now_defaults(prometheus):
    from fleetscope.collectors.prometheus.live import last_complete_hour, resolve_window

    now = datetime(2026, 11, 2, 10, 1)  # the 09:00 hour's last scrapes may still be landing
    assert last_complete_hour(now) == datetime(2026, 11, 2, 9)
    assert resolve_window(None, start=None, end=None, now=now) == (
        datetime(2026, 11, 1, 9), datetime(2026, 11, 2, 9))
    assert resolve_window("2026-11-02T05:00:00", start=None, end=None,
                          now=datetime(2026, 11, 2, 10, 5)) == (
        datetime(2026, 11, 2, 5), datetime(2026, 11, 2, 10))


def test_dump_written_live_loads_the_same_rows_offline(prometheus, tmp_path, cli_runner):
    config = tmp_path / "fleetscope.toml"
    config.write_text(CONFIG_TOML)
    live, offline, dump = tmp_path / "live.duckdb", tmp_path / "offline.duckdb", tmp_path / "d.json"
    result = _cli(cli_runner, live, config, "--url", prometheus.url, "--cluster", "prod",
                  "--start", "2026-11-02T00:00:00Z", "--end", "2026-11-02T06:00:00Z",
                  "--dump", str(dump))
    assert result.exit_code == 0, result.output
    result = _cli(cli_runner, offline, config, "--from-file", str(dump))
    assert result.exit_code == 0, result.output
    query = ("select * exclude (load_id, collected_at) from raw_prom_container_hours "
             "order by all")
    with Warehouse(live) as a, Warehouse(offline) as b:
        pd.testing.assert_frame_equal(a.query_df(query), b.query_df(query))
        assert len(b.query_df(query)) == 9


@pytest.fixture(scope="module")
def strict_prometheus(tmp_path_factory):
    """Loads at most 66 samples per query (one [1h] range is 61): a rate over both namespaces
    for 6 hours, and every sizing query over the window, are refused with HTTP 422."""
    with preloaded_prometheus(scenario_history(), tmp_path_factory.mktemp("strict"),
                              extra_args=["--query.max-samples=66"]) as server:
        yield server


def test_server_refusing_large_queries_gets_smaller_ones_and_the_same_rows(
        strict_prometheus, collected):
    # sizing over the window is refused: the plan falls back to one hour per query
    split = _collect(strict_prometheus.url)
    assert split["_stats"].chunk_hours == 1
    for table in ("raw_prom_container_hours", "raw_prom_node_hours"):
        pd.testing.assert_frame_equal(split[table], collected[table])


def test_refused_piece_is_split_by_namespace_then_time(strict_prometheus, prometheus):
    from fleetscope.collectors.prometheus.collector import Plan
    from fleetscope.collectors.prometheus.queries import raw_queries

    config = _config()
    cpu = next(q for q in raw_queries(config) if q.name == "cpu_rate")

    def fetch(url: str, plan: Plan) -> dict:
        collector = WindowCollector(
            client_for(PrometheusSource(url=url, cluster="prod"), config), config,
            cluster="prod")
        result = collector._fetch(cpu, ["batch", "shop"], START, END, plan)
        return {(r["metric"]["pod"], r["metric"]["container"], int(t)): v
                for r in result for t, v in r["values"]}

    plan = Plan(chunk_hours=6, groups=[["batch", "shop"]])
    # refused over both namespaces: split into one namespace each
    got = fetch(strict_prometheus.url, plan)
    assert plan.splits >= 1 and plan.groups == [["batch"], ["shop"]]
    assert got == fetch(prometheus.url, Plan(chunk_hours=6, groups=[["batch", "shop"]]))
    assert len(got) == 3 + 3 + 2 + 1  # app, sidecar, worker, job container-hours


def test_cli_collects_configured_sources_and_names_a_missing_token(prometheus, tmp_path,
                                                                    cli_runner, monkeypatch):
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text(CONFIG_TOML + f"""
[[prometheus.sources]]
url = "{prometheus.url}"
cluster = "prod"
bearer_token_env = "FLEETSCOPE_TEST_PROM_TOKEN"
""")
    window = ["--start", "2026-11-02T00:00:00Z", "--end", "2026-11-02T01:00:00Z"]
    monkeypatch.delenv("FLEETSCOPE_TEST_PROM_TOKEN", raising=False)
    result = _cli(cli_runner, warehouse, config, *window)
    assert result.exit_code != 0
    assert "FLEETSCOPE_TEST_PROM_TOKEN is not set" in result.output
    monkeypatch.setenv("FLEETSCOPE_TEST_PROM_TOKEN", "t0ken-value")
    result = _cli(cli_runner, warehouse, config, *window)
    assert result.exit_code == 0, result.output
    with Warehouse(warehouse) as wh:
        # hour 0: app, sidecar and worker
        assert wh.query_df("select count(*) n from raw_prom_container_hours")["n"][0] == 3
        stored = wh.query_df("select * from loads").to_csv() + wh.query_df(
            "select * from state").to_csv()
    assert "t0ken" not in stored


def test_presence_rules_jitter_edges_interior_and_whole_hour_gaps():
    import numpy as np

    from fleetscope.collectors.prometheus.presence import presence

    hours = np.array([0, 1, 2, 4, 5], dtype=float) * 3600  # hour 3 has no sample at all
    counts = np.array([59, 12, 30, 60, 20], dtype=float)
    # first hour: one sample short of 60 is jitter -> 1; inside the span -> 1 (scrape gaps);
    # last hour: 20 of 60 samples -> 1/3
    fraction, missing = presence(hours, counts, 60)
    assert fraction.tolist() == [1.0, 1.0, 1.0, 1.0, 20 / 60]
    assert missing == 1


def test_configured_metric_and_label_names(tmp_path):
    from prometheus_server import Series

    t0 = int(T0.timestamp())
    labels = {"k8s_namespace": "shop", "k8s_pod": "api-1", "k8s_container": "app",
              "k8s_node": "n1"}
    minutes = range(0, 120)
    series = [
        Series("cadvisor_cpu_seconds", labels, [(t0 + 60 * m, 15.0 * m) for m in minutes]),
        Series("cadvisor_wss", labels, [(t0 + 60 * m, 1000.0) for m in minutes]),
        Series("ksm_requests", labels | {"res": "cpu"}, [(t0 + 60 * m, 0.5) for m in minutes]),
        Series("ksm_running", labels, [(t0 + 60 * m, 1.0) for m in minutes]),
        Series("ksm_capacity", {"k8s_node": "n1", "res": "cpu"},
               [(t0 + 60 * m, 8.0) for m in minutes]),
    ]
    names = {"metrics": {"cpu_usage": "cadvisor_cpu_seconds", "memory_working_set": "cadvisor_wss",
                         "requests": "ksm_requests", "running": "ksm_running",
                         "node_capacity": "ksm_capacity"},
             "labels": {"namespace": "k8s_namespace", "pod": "k8s_pod",
                        "container": "k8s_container", "node": "k8s_node", "resource": "res"}}
    with preloaded_prometheus(series, tmp_path / "renamed") as server:
        got = _collect(server.url, end=START + timedelta(hours=2), **names)
    rows = got["raw_prom_container_hours"]
    assert rows[["namespace", "pod_name", "container_name", "node_name"]].drop_duplicates(
        ).values.tolist() == [["shop", "api-1", "app", "n1"]]
    assert rows.cpu_usage_cores.tolist() == pytest.approx([0.25, 0.25])  # 15 s per minute
    assert rows.memory_working_set_bytes_avg.tolist() == [1000.0, 1000.0]
    assert rows.cpu_request_cores.tolist() == [0.5, 0.5]
    assert rows.running_hours.tolist() == [1.0, 1.0]
    assert got["raw_prom_node_hours"].cpu_capacity_cores.tolist() == [8.0, 8.0]


def test_long_backfill_loads_a_week_at_a_time_and_keeps_weeks_before_a_failure(
        prometheus, tmp_path, cli_runner):
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text(CONFIG_TOML)
    # [10-27, 11-03) holds the scenario's day; [11-03, 11-04) holds the NaN sample
    result = _cli(cli_runner, warehouse, config, "--url", prometheus.url, "--cluster", "prod",
                  "--start", "2026-10-27T00:00:00Z", "--end", "2026-11-04T00:00:00Z")
    assert result.exit_code != 0 and "bad-1" in result.output
    with Warehouse(warehouse) as wh:
        assert wh.get_state("prometheus:prod:watermark") == "2026-11-03T00:00:00"
        loads = wh.query_df("select status, window_start, window_end from loads order by "
                            "finished_at")
        assert loads.status.tolist() == ["succeeded", "failed"]
        assert loads.window_end[0] == pd.Timestamp("2026-11-03")
        # the 9 container-hours of the scenario (api-1 x 2 x 3 h, worker 2 h, job 1 h)
        assert wh.query_df("select count(*) n from raw_prom_container_hours")["n"][0] == 9
