"""A tiny run of benchmarks/k8s_collect.py, so the benchmark keeps working (no timing asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "k8s_collect.py"


@pytest.mark.slow
def test_benchmark_smoke(capsys):
    spec = importlib.util.spec_from_file_location("k8s_collect", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(["--pods", "120", "--nodes", "6", "--baseline-pods", "30",
                          "--page-size", "50"])
    assert (result["fleetscope_pods"], result["baseline_pods"]) == (120, 30)
    out = capsys.readouterr().out
    assert "fleetscope: 120 pods (240 containers)" in out
    assert "ratio:" in out


def test_synthetic_cluster_shape():
    spec = importlib.util.spec_from_file_location("k8s_collect", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    kinds: dict[str, int] = {}
    for obj in module.synthetic_cluster(25, 3, pods_per_deployment=10):
        kinds[obj["kind"]] = kinds.get(obj["kind"], 0) + 1
    # 25 pods in Deployments of 10 -> 3 Deployments with 2 ReplicaSets each; 3 // 50 -> 1 ns.
    assert kinds == {"Node": 3, "Namespace": 1, "Deployment": 3, "ReplicaSet": 6, "Pod": 25}
