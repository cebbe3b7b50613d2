"""Node facts from Prometheus: spot, instance type and zone per node-hour from kube_node_labels.

A real Prometheus (promtool backfill) holds one day, 2026-11-02, of cluster `prod` at 1-minute
samples; fleetscope runs without a config (OpenCost's default prices: on-demand 0.031611
$/core-h and 0.004237 $/GiB-h, spot 0.006655 and 0.000892). The series run from 23:00 the day
before to 01:00 the day after, so every hour of the day is a whole hour.

- node k (4 cores, 16 GiB) is in NO inventory snapshot (Karpenter made it between two);
  kube_node_labels says karpenter spot, m5.xlarge, eu-west-1a, all day:
    24 x (4 x 0.006655 + 16 x 0.000892) = 24 x 0.040892                         = 0.981408
  (priced on-demand, as before: 24 x (4 x 0.031611 + 16 x 0.004237) = 4.661664, 4.75x)
- node a (4 cores, 16 GiB) is in the inventory snapshot without a spot label (on-demand);
  kube_node_labels says on-demand until 12:00 and spot from 12:00 (Prometheus wins per hour):
    12 x 0.194236 + 12 x 0.040892 = 2.330832 + 0.490704                       = 2.821536
                                                                   node cost = 3.802944
- payments: shop/api-1 on k, requests 1 core 2 GiB, uses 0.5 core 1 GiB (requests charged):
    24 core-h x 0.006655 + 48 GiB-h x 0.000892 = 0.159720 + 0.042816          = 0.202536
- data: batch/etl-1 on a, requests 2 cores 4 GiB, uses 1 core 2 GiB:
    on-demand 12 h: 24 x 0.031611 + 48 x 0.004237 = 0.758664 + 0.203376       = 0.962040
    spot      12 h: 24 x 0.006655 + 48 x 0.000892 = 0.159720 + 0.042816       = 0.202536
                                                                        data = 1.164576
  idle = 3.802944 - 0.202536 - 1.164576                                     = 2.435832
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import orjson
import prom_cluster as cluster
import pytest
from click.testing import CliRunner
from prom_cluster import GIB, Container, Node, Pod
from prometheus_server import Series

from fleetscope.cli import cli
from fleetscope.collectors.node_facts import SPOT_LABELS, prometheus_label
from fleetscope.collectors.prometheus import node_labels as series
from fleetscope.collectors.prometheus.document import to_json_document
from fleetscope.collectors.prometheus.reader import read_dump
from fleetscope.config import PrometheusNodeLabels

DAY = datetime(2026, 11, 2, tzinfo=UTC)
EVENING = DAY - timedelta(hours=1)
CPU, RAM, SPOT_CPU, SPOT_RAM = 0.031611, 0.004237, 0.006655, 0.000892
ON_DEMAND_HOUR = 4 * CPU + 16 * RAM  # 0.194236
SPOT_HOUR = 4 * SPOT_CPU + 16 * SPOT_RAM  # 0.040892
NODE_K = 24 * SPOT_HOUR  # 0.981408
NODE_A = 12 * ON_DEMAND_HOUR + 12 * SPOT_HOUR  # 2.821536
PAYMENTS = 24 * 1 * SPOT_CPU + 24 * 2 * SPOT_RAM  # 0.202536
DATA = 12 * (2 * CPU + 4 * RAM) + 12 * (2 * SPOT_CPU + 4 * SPOT_RAM)  # 1.164576
IDLE = NODE_K + NODE_A - PAYMENTS - DATA  # 2.435832
PODS = [
    Pod(
        "shop",
        "api-1",
        "k",
        "payments",
        [Container("app", 1, 2 * GIB, cpu_used=0.5, memory_used=GIB)],
    ),
    Pod(
        "batch",
        "etl-1",
        "a",
        "data",
        [Container("main", 2, 4 * GIB, cpu_used=1, memory_used=2 * GIB)],
    ),
]
KARPENTER = "label_karpenter_sh_capacity_type"
INSTANCE = "label_node_kubernetes_io_instance_type"


def _labels(node: str, minutes: range, **labels: str) -> Series:
    return cluster.per_minute(
        "kube_node_labels", {"node": node, **labels}, EVENING, minutes, lambda m: 1
    )


def _history() -> list[Series]:
    around = range(0, 26 * 60)  # 23:00 the day before to 01:00 the day after
    out = []
    for node in (Node("k", 4, 16 * GIB), Node("a", 4, 16 * GIB)):
        out += cluster.node_history(node, EVENING, around)
        out += [
            s
            for pod in PODS
            if pod.node == node.name
            for s in cluster.pod_history(pod, EVENING, around)
        ]
    out.append(
        _labels(
            "k",
            around,
            **{
                KARPENTER: "spot",
                INSTANCE: "m5.xlarge",
                "label_topology_kubernetes_io_zone": "eu-west-1a",
            },
        )
    )
    # node a: on-demand until 12:00 (minute 13 x 60 after 23:00), spot from then on
    out.append(_labels("a", range(0, 13 * 60), **{KARPENTER: "on-demand", INSTANCE: "m5.xlarge"}))
    out.append(_labels("a", range(13 * 60, 26 * 60), **{KARPENTER: "spot", INSTANCE: "m5.xlarge"}))
    return out


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    # the inventory knows node a only (no spot label: on-demand); node k is Prometheus' alone
    return cluster.collect_and_transform(
        tmp_path_factory.mktemp("node-labels"),
        cluster.k8s_list([Node("a", 4, 16 * GIB)], {"shop": "payments", "batch": "data"}, PODS),
        _history(),
        collected_at="2026-11-02T00:30:00Z",
        start="2026-11-02T00:00:00Z",
        end="2026-11-03T00:00:00Z",
    )


def test_node_hours_take_their_facts_from_prometheus(warehouse):
    rows = cluster.query(
        warehouse,
        "select node_name, instance_type, zone, count(*) filter (is_spot), "
        "count(*), sum(total_cost) from int_node_hours "
        "group by all order by node_name",
    )
    assert [row[:5] for row in rows] == [
        ("a", "m5.xlarge", None, 12, 24),
        ("k", "m5.xlarge", "eu-west-1a", 24, 24),
    ]
    assert [row[5] for row in rows] == pytest.approx([NODE_A, NODE_K], abs=1e-6)


def test_node_cost_and_idle_match_the_hand_computation(warehouse):
    [(node_cost, idle_cost)] = cluster.query(
        warehouse,
        "select node_cost, idle_cost from mart_cluster_utilization_daily "
        "where cluster = 'prod' and usage_date = date '2026-11-02'",
    )
    assert node_cost == pytest.approx(NODE_K + NODE_A, abs=1e-6)  # 3.802944
    assert idle_cost == pytest.approx(IDLE, abs=1e-6)  # 2.435832


def test_team_costs_are_priced_at_the_hours_capacity_type(warehouse):
    rows = cluster.query(
        warehouse,
        "select team, total_cost from mart_team_cost_daily "
        "where cluster = 'prod' and cost_date = date '2026-11-02'",
    )
    assert dict(rows) == pytest.approx(
        {"payments": PAYMENTS, "data": DATA, "__idle__": IDLE}, abs=1e-6
    )


# -- a label name override ---------------------------------------------------------------------
# node x (2 cores, 8 GiB), in no snapshot, 00:00-03:00 of the day; its capacity type is in a
# label of the operator's own, `lifecycle` = "Spot" (any case), and its Karpenter label, which
# the override no longer reads, says on-demand:
#   3 x (2 x 0.006655 + 8 x 0.000892) = 3 x 0.020446 = 0.061338


def test_a_configured_label_name_decides_spot(tmp_path):
    minutes = range(0, 5 * 60)  # 23:00 the day before to 04:00
    history = [
        *cluster.node_history(Node("x", 2, 8 * GIB), EVENING, minutes),
        _labels("x", minutes, label_lifecycle="Spot", **{KARPENTER: "on-demand"}),
    ]
    path = cluster.collect_and_transform(
        tmp_path,
        cluster.k8s_list([], {"shop": "payments"}, []),
        history,
        collected_at="2026-11-02T00:30:00Z",
        start="2026-11-02T00:00:00Z",
        end="2026-11-02T03:00:00Z",
        config='[prometheus.node_labels]\ncapacity_type = ["label_lifecycle"]\n',
    )
    [(spot_hours, cost)] = cluster.query(
        path,
        "select count(*) filter (is_spot), sum(total_cost) "
        "from int_node_hours where node_name = 'x'",
    )
    assert spot_hours == 3
    assert cost == pytest.approx(3 * (2 * SPOT_CPU + 8 * SPOT_RAM), abs=1e-6)  # 0.061338


def test_default_label_names_are_kube_state_metrics_spelling_of_the_inventory_labels():
    # the inventory's spot labels, as kube-state-metrics writes them, are the defaults
    assert PrometheusNodeLabels().capacity_type == [prometheus_label(n) for n, _ in SPOT_LABELS]
    assert (
        prometheus_label("eks.amazonaws.com/capacityType")
        == "label_eks_amazonaws_com_capacity_type"
    )


# -- offline dumps -----------------------------------------------------------------------------
# One node n (2 cores, 8 GiB), 00:00-02:00, in no snapshot. Without `node_labels` (a dump from
# before the series existed) it is on-demand: 2 x (2 x 0.031611 + 8 x 0.004237) = 0.194236;
# with capacity_type "spot" in the first hour only: 0.020446 + 0.097118 = 0.117564.

HOUR_1, HOUR_2 = (
    int((DAY + timedelta(hours=1)).timestamp()),
    int((DAY + timedelta(hours=2)).timestamp()),
)


def _matrix(*series: tuple[dict, list]) -> dict:
    return {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [{"metric": metric, "values": values} for metric, values in series],
        },
    }


def _dump(node_labels: dict | None) -> dict:
    both = [[HOUR_1, "1"], [HOUR_2, "1"]]
    results = {
        "node_cpu_capacity_cores": _matrix(({"node": "n"}, [[HOUR_1, "2"], [HOUR_2, "2"]])),
        "node_memory_capacity_bytes": _matrix(
            ({"node": "n"}, [[t, str(8 * GIB)] for t, _ in both])
        ),
        "node_present_fraction": _matrix(({"node": "n"}, both)),
    }
    if node_labels is not None:
        results["node_labels"] = node_labels
    return {
        "cluster": "prod",
        "start": "2026-11-02T00:00:00Z",
        "end": "2026-11-02T02:00:00Z",
        "step_seconds": 3600,
        "results": results,
    }


def _load(tmp_path, document: dict) -> tuple[int, str]:
    (tmp_path / "dump.json").write_text(json.dumps(document))
    base = ["--warehouse", str(tmp_path / "wh.duckdb"), "-q"]
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [*base, "collect", "prometheus", "--from-file", str(tmp_path / "dump.json")],
        env={"FLEETSCOPE_CONFIG": None},
    )
    if result.exit_code == 0:
        result = runner.invoke(cli, [*base, "transform"], env={"FLEETSCOPE_CONFIG": None})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("node_labels", "facts", "cost"),
    [
        (None, [(None, None), (None, None)], 2 * (2 * CPU + 8 * RAM)),
        (
            _matrix(
                (
                    {"node": "n", "capacity_type": "spot", "instance_type": "m5.large"},
                    [[HOUR_1, "60"]],
                ),
                ({"node": "n", "capacity_type": "on-demand"}, [[HOUR_2, "60"]]),
            ),
            [("m5.large", True), (None, False)],
            (2 * SPOT_CPU + 8 * SPOT_RAM) + (2 * CPU + 8 * RAM),
        ),
    ],
    ids=["dump-without-node-labels", "dump-with-node-labels"],
)
def test_dumps_with_and_without_the_series(tmp_path, node_labels, facts, cost):
    code, output = _load(tmp_path, _dump(node_labels))
    assert code == 0, output
    assert (
        cluster.query(
            tmp_path / "wh.duckdb",
            "select instance_type, is_spot from raw_prom_node_hours order by hour_start",
        )
        == facts
    )
    [(total,)] = cluster.query(tmp_path / "wh.duckdb", "select sum(total_cost) from int_node_hours")
    assert total == pytest.approx(cost, abs=1e-6)  # 0.194236 / 0.117564


def test_a_bad_capacity_type_is_refused_by_name(tmp_path):
    code, output = _load(
        tmp_path, _dump(_matrix(({"node": "n", "capacity_type": "cheap"}, [[HOUR_1, "60"]])))
    )
    assert code == 3
    assert (
        'series \'node_labels\': series {capacity_type="cheap", node="n"}: label '
        "capacity_type is 'cheap'; expected 'spot' or 'on-demand'" in output
    )


def test_the_live_series_survive_the_written_dump():
    # two kube_node_labels series of node n in the hour 00:00-01:00 (labels changed at 00:45):
    # karpenter spot m5.large for 45 samples, on-demand for 15; the longer-held facts win, and
    # the dump written by `--dump` reads back the same
    config = PrometheusNodeLabels()
    names = series.label_names(config)

    def key(**labels: str) -> tuple:
        return ("n", *(labels.get(name) for name in names))

    hour = np.array([float(HOUR_1)])
    live = series.dump_series(
        {
            key(**{KARPENTER: "spot", INSTANCE: "m5.large"}): (hour, np.array([45.0])),
            key(**{KARPENTER: "on-demand", INSTANCE: "m5.large"}): (hour, np.array([15.0])),
        },
        names,
        config,
    )
    document = _dump(_matrix())
    document["end"] = "2026-11-02T01:00:00Z"
    document["results"] = {
        "node_cpu_capacity_cores": _matrix(({"node": "n"}, [[HOUR_1, "2"]])),
        "node_labels": {"status": "success", "data": {"resultType": "matrix", "result": live}},
    }
    for doc in (document, orjson.loads(to_json_document(document))):
        rows = read_dump(doc, cluster="prod", origin="dump").tables["raw_prom_node_hours"]
        assert rows[["node_name", "instance_type", "is_spot", "zone"]].values.tolist() == [
            ["n", "m5.large", True, None]
        ]
