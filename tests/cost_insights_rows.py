"""A small hand-made warehouse for the Cost Insights API (tests/test_cost_insights_api.py and
tests/test_backstage_contract.py), and a running server over it.

Team `payments` over R2/P3D/2026-11-01 (chart 2026-10-25 .. 10-31; previous period
10-26 .. 10-28, current 10-29 .. 10-31; see fleetscope/ops/cost_insights/intervals.py):

    day      prod-eu total (cpu = total - 4, ram 3, storage 1)   helios-a (cpu 1)
    10-24    100   (before the chart)
    10-25     50   (chart only: drawn, not compared)
    10-26     10
    10-27     10
    10-28     10   -> previous = 30
    10-29     12                                                    1
    10-30     13
    10-31     14   -> current = 12 + 13 + 14 + 1 = 40
    11-01    999   (the exclusive end: not served)

change: amount 40 - 30 = 10, ratio 10 / 30 = 0.3333.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import duckdb

from fleetscope.ops.cost_insights.server import ApiSettings, make_server

TOKEN = "s3cret-token-for-tests"
ORIGIN = "https://backstage.example.com"
PAYMENTS_PROD = {date(2026, 10, 24): 100.0, date(2026, 10, 25): 50.0, date(2026, 10, 26): 10.0,
                 date(2026, 10, 27): 10.0, date(2026, 10, 28): 10.0, date(2026, 10, 29): 12.0,
                 date(2026, 10, 30): 13.0, date(2026, 10, 31): 14.0, date(2026, 11, 1): 999.0}
ALERT_COLUMNS = ("alert_id varchar, alert_kind varchar, team varchar, app_id varchar, "
                 "cluster varchar, raised_on date, severity varchar, title varchar, "
                 "detail varchar, amount double")


def _team_rows() -> list[tuple]:
    rows = [(day, "payments", "prod-eu", total - 4, 3.0, 0.0, 1.0, total)
            for day, total in PAYMENTS_PROD.items()]
    rows.append((date(2026, 10, 29), "payments", "helios-a", 1.0, 0.0, 0.0, 0.0, 1.0))
    rows += [(date(2026, 10, 26) + timedelta(days=i), team, "prod-eu", 5.0, 0.0, 0.0, 0.0, 5.0)
             for i in range(6) for team in ("search", "__idle__", "__unallocated__")]
    return rows


def build_warehouse(path: Path, *, alerts: bool = True) -> Path:
    """The marts the API reads, with the rows above (and mart_alerts unless `alerts` is off)."""
    con = duckdb.connect(str(path))
    con.execute("create table mart_team_cost_daily (cost_date date, team varchar, "
                "cluster varchar, cpu_cost double, ram_cost double, gpu_cost double, "
                "storage_cost double, total_cost double)")
    con.executemany("insert into mart_team_cost_daily values (?, ?, ?, ?, ?, ?, ?, ?)",
                    _team_rows())
    con.execute("create table mart_app_cost_daily (cost_date date, app_id varchar, "
                "team varchar, cluster varchar, cpu_cost double, ram_cost double, "
                "gpu_cost double, total_cost double)")
    # checkout: 7 a day (cpu 5, ram 2) from 10-26 to 10-31: previous 21, current 21
    con.executemany("insert into mart_app_cost_daily values (?, 'checkout', 'payments', "
                    "'prod-eu', 5, 2, 0, 7)",
                    [(date(2026, 10, 26) + timedelta(days=i),) for i in range(6)])
    # Helios idle hosts are app `__idle__`: never a project, even under a real team's name
    con.execute("insert into mart_app_cost_daily values ('2026-10-29', '__idle__', 'payments', "
                "'helios-a', 3, 0, 0, 3)")
    if alerts:
        con.execute(f"create table mart_alerts ({ALERT_COLUMNS})")
        con.executemany("insert into mart_alerts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            ("a1", "budget", "payments", None, None, date(2026, 10, 20), "warning",
             "payments at risk of going over budget", "Forecast 13,200 for a budget of "
             "12,000.", 1200.0),
            ("a2", "budget", "__all__", None, None, date(2026, 10, 30), "critical",
             "The organisation is over budget", "Spent 101,000 of 100,000.", 1000.0),
            ("a3", "anomaly", "search", "indexer", "prod-eu", date(2026, 10, 29), "info",
             "search: indexer spiked", "CPU rose 40%.", 80.0)])
    con.close()
    return path


@contextmanager
def running_server(warehouse: Path, *, cors_origin: str = ORIGIN) -> Iterator[str]:
    """A real HTTP server on a free port in this process; yields its base URL."""
    server = make_server(ApiSettings(warehouse=warehouse, token=TOKEN, cors_origin=cors_origin),
                         "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
