"""The completion forecast (Theil-Sen over 8 weeks) against dates worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from fleetscope.pipelines.runner import discover_models

AS_OF = date(2026, 10, 5)


def _daily(team: str, values: dict[date, float], in_scope: int = 10) -> list[dict]:
    return [{"status_date": day, "team": team, "migrated_pct": pct,
             "count_apps_in_scope": in_scope} for day, pct in values.items()]


def _last_days(*values: float) -> dict[date, float]:
    """Values for the days ending on AS_OF."""
    return {AS_OF - timedelta(days=len(values) - 1 - i): v for i, v in enumerate(values)}


@pytest.fixture
def forecast(warehouse):
    rows = (
        # payments: 10, 12, 14, 40 (an outlier), 18 on the last five days, and 95 on the day
        # just outside the 56-day window (ignored).
        _daily("payments", {AS_OF - timedelta(days=56): 95.0, **_last_days(10, 12, 14, 40, 18)})
        + _daily("search", _last_days(50, 50, 40, 40, 40))
        + _daily("flat", _last_days(30, 30, 30))
        + _daily("done", _last_days(90, 100))
        + _daily("natives", _last_days(0, 0), in_scope=0)
        + _daily("new", _last_days(20))
    )
    warehouse.replace_reference_table("mart_migration_daily", pd.DataFrame(rows))
    model = next(m for m in discover_models() if m.name == "mart_migration_forecast")
    warehouse.replace_table_for_dates(model.name, model.sql, [AS_OF])
    out = warehouse.con.execute(
        "select team, forecast_status, forecast_completion_date, slope_pct_per_day, "
        "fitted_pct, count_days from mart_migration_forecast where as_of_date = ?",
        [AS_OF]).fetchall()
    return {row[0]: row[1:] for row in out}


def test_completion_date_worked_out_by_hand(forecast):
    # Offsets -4..0, pct 10 12 14 40 18. The ten pairwise slopes: 2 2 10 2 | 2 14 2 | 26 2 | -22;
    # sorted -22 2 2 2 2 2 2 10 14 26, median 2 %/day. Intercepts pct - 2 x offset: 18 18 18
    # 42 18, median 18. 100 % is reached (100 - 18) / 2 = 41 days after 2026-10-05: 2026-11-15.
    # (A least-squares line would be pulled up by the outlier.)
    status, completion, slope, fitted, days = forecast["payments"]
    assert (status, completion, days) == ("on_track", date(2026, 11, 15), 5)
    assert slope == pytest.approx(2.0)
    assert fitted == pytest.approx(18.0)


def test_falling_or_flat_trend_is_no_progress(forecast):
    # search: slopes 0 -5 -10/3 -2.5 -10 -5 -10/3 0 0 0 -> median (-10/3 - 2.5) / 2 < 0
    assert forecast["search"][:2] == ("no_progress", None)
    assert forecast["search"][2] == pytest.approx((-10 / 3 - 2.5) / 2)
    assert forecast["flat"][:3] == ("no_progress", None, 0.0)


def test_complete_empty_and_single_day_teams(forecast):
    assert forecast["done"][:2] == ("complete", AS_OF)
    assert forecast["natives"][:2] == ("no_scope", None)
    assert forecast["new"][:2] == ("insufficient_data", None)


def test_capacity_percent_stays_within_bounds_in_floating_point(warehouse):
    """100 x k / k need not be 100 in floating point (99.99999999999999 for k = 20.6 + 0.1 +
    0.2; the demo had 100.00000000000001); the mart divides first."""
    rows = [{"status_date": AS_OF, "app_id": f"a{i}", "team": "t", "status": "migrated",
             "is_on_kubernetes": True, "is_on_helios": False, "kubernetes_cpu_cores": cpu,
             "helios_cpu_cores": 0.0} for i, cpu in enumerate((20.6, 0.1, 0.2))]
    warehouse.replace_reference_table("mart_app_migration_status", pd.DataFrame(rows))
    model = next(m for m in discover_models() if m.name == "mart_migration_daily")
    warehouse.replace_table_for_dates(model.name, model.sql, [AS_OF])
    pct = warehouse.con.execute("select list(migrated_capacity_pct) from mart_migration_daily"
                                ).fetchone()[0]
    assert pct == [100.0, 100.0]
