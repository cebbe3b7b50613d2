"""Presence and running time at 15 s, 30 s and 60 s scrape intervals, none of them configured.

A real Prometheus per interval holds the same history (times relative to T0 = 2026-11-02 00:00
UTC; the window collected is [T0, T0 + 4h), the hours 0-3), sampled every `step` seconds from
the start of each span to its end (end excluded). Worked out by hand, per hour of the window:

  node steady   from -2h to +6h; scrape gaps 01:10-01:40 and 03:20-03:50 -> 1, 1, 1, 1
                (the second gap is in the window's last hour: the series goes on after the
                end, so that hour is inside its span, not its last hour)
  node late     from 01:20 on (past the end)  -> hour 1: 40/60, hours 2, 3: 1
  node gone     from -2h to 02:45             -> hours 0, 1: 1, hour 2: 45/60
  node brief    01:15-01:45 only (no full hour: takes the others' interval) -> hour 1: 0.5
  shop/api/app      running from -1h to 02:30         -> 1, 1, 0.5
  shop/late/app     running from 00:45 on             -> 0.25, 1, 1, 1
  batch/w/main      running, scrape gap 02:10-02:50 and 03:05-03:55, goes on -> 1, 1, 1, 1
  batch/short/main  running 01:30-02:00 only          -> hour 1: 0.5
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from prometheus_server import Series, preloaded_prometheus

from fleetscope.collectors.prometheus.collector import WindowCollector
from fleetscope.collectors.prometheus.live import client_for
from fleetscope.collectors.prometheus.presence import learn_samples_per_hour, presence
from fleetscope.collectors.prometheus.reader import read_dump
from fleetscope.config import PrometheusSource, parse_config

T0 = datetime(2026, 11, 2, tzinfo=UTC)
START = T0.replace(tzinfo=None)
END = START + timedelta(hours=4)
H = 60  # minutes in an hour, to write spans as h * H + m

# (name, kind, first minute, last minute (excluded), gaps [(from, to)])
NODES = [
    ("steady", -2 * H, 6 * H, [(H + 10, H + 40), (3 * H + 20, 3 * H + 50)]),
    ("late", H + 20, 6 * H, []),
    ("gone", -2 * H, 2 * H + 45, []),
    ("brief", H + 15, H + 45, []),
]
CONTAINERS = [
    ("shop", "api", "app", -H, 2 * H + 30, []),
    ("shop", "late", "app", 45, 6 * H, []),
    ("batch", "w", "main", -H, 6 * H, [(2 * H + 10, 2 * H + 50), (3 * H + 5, 3 * H + 55)]),
    ("batch", "short", "main", H + 30, 2 * H, []),
]
EXPECTED_NODES = {
    "steady": [1, 1, 1, 1],
    "late": [None, 40 / 60, 1, 1],
    "gone": [1, 1, 45 / 60, None],
    "brief": [None, 0.5, None, None],
}
EXPECTED_RUNNING = {
    "api": [1, 1, 0.5, None],
    "late": [0.25, 1, 1, 1],
    "w": [1, 1, 1, 1],
    "short": [None, 0.5, None, None],
}


def _times(step: int, first: int, last: int, gaps: list[tuple[int, int]]) -> list[int]:
    base = int(T0.timestamp())
    return [
        base + t
        for t in range(60 * first, 60 * last, step)
        if not any(60 * a <= t < 60 * b for a, b in gaps)
    ]


def history(step: int, *, capacity_metric: str = "kube_node_status_capacity") -> list[Series]:
    """The module's history sampled every `step` seconds."""
    out = []
    for node, first, last, gaps in NODES:
        out.append(
            Series(
                capacity_metric,
                {"node": node, "resource": "cpu", "unit": "core"},
                [(t, 4.0) for t in _times(step, first, last, gaps)],
            )
        )
    for ns, pod, container, first, last, gaps in CONTAINERS:
        out.append(
            Series(
                "kube_pod_container_status_running",
                {"namespace": ns, "pod": pod, "container": container},
                [(t, 1.0) for t in _times(step, first, last, gaps)],
            )
        )
    return out


@pytest.fixture(scope="module", params=[15, 30, 60], ids=lambda s: f"{s}s")
def server(request, tmp_path_factory):
    step = request.param
    with preloaded_prometheus(history(step), tmp_path_factory.mktemp(f"prom{step}")) as found:
        yield step, found


def _collect(url: str, **prometheus) -> tuple[dict[str, pd.DataFrame], WindowCollector]:
    config = parse_config({"prometheus": prometheus}).prometheus
    collector = WindowCollector(
        client_for(PrometheusSource(url=url, cluster="c"), config), config, cluster="c"
    )
    batch = read_dump(collector.document(START, END), cluster="c", origin="test")
    return batch.tables, collector


def _by_hour(frame: pd.DataFrame, key: str, column: str) -> dict[str, list[float | None]]:
    out: dict[str, list[float | None]] = {}
    for name, rows in frame.groupby(key):
        hours = {
            int((t - START).total_seconds() // 3600): v
            for t, v in zip(rows.hour_start, rows[column], strict=True)
        }
        out[str(name)] = [hours.get(h) for h in range(4)]
    return out


@pytest.mark.parametrize(
    ("table", "key", "column", "series", "expected"),
    [
        ("raw_prom_node_hours", "node_name", "present_hours", "node_present_fraction",
         EXPECTED_NODES),
        ("raw_prom_container_hours", "pod_name", "running_hours", "container_running_fraction",
         EXPECTED_RUNNING),
    ],
    ids=["node presence", "running time"],
)
def test_learnt_at_every_interval(server, table, key, column, series, expected):
    step, found = server
    tables, collector = _collect(found.url)
    assert _by_hour(tables[table], key, column) == {
        name: [pytest.approx(v) if v is not None else None for v in hours]
        for name, hours in expected.items()
    }
    assert collector.stats.samples_per_hour[series] == 3600 / step


def test_configured_interval_overrides_what_the_data_says(server):
    step, found = server
    tables, _ = _collect(found.url, scrape_interval_seconds=step / 2)
    nodes = _by_hour(tables["raw_prom_node_hours"], "node_name", "present_hours")
    # twice the samples expected: a partial edge hour counts half; inside a span it is still 1
    assert nodes["late"] == [None, pytest.approx(20 / 60), 1, 1]
    assert nodes["brief"][1] == pytest.approx(0.25)


def test_interval_measured_on_raw_samples_when_no_series_has_a_full_hour(tmp_path):
    # only the brief node reports this metric: nothing to learn from counts, so the collector
    # reads that node's raw samples once and measures their spacing
    series = history(15, capacity_metric="brief_capacity")
    series = [s for s in series if s.labels.get("node") in (None, "brief")]
    with preloaded_prometheus(series, tmp_path) as found:
        tables, collector = _collect(found.url, metrics={"node_capacity": "brief_capacity"})
    nodes = _by_hour(tables["raw_prom_node_hours"], "node_name", "present_hours")
    assert nodes == {"brief": [None, 0.5, None, None]}
    assert collector.stats.samples_per_hour["node_present_fraction"] == 240


def test_learning_ignores_gapped_hours_and_jitter():
    hours = np.arange(6, dtype=float) * 3600
    counts = {
        ("a",): (hours, np.array([10, 120, 119, 40, 121, 30], dtype=float)),  # 30 s
        ("b",): (hours[:2], np.array([5, 50], dtype=float)),  # no full hour
    }
    own, common = learn_samples_per_hour(counts)
    assert own == {("a",): 120.0}  # the 40 (a scrape gap) is left out; 119/121 is jitter
    assert common == 120.0
    fraction, missing = presence(hours[:2], counts[("b",)][1], common)
    assert fraction.tolist() == [5 / 120, 50 / 120] and missing == 0
