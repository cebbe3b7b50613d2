"""GA readiness thresholds from the config as `ref_ga_thresholds`, joined by `mart_ga_readiness`.

One row per check: its unit, whether higher values are worse (`max`: a value above
`warn_threshold` warns, above `fail_threshold` fails) or better (`min`: below them), and the two
limits. The integration-signal checks carry their own thresholds (`ref_golden_signals`).
"""

from __future__ import annotations

import pandas as pd

from fleetscope.config import Config

COLUMNS = ["check_name", "unit", "direction", "warn_threshold", "fail_threshold"]


def ga_tables(config: Config) -> dict[str, pd.DataFrame]:
    """`ref_ga_thresholds`."""
    ga = config.ga
    share = config.capacity.requested_share_threshold_pct
    rows = [
        ("backups.last_completed_age_hours", "hours", "max",
         ga.backup_age_warn_hours, ga.backup_age_fail_hours),
        ("backups.namespaces_uncovered", "namespaces", "max",
         ga.uncovered_namespaces_warn, ga.uncovered_namespaces_fail),
        ("backups.failed", "backups", "max", ga.failed_backups_warn, ga.failed_backups_fail),
        ("smoke.success_rate", "ratio", "min",
         ga.smoke_success_rate_warn, ga.smoke_success_rate_fail),
        ("smoke.hours_since_last_success", "hours", "max",
         ga.smoke_hours_since_success_warn, ga.smoke_hours_since_success_fail),
        ("capacity.requested_share_pct", "percent", "max",
         share - ga.capacity_warn_margin_pct, share),
        ("capacity.days_to_threshold", "days", "min",
         ga.days_to_threshold_warn, ga.days_to_threshold_fail),
        ("scheduling.schedule_seconds_p95", "seconds", "max",
         ga.schedule_p95_warn_seconds, ga.schedule_p95_fail_seconds),
        ("scheduling.count_pods_unschedulable", "pods", "max",
         ga.unschedulable_pods_warn, ga.unschedulable_pods_fail),
        ("dirt.days_since_last_exercise", "days", "max", ga.dirt_days_warn, ga.dirt_days_fail),
        # The last exercise's outcome as a score: pass 1, partial 0.5 (warn), fail 0 (fail).
        ("dirt.last_outcome", "score", "min", 1.0, 0.5),
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS).astype({
        "check_name": "string", "unit": "string", "direction": "string",
        "warn_threshold": "float64", "fail_threshold": "float64"})
    return {"ref_ga_thresholds": frame}
