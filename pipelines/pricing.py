"""Prices from the config as reference tables (`ref_pricing_*`) for the cost models."""

from __future__ import annotations

import pandas as pd

from fleetscope.config import Config
from fleetscope.errors import ConfigError


def pricing_tables(config: Config) -> dict[str, pd.DataFrame]:
    """`ref_pricing_rates` (one row of default rates) and `ref_pricing_instance_types`."""
    p = config.pricing
    if not 0 < p.rightsizing_target_utilization <= 1:
        raise ConfigError("pricing.rightsizing_target_utilization: expected a number in (0, 1], "
                          f"got {p.rightsizing_target_utilization}")
    if p.rightsizing_window_days < 1:
        raise ConfigError("pricing.rightsizing_window_days: expected at least 1, "
                          f"got {p.rightsizing_window_days}")
    rates = pd.DataFrame([{
        "currency": p.currency,
        "cpu_per_core_hour": p.cpu_per_core_hour,
        "ram_per_gib_hour": p.ram_per_gib_hour,
        "gpu_per_hour": p.gpu_per_hour,
        "storage_per_gib_hour": p.storage_per_gib_hour,
        "spot_cpu_per_core_hour": p.spot_cpu_per_core_hour,
        "spot_ram_per_gib_hour": p.spot_ram_per_gib_hour,
        "legacy_host_per_hour": p.legacy_host_per_hour,
        "rightsizing_target_utilization": p.rightsizing_target_utilization,
        "rightsizing_window_days": p.rightsizing_window_days,
    }])
    instance_types = pd.DataFrame(
        [{"instance_type": name, "hourly": price.hourly, "spot_hourly": price.spot_hourly}
         for name, price in sorted(p.instance_types.items())],
        columns=["instance_type", "hourly", "spot_hourly"],
    ).astype({"instance_type": "string", "hourly": "float64", "spot_hourly": "float64"})
    return {"ref_pricing_rates": rates, "ref_pricing_instance_types": instance_types}
