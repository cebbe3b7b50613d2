"""Init containers are charged for the time they ran, not the hour (issue 11).

A real Prometheus (1-minute samples, promtool backfill), no configuration, one hour
2026-11-02 12:00-13:00, cluster `prod`, OpenCost's default prices (0.031611 $/core-hour,
0.004237 $/GiB-hour). Node a (4 cores, 16 GiB) is up 11:00-14:00. Pod shop/setup-1 on a:

  init container `init`, 12:00-12:02, requests 1 core / 1 GiB, uses 0.5 core / 256 MiB
    kube-state-metrics: kube_pod_init_container_status_running 1 at 12:00 and 12:01, then 0;
    kube_pod_init_container_resource_requests all hour (the pod exists all hour)
    running 2 samples of 60 = 2/60 h
    CPU 1 x 2/60 = 0.0333 core-h (usage 0.5 core x 2 min = 60 core-s = 0.0167 core-h, below)
    RAM 1 GiB x 2/60 = 0.0333 GiB-h (usage 256 MiB x 2/60, below)
    cost 2/60 x 0.031611 + 2/60 x 0.004237 = 0.00105370 + 0.00014123 = 0.00119493
    (before: no running series of its own, so 0: charged nothing at all)
  app container `main`, 12:02-13:00, requests 0.5 core / 512 MiB, uses 0.25 core / 256 MiB
    kube_pod_container_status_running 0 at 12:00 and 12:01, then 1: 58/60 h
    CPU 0.5 x 58/60 = 0.48333 core-h, RAM 0.5 GiB x 58/60 = 0.48333 GiB-h
    cost 0.48333 x (0.031611 + 0.004237) = 0.01732653
  team payments = 0.00119493 + 0.01732653 = 0.01852147
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import prom_cluster as cluster
import pytest
from prom_cluster import GIB, MIB, Container, Node, Pod
from prom_cluster import per_minute as series
from prometheus_server import Series

NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)
CPU, RAM = 0.031611, 0.004237
NODE = Node("a", 4, 16 * GIB)
# the inventory lists the app container only (ordinary init containers hold no request
# once done); its requests for the hour come from kube-state-metrics
POD = Pod("shop", "setup-1", "a", "payments", [Container("main", 0.5, 512 * MIB)])
INIT_CPU_H = 1 * 2 / 60
INIT_RAM_GIB_H = 1 * 2 / 60
INIT_COST = INIT_CPU_H * CPU + INIT_RAM_GIB_H * RAM  # 0.00119493
APP_CPU_H = 0.5 * 58 / 60
APP_RAM_GIB_H = 0.5 * 58 / 60
APP_COST = APP_CPU_H * CPU + APP_RAM_GIB_H * RAM  # 0.01732653


def _history() -> list[Series]:
    hour = range(60)
    base = {"namespace": "shop", "pod": "setup-1"}
    init, main = base | {"container": "init"}, base | {"container": "main"}
    out = cluster.node_history(NODE, NOON - timedelta(hours=1), range(180))
    for labels, minutes, cores, used in (
        (init, range(2), 0.5, 256 * MIB),
        (main, range(2, 60), 0.25, 256 * MIB),
    ):
        first = minutes[0]
        out += [
            series(
                "container_cpu_usage_seconds_total",
                labels | {"node": "a"},
                NOON,
                minutes,
                lambda m, c=cores, f=first: c * 60 * (m - f),
            ),
            series(
                "container_memory_working_set_bytes",
                labels | {"node": "a"},
                NOON,
                minutes,
                lambda m, u=used: u,
            ),
        ]
    for metric, labels, cores, memory in (
        ("kube_pod_init_container_resource_requests", init, 1, GIB),
        ("kube_pod_container_resource_requests", main, 0.5, 512 * MIB),
    ):
        out += [
            series(
                metric,
                labels | {"node": "a", "resource": resource, "unit": unit},
                NOON,
                hour,
                lambda m, v=value: v,
            )
            for resource, unit, value in (("cpu", "core", cores), ("memory", "byte", memory))
        ]
    out.append(
        series(
            "kube_pod_init_container_status_running", init, NOON, hour, lambda m: 1 if m < 2 else 0
        )
    )
    out.append(
        series("kube_pod_container_status_running", main, NOON, hour, lambda m: 0 if m < 2 else 1)
    )
    return out


def _collect(work, history: list[Series]):
    return cluster.collect_and_transform(
        work,
        cluster.k8s_list([NODE], {"shop": "payments"}, [POD]),
        history,
        collected_at="2026-11-02T12:30:00Z",
        start="2026-11-02T12:00:00Z",
        end="2026-11-02T13:00:00Z",
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return _collect(tmp_path_factory.mktemp("init-containers"), _history())


def test_init_container_is_charged_the_two_minutes_it_ran(warehouse):
    rows = cluster.query(
        warehouse,
        "select container_name, is_init, running_hours, cpu_charged_core_hours, "
        "ram_charged_gib_hours, cpu_cost_unscaled + ram_cost_unscaled "
        "from int_container_hours order by container_name",
    )
    by_name = {name: values for name, *values in rows}
    assert by_name["init"] == pytest.approx(
        [True, 2 / 60, INIT_CPU_H, INIT_RAM_GIB_H, INIT_COST], rel=1e-6
    )
    assert by_name["init"][4] == pytest.approx(0.0011949, abs=1e-7)  # the brief's number
    assert by_name["main"] == pytest.approx(
        [False, 58 / 60, APP_CPU_H, APP_RAM_GIB_H, APP_COST], rel=1e-6
    )


def test_team_pays_init_and_app_container_time(warehouse):
    [(total,)] = cluster.query(
        warehouse,
        "select total_cost from mart_team_cost_daily "
        "where team = 'payments' and cost_date = date '2026-11-02'",
    )
    assert total == pytest.approx(INIT_COST + APP_COST, rel=1e-6)  # 0.01852147


@pytest.fixture(scope="module")
def without_init_series(tmp_path_factory):
    """The same hour from a kube-state-metrics without the init container series."""
    history = [s for s in _history() if not s.name.startswith("kube_pod_init_container")]
    return _collect(tmp_path_factory.mktemp("init-cadvisor-only"), history)


def test_without_init_series_cadvisor_presence_is_the_running_time(without_init_series):
    """cAdvisor has 2 samples of 60 for `init`: it ran 2/60 h, with no request known.

    CPU: Prometheus 2's `rate` over [12:00, 13:00] sees +30 core-s between 12:00 and 12:01 and
    extrapolates half a scrape interval past the last sample: 30 x 90/60 = 45 core-s =
    0.0125 core-h. RAM: 256 MiB = 0.25 GiB while running x 2/60 = 0.0083333 GiB-h.
    Cost 0.0125 x 0.031611 + 0.0083333 x 0.004237 = 0.00039514 + 0.00003531 = 0.00043045
    (before: 0, its cAdvisor series alone did not count as running).
    """
    rows = cluster.query(
        without_init_series,
        "select is_init, running_hours, cpu_charged_core_hours, ram_charged_gib_hours, "
        "cpu_cost_unscaled + ram_cost_unscaled from int_container_hours "
        "where container_name = 'init'",
    )
    assert rows == [
        pytest.approx(
            [False, 2 / 60, 0.0125, 0.25 * 2 / 60, 0.0125 * CPU + 0.25 * 2 / 60 * RAM], rel=1e-6
        )
    ]
    assert rows[0][4] == pytest.approx(0.00043045, abs=1e-8)
