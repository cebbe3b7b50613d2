"""What the demo plants for the GA-readiness page (issue 15), as day indexes of the window.

Every planted case sits near the end of the window, so the latest weekly page shows it, and
only in windows of at least `MIN_DAYS` days (a shorter demo, such as the 7-day one whose cost
and migration numbers are compared between versions, gets the healthy sources only):

- Velero: `prod-eu` and `prod-us` back up daily at 01:00 UTC; `staging-eu` has no Velero. In
  `prod-eu` the `daily-data` schedule goes bad on day `days - 10`: three PartiallyFailed
  backups, then Failed every day to the end. `prod-us` leaves two namespaces out of its schedule.
- Smoke tests: a CronJob every 4 hours per cluster; in `prod-us`, days `days - 12` to
  `days - 6` are a bad week (4 of 6 runs a day fail at the 30-minute deadline, the rest are slow).
- Capacity crunch: in `prod-eu`, days `days - 9` to `days - 7`, a load test fills the general
  pool at 09:00 and half as many pods again stay Pending for 6 hours (see `scheduling`).
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_DAYS = 14  # the shortest window with room for every planted case
VELERO_CLUSTERS = ("prod-eu", "prod-us")  # staging-eu: no Velero objects at all
FAILING_CLUSTER, FAILING_SCHEDULE = "prod-eu", "daily-data"
PARTIAL_DAYS = 3  # the failing schedule's first bad days are PartiallyFailed, then Failed
UNCOVERED_CLUSTER = "prod-us"
SMOKE_BAD_CLUSTER = "prod-us"
SMOKE_EVERY_HOURS = 4  # runs at 00:05, 04:05, ... UTC: 6 a day
SMOKE_BAD_OK = (1, 4)  # in the bad week only the day's 2nd and 5th runs succeed (2 of 6)
CRUNCH_CLUSTER = "prod-eu"
CRUNCH_DAYS = 3
CRUNCH_HOUR = 9.0  # the load test starts at 09:00 UTC
CRUNCH_RUN_HOURS = 6.0  # each load-test pod runs 6 hours; the overflow waits for the first wave


@dataclass(frozen=True)
class GaPlan:
    """Day indexes (0 = the window's first day) of the planted cases; None: not planted."""

    days: int
    failing_from: int | None
    smoke_bad: range
    crunch: range

    @classmethod
    def for_window(cls, days: int) -> GaPlan:
        if days < MIN_DAYS:
            return cls(days, None, range(0), range(0))
        return cls(
            days, days - 10, range(days - 12, days - 5), range(days - 9, days - 9 + CRUNCH_DAYS)
        )

    def backup_phase(self, cluster: str, schedule: str, day: int) -> str:
        """Velero's phase of the schedule's backup of `day`."""
        if (
            (cluster, schedule) != (FAILING_CLUSTER, FAILING_SCHEDULE)
            or self.failing_from is None
            or day < self.failing_from
        ):
            return "Completed"
        return "PartiallyFailed" if day < self.failing_from + PARTIAL_DAYS else "Failed"

    def smoke_fails(self, cluster: str, day: int, run: int) -> bool:
        return cluster == SMOKE_BAD_CLUSTER and day in self.smoke_bad and run not in SMOKE_BAD_OK

    def smoke_slow(self, cluster: str, day: int) -> bool:
        return cluster == SMOKE_BAD_CLUSTER and day in self.smoke_bad
