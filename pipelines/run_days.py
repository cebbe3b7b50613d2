"""Which days a transform recomputes, and the named parameters of a run over them.

Which days change (the `loads` table is the change log):

* a time-series load (Prometheus) changes the days its window `[window_start, window_end)` covers;
* a snapshot load collected on day S changes the days from S - 1 up to and including the day of
  the next snapshot of the same source (or the last day of data): a day's inventory is looked up
  in the snapshots from the last one taken before the day starts to the end of the next day, so
  a snapshot is seen by the day before it (pods created after the previous snapshot) and is
  carried forward until the next one;
* days past the previous run's last day of data are new and always computed;
* a bill (kind `billing`, windowed by its billing period) changes the days of its period, but
  only those inside the days the other sources observed: it never adds days of data.

The loads already processed are remembered in `state` (`transform:loads_seen`). A change of any
model's SQL or of the `ref_*` tables (prices, label keys) rebuilds everything, as does
`--full-refresh`. The whole run is one transaction: a failing model leaves the warehouse as it
was, and the error names the model file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fleetscope.warehouse import Warehouse

STATE_LOADS = "transform:loads_seen"
STATE_LAST_DAY = "transform:last_day"


@dataclass(frozen=True)
class _Load:
    load_id: str
    kind: str
    name: str
    collected_at: datetime
    window_start: datetime | None
    window_end: datetime | None
    finished_at: datetime

    def first_day(self) -> date:
        return (self.window_start or self.collected_at).date()

    def last_day(self) -> date:
        if self.window_end is not None:
            return (self.window_end - timedelta(microseconds=1)).date()
        return self.collected_at.date()


def _loads(wh: Warehouse) -> list[_Load]:
    rows = wh.con.execute(
        "select load_id, source_kind, source_name, collected_at, window_start, window_end, "
        "finished_at from loads where status = 'succeeded' "
        "order by finished_at, load_id").fetchall()
    return [_Load(*row) for row in rows]


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _affected_days(load: _Load, loads: list[_Load], last_day: date) -> set[date]:
    if load.window_start is not None:
        return set(days_between(load.first_day(), load.last_day()))
    later = [x.collected_at for x in loads
             if x.window_start is None and x.kind == load.kind and x.name == load.name
             and x.collected_at > load.collected_at]
    until = min(later).date() if later else last_day
    first = load.collected_at.date() - timedelta(days=1)
    return set(days_between(first, max(until, load.last_day())))


def changed_days(wh: Warehouse, *, full_refresh: bool) -> tuple[list[date], list[date], bool]:
    """(days to recompute, every day of data, whether this is a full rebuild)."""
    loads = _loads(wh)
    if not loads:
        return [], [], full_refresh
    # A bill's window is its billing period (a whole month, even for a month-to-date export):
    # it must not stretch the days of data, or the inventories would be carried forward into
    # costed days nobody observed (the demo's bill of November made 24-30 Nov cost 7 phantom
    # days). Its lines outside the observed days wait for the inventories that cover them.
    observed = [x for x in loads if x.kind != "billing"] or loads
    first_day = min(x.first_day() for x in observed)
    last_day = max(x.last_day() for x in observed)
    all_days = days_between(first_day, last_day)
    seen_raw = wh.get_state(STATE_LOADS)
    previous_last = wh.get_state(STATE_LAST_DAY)
    if full_refresh or seen_raw is None or previous_last is None:
        return all_days, all_days, True
    seen = json.loads(seen_raw)
    seen_at = datetime.fromisoformat(seen["finished_at"])
    seen_ids = set(seen["load_ids"])
    new = [x for x in loads if x.finished_at > seen_at
           or (x.finished_at == seen_at and x.load_id not in seen_ids)]
    days: set[date] = set()
    for load in new:
        days |= _affected_days(load, loads, last_day)
    previous = date.fromisoformat(previous_last)
    if last_day > previous:
        days |= set(days_between(previous + timedelta(days=1), last_day))
    return sorted(d for d in days if first_day <= d <= last_day), all_days, False


def loads_marker(wh: Warehouse) -> str | None:
    row = wh.con.execute("select max(finished_at) from loads where status = 'succeeded'"
                         ).fetchone()
    if row is None or row[0] is None:
        return None
    ids = [r[0] for r in wh.con.execute(
        "select load_id from loads where status = 'succeeded' and finished_at = ? "
        "order by load_id", [row[0]]).fetchall()]
    return json.dumps({"finished_at": row[0].isoformat(), "load_ids": ids})


def parameters(wh: Warehouse, days: list[date]) -> dict[str, date | datetime]:
    """The named parameters of a run over `days` (see the module docstring)."""
    first = days[0] if days else date(1970, 1, 1)
    last = days[-1] if days else first
    start = datetime.combine(first, datetime.min.time())
    row = wh.con.execute(
        "select min(snapshot_from) from (select source_name, coalesce("
        "max(case when collected_at <= ? then collected_at end), min(collected_at)) "
        "as snapshot_from from loads where source_kind = 'kubernetes' and status = 'succeeded' "
        "group by source_name) as clusters", [start]).fetchone()
    inventory_from = row[0] if row and row[0] is not None else start
    return {"first_day": first, "last_day": last, "inventory_from": inventory_from,
            "inventory_to": datetime.combine(last, datetime.min.time()) + timedelta(days=2)}


def snapshot_parameters(wh: Warehouse, days: list[date]) -> dict[str, date | datetime]:
    """`$snapshot_from` and `$latest_snapshot_from` of a run over `days` (module docstring)."""
    start = datetime.combine(days[0] if days else date(1970, 1, 1), datetime.min.time())
    row = wh.con.execute(
        "select min(case when source_kind <> 'catalog' then snapshot_from end), min(latest_at) "
        "from (select source_kind, coalesce(max(case when collected_at <= ? then collected_at "
        "end), min(collected_at)) as snapshot_from, max(collected_at) as latest_at from loads "
        "where status = 'succeeded' and window_start is null "
        "and source_kind in ('kubernetes', 'helios', 'catalog') "
        "group by source_kind, source_name) as sources", [start]).fetchone()
    return {"snapshot_from": row[0] if row and row[0] is not None else start,
            "latest_snapshot_from": row[1] if row and row[1] is not None else start}
