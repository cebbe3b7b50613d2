"""ISO weeks (`2026-W47`): parsing, their days, and which week a report covers by default."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from fleetscope.errors import FleetscopeError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """One ISO week, Monday to Sunday (UTC calendar days)."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`2026-W47` to an IsoWeek; anything else is an error naming the value."""
        match = _WEEK.match(text.strip())
        if not match:
            raise FleetscopeError(f"--week {text!r}: expected an ISO week such as 2026-W47")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise FleetscopeError(f"--week {text!r}: {year} has no week {week}") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        """The ISO week a day falls in."""
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def start(self) -> date:
        """Monday."""
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        """Sunday (inclusive)."""
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def shift(self, weeks: int) -> IsoWeek:
        """The week `weeks` weeks later (earlier when negative)."""
        return IsoWeek.of(self.start + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return self.label


def default_week(first_day: date, last_day: date) -> IsoWeek:
    """The last complete week of data; the week of the last day when no week is complete.

    A week is complete when the data reaches its Sunday; a run on a Wednesday thus reports the
    week before rather than three days of the current one.
    """
    week = IsoWeek.of(last_day)
    if last_day == week.end:
        return week
    previous = week.shift(-1)
    return previous if previous.end >= first_day else week
