"""A total instance price split as OpenCost splits it, on the issue's p3.2xlarge case.

OpenCost (github.com/opencost/opencost, Apache-2.0; only numbers are taken from it) splits a
node's total price over CPU, RAM and GPU in proportion to its default rates
(pkg/costmodel/costmodel.go, the `cpuToRAMRatio`/`gpuToRAMRatio` branch; defaults in
configs/default.json: CPU 0.031611 /vCPU-h, RAM 0.004237 /GiB-h, GPU 0.95 /h, also fleetscope's).
p3.2xlarge at 3.06/h with 8 vCPU, 61 GiB and 1 GPU, by hand:
  sum of capacity x default = 8 x 0.031611 + 61 x 0.004237 + 1 x 0.95
                            = 0.252888 + 0.258457 + 0.95 = 1.461345
  GPU  3.06 x 0.95     / 1.461345 = 1.98926 per GPU-hour
  CPU  3.06 x 0.031611 / 1.461345 = 0.066192 per core-hour
  RAM  3.06 x 0.004237 / 1.461345 = 0.0088721 per GiB-hour
"""

from __future__ import annotations

import pytest

from fleetscope.config import parse_config
from fleetscope.pipelines.invariants import check_invariants
from fleetscope.pipelines.transform import transform_warehouse
from fleetscope.warehouse import Warehouse
from tests.test_cost_fixtures import GIB, load_prometheus, load_snapshot


@pytest.mark.parametrize("is_spot", [False, True])
def test_p3_2xlarge_rates_match_opencost(warehouse: Warehouse, is_spot: bool) -> None:
    # the same price as `spot_hourly` on a spot node: split by the same on-demand defaults
    config = parse_config(
        {"pricing": {"instance_types": {"p3.2xlarge": {"hourly": 3.06, "spot_hourly": 3.06}}}}
    )
    load_snapshot(warehouse)
    warehouse.con.execute(
        "update raw_k8s_nodes set instance_type = 'p3.2xlarge', is_spot = ? where node_name = 'n1'",
        [is_spot],
    )
    load_prometheus(warehouse, hours=1)
    warehouse.con.execute(
        "update raw_prom_node_hours set cpu_capacity_cores = 8, memory_capacity_bytes = ?, "
        "gpu_capacity = 1 where node_name = 'n1'",
        [61 * GIB],
    )
    transform_warehouse(warehouse, config)
    gpu, cpu, ram, total = warehouse.con.execute(
        "select gpu_price_per_gpu_hour, cpu_price_per_core_hour, ram_price_per_gib_hour, "
        "total_cost from int_node_hours where node_name = 'n1'"
    ).fetchone()
    assert gpu == pytest.approx(1.9893, rel=5e-5)
    assert cpu == pytest.approx(0.06619, rel=5e-5)
    assert ram == pytest.approx(0.008872, rel=5e-5)
    assert total == pytest.approx(3.06)
    assert check_invariants(warehouse.con) == []
