"""Capacity and golden-signal settings from the config as reference tables for the GA models.

`ref_capacity` (one row: the requested-share threshold), `ref_capacity_node_pool_labels` (the
node labels naming a pool, by priority) and `ref_golden_signals` (each signal's thresholds).
"""

from __future__ import annotations

import pandas as pd

from fleetscope.config import Config
from fleetscope.errors import ConfigError

SIGNALS = ("error_ratio", "latency_p99", "saturation")


def capacity_tables(config: Config) -> dict[str, pd.DataFrame]:
    """The three `ref_*` tables; a bad threshold or signal name is a ConfigError."""
    c = config.capacity
    if not 0 < c.requested_share_threshold_pct <= 100:
        raise ConfigError("capacity.requested_share_threshold_pct: expected a percent in "
                          f"(0, 100], got {c.requested_share_threshold_pct}")
    labels = pd.DataFrame(
        {"priority": range(len(c.node_pool_labels)), "label_key": c.node_pool_labels},
        columns=["priority", "label_key"],
    ).astype({"priority": "int64", "label_key": "string"})
    signals = []
    seen: set[tuple[str, str]] = set()
    for i, s in enumerate(config.prometheus.golden_signals):
        where = f"prometheus.golden_signals[{i}]"
        if s.signal not in SIGNALS:
            raise ConfigError(f"{where}.signal: expected one of {', '.join(SIGNALS)}, "
                              f"got {s.signal!r}")
        if s.fail_above < s.warn_above:
            raise ConfigError(f"{where}.fail_above: {s.fail_above} is below warn_above "
                              f"{s.warn_above}")
        if (s.component, s.signal) in seen:
            raise ConfigError(f"{where}: {s.component} {s.signal} is configured twice")
        seen.add((s.component, s.signal))
        signals.append({"component": s.component, "signal": s.signal, "unit": s.unit,
                        "warn_above": float(s.warn_above), "fail_above": float(s.fail_above)})
    return {
        "ref_capacity": pd.DataFrame(
            [{"requested_share_threshold_pct": float(c.requested_share_threshold_pct)}]),
        "ref_capacity_node_pool_labels": labels,
        "ref_golden_signals": pd.DataFrame(
            signals, columns=["component", "signal", "unit", "warn_above", "fail_above"]
        ).astype({"component": "string", "signal": "string", "unit": "string",
                  "warn_above": "float64", "fail_above": "float64"}),
    }
