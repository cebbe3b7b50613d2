"""Bill lines into a test warehouse through the Warehouse's own load API.

A stand-in for `fleetscope collect billing` (the FOCUS reader/loader) in the reconciliation tests:
one load per source and billing period, as the loader writes them, so a test can switch to the
CLI later without changing its numbers. Lines are dicts in raw_billing_lines' snake-case columns;
what a line leaves out gets a plain default below.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pandas as pd

from fleetscope.warehouse import LoadBatch, Warehouse, Window

_DEFAULTS: dict[str, Any] = {
    "charge_category": "Usage",
    "charge_class": None,
    "provider": "AWS",
    "billing_account_id": "111122223333",
    "sub_account_id": "111122223333",
    "service_name": None,
    "service_category": None,
    "resource_id": None,
    "resource_type": None,
    "region_id": "us-east-1",
    "sku_id": None,
    "pricing_category": "Standard",
    "commitment_discount_id": None,
    "list_cost": None,
    "contracted_cost": None,
    "billing_currency": "USD",
    "tags": None,
}


def bill_frame(lines: list[dict[str, Any]], period: tuple[datetime, datetime]) -> pd.DataFrame:
    rows = []
    for number, line in enumerate(lines, start=2):  # line 1 is the CSV header
        row = {**_DEFAULTS, **line}
        if isinstance(row["tags"], dict):
            row["tags"] = json.dumps(row["tags"])
        row.setdefault("billed_cost", row["effective_cost"])
        rows.append(
            {
                **row,
                "billing_period_start": period[0],
                "billing_period_end": period[1],
                "file_name": "bill.csv",
                "line_number": number,
            }
        )
    return pd.DataFrame(rows)


def load_bill(
    wh: Warehouse,
    lines: list[dict[str, Any]],
    period: tuple[datetime, datetime],
    source: str = "aws-cur",
    collected_at: datetime | None = None,
) -> None:
    """One billing period of one source, replacing an earlier load of the same period."""
    wh.load(
        LoadBatch(
            "billing",
            source,
            collected_at or period[1],
            {"raw_billing_lines": bill_frame(lines, period)},
            window=Window(period[0], period[1], "billing_period_start"),
        )
    )
