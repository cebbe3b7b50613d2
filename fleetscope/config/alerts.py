"""`[[budgets]]` and `[anomalies]`: the inputs of the budget, anomaly and alert marts."""

from __future__ import annotations

from dataclasses import dataclass

from fleetscope.config.fields import doc_field as _doc
from fleetscope.errors import ConfigError


@dataclass(frozen=True)
class BudgetConfig:
    monthly: float = _doc("Budget per calendar month, in the pricing currency (> 0).")
    team: str | None = _doc(
        "The team it limits; none: every team (with `cluster`, the cluster; "
        "with neither, the organisation).",
        None,
    )
    cluster: str | None = _doc("The cluster (or Helios source) it limits; none: all.", None)


@dataclass(frozen=True)
class AnomaliesConfig:
    k: float = _doc(
        "A day is anomalous when |cost - median| > k x 1.4826 x MAD of the trailing window "
        "(Iglewicz & Hoaglin's modified z-score 0.6745 (x - median) / MAD > k).",
        3.5,
    )
    window_days: int = _doc("Trailing calendar days compared with (the day itself excluded).", 28)
    min_history_days: int = _doc(
        "Days with data the trailing window needs before a day can be judged.", 14
    )
    min_change_pct: float = _doc(
        "The departure must also exceed this percent of the trailing median, so that a series "
        "whose MAD is 0 (steady cost) or a slow trend does not flag a small change.",
        20.0,
    )
    min_excess: float = _doc(
        "The departure must also exceed this amount a day, in the pricing currency, so that "
        "apps costing cents do not alert on cents.",
        10.0,
    )


def budget_id(budget: BudgetConfig) -> str:
    """`team:payments`, `cluster:prod`, `team:payments@prod` or `__all__` (the org-wide one)."""
    if budget.team and budget.cluster:
        return f"team:{budget.team}@{budget.cluster}"
    if budget.team:
        return f"team:{budget.team}"
    return f"cluster:{budget.cluster}" if budget.cluster else "__all__"


def check_alerts(budgets: list[BudgetConfig], anomalies: AnomaliesConfig, source: str) -> None:
    """Budgets are positive and each scope has one; the anomaly settings are in range."""
    seen: set[str] = set()
    for i, budget in enumerate(budgets):
        if not budget.monthly > 0:
            raise ConfigError(
                f"{source}: budgets[{i}].monthly: expected a number > 0, got {budget.monthly}"
            )
        key = budget_id(budget)
        if key in seen:
            raise ConfigError(f"{source}: budgets[{i}]: a second budget for {key}")
        seen.add(key)
    if not anomalies.k > 0:
        raise ConfigError(f"{source}: anomalies.k: expected a number > 0, got {anomalies.k}")
    if not 1 <= anomalies.min_history_days <= anomalies.window_days:
        raise ConfigError(
            f"{source}: anomalies.min_history_days: expected 1 .. window_days "
            f"({anomalies.window_days}), got {anomalies.min_history_days}"
        )
    if anomalies.min_excess < 0:
        raise ConfigError(
            f"{source}: anomalies.min_excess: expected a number >= 0, got {anomalies.min_excess}"
        )
    if anomalies.min_change_pct < 0:
        raise ConfigError(
            f"{source}: anomalies.min_change_pct: expected a percent >= 0, "
            f"got {anomalies.min_change_pct}"
        )
