"""The Cost Insights plugin's repeating intervals (`R2/P30D/2026-11-01`), with its own dates.

Copied from @backstage/plugin-cost-insights 0.11.32, `src/utils/duration.ts`
(`exclusiveEndDateOf`, `inclusiveEndDateOf`, `inclusiveStartDateOf`, `intervalsOf`) and
`src/utils/change.ts` (`getPreviousPeriodTotalCost`):

- the date in `R2/P30D/2026-11-01` is the EXCLUSIVE end (`intervalsOf` writes
  `exclusiveEndDateOf(duration, lastCompleteBillingDate)`, the day after the last billed day);
- the chart starts at `inclusiveStartDateOf` = inclusive end minus twice the duration, so
  R2/P30D/2026-11-01 covers 2026-09-01 .. 2026-10-31: 61 days, not 60;
- its previous period is the first `duration` from that start (`getPreviousPeriodTotalCost`:
  the days before start + P30D = 2026-10-01), which leaves 31 days in the current one.

Comparing 31 days with 30 would show a flat cost as +3.3% growth (+33% over P3D). So fleetscope
returns the plugin's chart range (its charts and sums see the days they expect) but `change`
compares two equal, back-to-back periods: the last `duration` (2026-10-02 .. 2026-10-31) and the
`duration` just before it (2026-09-02 .. 2026-10-01); the chart's first day is drawn, not compared.
P3M works the same with the plugin's quarters (`quarterEndDate`): the chart holds three quarters,
the change compares the last two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from fleetscope.errors import InputError

# The plugin's own pattern (`parseIntervals` in its example client), anchored, with the count.
_PATTERN = re.compile(r"^R(?P<count>\d+)/P(?P<n>\d+)(?P<unit>[DM])/(?P<end>\d{4}-\d{2}-\d{2})$")
MAX_DAYS = 366 * 2 + 1  # the longest range served (two years): bounds a request's work


@dataclass(frozen=True)
class Periods:
    """The days a `Cost` covers and the two periods its `change` compares (inclusive dates)."""

    start: date  # first day of the chart
    end: date  # last day of the chart and of the current period (inclusive)
    previous_start: date  # the previous period: as long as the current one, just before it
    previous_end: date
    current_start: date  # first day of the current period

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _minus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)  # only called with first days of quarters


def _quarter_periods(exclusive_end: date) -> Periods:
    # duration.ts: the plugin's inclusive end is quarterEndDate(d): d itself when d ends a
    # quarter, else the last day of the quarter before d's; the chart starts at that quarter's
    # start minus 2 x P3M.
    if _quarter_start(exclusive_end + timedelta(days=1)) == exclusive_end + timedelta(days=1):
        inclusive_end = exclusive_end
    else:
        inclusive_end = _quarter_start(exclusive_end) - timedelta(days=1)
    last_quarter = _quarter_start(inclusive_end)
    return Periods(start=_minus_months(last_quarter, 6), end=inclusive_end,
                   previous_start=_minus_months(last_quarter, 3),
                   previous_end=last_quarter - timedelta(days=1), current_start=last_quarter)


def parse_intervals(text: str) -> Periods:
    """`R2/P<n>D/<exclusive end>` or `R2/P3M/<exclusive end>` to the plugin's dates."""
    match = _PATTERN.match(text or "")
    if match is None:
        raise InputError(f"intervals {text!r} is not an ISO 8601 repeating interval such as "
                         "R2/P30D/2026-11-01")
    try:
        exclusive_end = date.fromisoformat(match["end"])
    except ValueError:
        raise InputError(f"intervals {text!r}: {match['end']} is not a date") from None
    count, n = int(match["count"]), int(match["n"])
    if count != 2:  # inclusiveStartDateOf assumes two intervals; so does every caller
        raise InputError(f"intervals {text!r}: only R2 (two periods) is supported")
    if match["unit"] == "M":
        if n != 3:
            raise InputError(f"intervals {text!r}: months only as P3M (a quarter)")
        return _quarter_periods(exclusive_end)
    if not 1 <= n <= MAX_DAYS // 2:
        raise InputError(f"intervals {text!r}: P{n}D is out of range (1 .. {MAX_DAYS // 2})")
    end = exclusive_end - timedelta(days=1)
    start = end - timedelta(days=2 * n)
    current_start = end - timedelta(days=n - 1)
    return Periods(start=start, end=end, previous_start=current_start - timedelta(days=n),
                   previous_end=current_start - timedelta(days=1), current_start=current_start)
