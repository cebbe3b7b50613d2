"""`[[budgets]]` and `[anomalies]` as reference tables (`ref_budgets`, `ref_anomalies`)."""

from __future__ import annotations

import pandas as pd

from fleetscope.config import Config, budget_id

# Iglewicz & Hoaglin: 1.4826 x MAD estimates the standard deviation of normal data (1 / 0.6745).
MAD_SCALE = 1.4826


def alert_tables(config: Config) -> dict[str, pd.DataFrame]:
    """`ref_budgets` (one row per budget; null team/cluster = all) and `ref_anomalies` (one row
    of settings, the threshold's scale already multiplied in so that the SQL only reads)."""
    budgets = pd.DataFrame(
        [
            {
                "budget_id": budget_id(b),
                "team": b.team,
                "cluster": b.cluster,
                "monthly_budget": b.monthly,
            }
            for b in config.budgets
        ],
        columns=["budget_id", "team", "cluster", "monthly_budget"],
    ).astype(
        {"budget_id": "string", "team": "string", "cluster": "string", "monthly_budget": "float64"}
    )
    a = config.anomalies
    settings = pd.DataFrame(
        [
            {
                "k": a.k,
                "mad_scale": MAD_SCALE,
                "window_days": a.window_days,
                "min_history_days": a.min_history_days,
                "min_change_pct": a.min_change_pct,
                "min_excess": a.min_excess,
            }
        ]
    )
    return {"ref_budgets": budgets, "ref_anomalies": settings}
