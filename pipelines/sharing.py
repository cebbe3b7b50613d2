"""Shared namespaces and cluster overhead from the config as reference tables (`ref_sharing*`)."""

from __future__ import annotations

import pandas as pd

from fleetscope.config import Config
from fleetscope.errors import ConfigError

SPLITS = ("weighted", "even")


def sharing_tables(config: Config) -> dict[str, pd.DataFrame]:
    """`ref_sharing` (one row: the split), `ref_sharing_namespaces`, `ref_sharing_overhead`.

    Empty namespaces and overhead (the default) leave every team's `shared_cost` at 0.
    """
    s = config.sharing
    if s.split not in SPLITS:
        raise ConfigError(f"sharing.split: expected one of {', '.join(SPLITS)}, got {s.split!r}")
    for cluster, rate in s.overhead_per_hour.items():
        if rate < 0:
            raise ConfigError(
                f"sharing.overhead_per_hour.{cluster}: expected a number >= 0, got {rate}"
            )
    namespaces = pd.DataFrame(
        {"namespace": sorted(set(s.namespaces))}, columns=["namespace"]
    ).astype({"namespace": "string"})
    overhead = pd.DataFrame(
        [{"cluster": c, "overhead_per_hour": r} for c, r in sorted(s.overhead_per_hour.items())],
        columns=["cluster", "overhead_per_hour"],
    ).astype({"cluster": "string", "overhead_per_hour": "float64"})
    return {
        "ref_sharing": pd.DataFrame([{"split": s.split}]),
        "ref_sharing_namespaces": namespaces,
        "ref_sharing_overhead": overhead,
    }
