"""Capacity and golden-signal settings from the config as reference tables for the GA models.

`ref_capacity` (one row: the requested-share threshold), `ref_capacity_node_pool_labels` (the
node labels naming a pool, by priority) and `ref_golden_signals` (each signal's thresholds).
The config has checked them (`fleetscope.config`: signal names, threshold order, the percent).
"""

from __future__ import annotations

import pandas as pd

from fleetscope.config import Config


def capacity_tables(config: Config) -> dict[str, pd.DataFrame]:
    """The three `ref_*` tables."""
    c = config.capacity
    labels = pd.DataFrame(
        {"priority": range(len(c.node_pool_labels)), "label_key": c.node_pool_labels},
        columns=["priority", "label_key"],
    ).astype({"priority": "int64", "label_key": "string"})
    signals = pd.DataFrame(
        [
            {
                "component": s.component,
                "signal": s.signal,
                "unit": s.unit,
                "warn_above": float(s.warn_above),
                "fail_above": float(s.fail_above),
            }
            for s in config.prometheus.golden_signals
        ],
        columns=["component", "signal", "unit", "warn_above", "fail_above"],
    ).astype(
        {
            "component": "string",
            "signal": "string",
            "unit": "string",
            "warn_above": "float64",
            "fail_above": "float64",
        }
    )
    threshold = pd.DataFrame(
        [{"requested_share_threshold_pct": float(c.requested_share_threshold_pct)}]
    )
    return {
        "ref_capacity": threshold,
        "ref_capacity_node_pool_labels": labels,
        "ref_golden_signals": signals,
    }
