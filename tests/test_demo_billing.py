"""The demo's FOCUS bill is consistent with the simulation it bills (fleetscope/demo/billing.py).

Checked with the `csv` module against the simulation and the Prometheus series the demo writes,
not against the bill writer's own helpers.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from fleetscope.demo.billing import write_bill
from fleetscope.demo.cluster import simulate
from fleetscope.demo.metrics import node_rows
from fleetscope.demo.org import build_org

START, DAYS, SEED = date(2026, 11, 24), 7, 7  # Tue 24 Nov to Mon 30 Nov: one billing month


@pytest.fixture(scope="module")
def bill(tmp_path_factory):  # type: ignore[no-untyped-def]
    org = build_org(SEED, DAYS, first_weekday=START.weekday())
    sim = simulate(org, SEED)
    written = write_bill(tmp_path_factory.mktemp("bill"), sim, start=START, days=DAYS,
                         seed=SEED, snapshot_hour=23.5)
    assert [month for _, month in written] == [date(2026, 11, 1)]
    with Path(written[0][0]).open(newline="", encoding="utf-8") as handle:
        return sim, list(csv.DictReader(handle))


def test_each_instance_is_billed_for_the_hours_prometheus_sees_it(bill) -> None:  # type: ignore[no-untyped-def]
    sim, rows = bill
    billed: dict[str, float] = defaultdict(float)
    for row in rows:
        if row["ResourceType"] == "Instance":
            billed[row["ResourceId"].rsplit("/", 1)[-1]] += float(row["ConsumedQuantity"])
    for nodes in sim.nodes.values():
        series = node_rows(nodes, DAYS * 24)
        present = np.bincount(series.instance, weights=series.values["node_present_fraction"],
                              minlength=len(nodes))
        for node, hours in zip(nodes, present, strict=True):
            # node_present_fraction is rounded to 4 decimals per hour
            assert billed[node.provider_id.rsplit("/", 1)[-1]] == pytest.approx(hours, abs=1e-3)


def test_pricing_categories_and_the_monthly_lines(bill) -> None:  # type: ignore[no-untyped-def]
    _, rows = bill
    usage_billed = purchase = 0.0
    for row in rows:
        billed, effective = float(row["BilledCost"]), float(row["EffectiveCost"])
        if row["PricingCategory"] == "Committed":  # covered by the savings plan: 28% off list
            assert billed == 0 and effective == pytest.approx(0.72 * float(row["ListCost"]))
            purchase += effective
        elif row["PricingCategory"] == "Dynamic":  # spot: 35% of list
            assert billed == effective == pytest.approx(0.35 * float(row["ListCost"]))
        if row["ChargeCategory"] == "Usage":
            usage_billed += billed
    monthly = {row["ChargeCategory"]: row for row in rows if row["ChargeFrequency"] == "Recurring"}
    assert set(monthly) == {"Purchase", "Tax", "Credit"}
    assert float(monthly["Purchase"]["BilledCost"]) == pytest.approx(purchase)
    assert float(monthly["Purchase"]["EffectiveCost"]) == 0  # amortized into the usage lines
    assert float(monthly["Tax"]["BilledCost"]) == pytest.approx(
        0.05 * (usage_billed + purchase), abs=0.01)
    assert float(monthly["Credit"]["BilledCost"]) == -250
    # Untagged lines say NULL, as AWS's export does; tagged ones carry a JSON object.
    tags = [row["Tags"] for row in rows if row["ServiceName"].startswith("Amazon Relational")]
    assert tags and all(t.startswith('{"team": ') for t in tags)
    assert {row["Tags"] for row in rows if row["ServiceName"] == "AmazonCloudWatch"} == {"NULL"}
