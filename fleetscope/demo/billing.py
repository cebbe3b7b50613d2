"""The demo's cloud bill: one FOCUS 1.2 CSV per calendar month, consistent with its simulation.

Written as an AWS Data Export in FOCUS 1.2 would be (the string `NULL` for a missing value, `Tags`
as JSON text), with daily charge periods. What it holds, and why the bill and fleetscope's
list-price model differ (the gap the reconciliation explains):

- one Usage line per EC2 instance and day, for the hours the node existed (the same hours its
  Prometheus series cover), at the instance type's on-demand list price, which is above the
  OpenCost default rates fleetscope models (a c6i.4xlarge lists at 0.68 an hour; at the
  default rates it is 16 x 0.031611 + 32 x 0.004237 = 0.6414);
- a Compute Savings Plan covers the `general` pool of prod-eu and prod-us: those lines are
  billed 0 and cost `SAVINGS_PLAN_RATE` x list effectively (amortized), and the plan's monthly fee
  is a Purchase line, which reaches no team;
- spot nodes are billed at their spot price, `SPOT_RATE` x list;
- one Usage line per EBS gp3 volume and day it is bound (the days it is in the inventory
  snapshot), at 0.08 per GiB-month, twice OpenCost's default storage rate;
- managed services outside Kubernetes: an RDS database per team of every other team, tagged
  with the team; S3 and CloudWatch, untagged;
- per month, a Tax line and a Credit line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from fleetscope.demo.model import REGIONS, Pool, Simulation, volume_handle

ACCOUNT = "123456789012"
LIST_PRICES = {  # AWS on-demand, USD per hour (us-east-1 list prices)
    "c6i.4xlarge": 0.68, "r6i.2xlarge": 0.504, "m6i.2xlarge": 0.384, "m6i.xlarge": 0.192,
    "g4dn.xlarge": 0.526,
}
SAVINGS_PLAN_RATE = 0.72          # effective cost / list under the Compute Savings Plan
SAVINGS_PLAN_POOLS = {("prod-eu", "general"), ("prod-us", "general")}
SPOT_RATE = 0.35                  # spot price / list
GP3_PER_GIB_MONTH = 0.08
HOURS_PER_MONTH = 730.0
TAX_RATE = 0.05                   # of the month's billed usage
MONTHLY_CREDIT = -250.0
SAVINGS_PLAN_ARN = f"arn:aws:savingsplans::{ACCOUNT}:savingsplan/demo-compute-sp"

COLUMNS = (
    "BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
    "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd",
    "ChargePeriodStart", "CommitmentDiscountId", "ConsumedQuantity", "ConsumedUnit",
    "EffectiveCost", "ListCost", "PricingCategory", "ProviderName", "RegionId", "ResourceId",
    "ResourceType", "ServiceCategory", "ServiceName", "SubAccountId", "Tags",
)


def statefulset_volumes(sim: Simulation, cluster: str) -> Iterator[tuple[str, float, float,
                                                                         float]]:
    """(PV name, GiB, first hour, end hour) of each volume the cluster's StatefulSets bind, as
    objects._statefulset_objects names and sizes them."""
    for unit in sim.units[cluster]:
        app = unit.app
        if app.kind != "StatefulSet":
            continue
        replicas = 1 if cluster == "staging-eu" else app.replicas
        size = max(20, round((app.memory_request or 2**30) / 2**30 * 10))
        for r in range(replicas):
            yield f"pvc-{unit.uid[:-4]}{r:04d}", float(size), unit.start, unit.end


def write_bill(folder: Path, sim: Simulation, *, start: date, days: int, seed: int,
               snapshot_hour: float) -> list[tuple[Path, date]]:
    """Write one CSV per billing month touched by the window; returns (path, month start)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines: dict[date, list[dict[str, object]]] = {}
    for line in _lines(sim, start, days, seed, snapshot_hour):
        period_start = line["ChargePeriodStart"]
        assert isinstance(period_start, datetime)
        lines.setdefault(_month(period_start), []).append(line)
    written = []
    for month, rows in sorted(lines.items()):
        rows.extend(_monthly_lines(month, rows))
        path = folder / f"focus-{month:%Y-%m}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
            out.writerow(COLUMNS)
            for row in rows:
                out.writerow([_cell(row.get(c)) for c in COLUMNS])
        written.append((path, month))
    return written


def _month(at: datetime) -> date:
    return date(at.year, at.month, 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _cell(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%dT%H:%M:%SZ}"
    if isinstance(value, float):
        return f"{value:.10f}"
    return str(value)


def _base(day: datetime, *, category: str = "Usage") -> dict[str, object]:
    month = _month(day)
    return {"BillingAccountId": ACCOUNT, "BillingCurrency": "USD", "SubAccountId": ACCOUNT,
            "BillingPeriodStart": datetime(month.year, month.month, 1),
            "BillingPeriodEnd": datetime(*_next_month(month).timetuple()[:3]),
            "ChargeCategory": category, "ChargePeriodStart": day,
            "ChargePeriodEnd": day + timedelta(days=1), "ProviderName": "AWS",
            "ChargeFrequency": "Usage-Based"}


def _lines(sim: Simulation, start: date, days: int, seed: int,
           snapshot_hour: float) -> Iterator[dict[str, object]]:
    origin = datetime(start.year, start.month, start.day)
    hours = 24.0 * days
    for cluster, nodes in sim.nodes.items():
        region = REGIONS[cluster]
        for node in nodes:
            instance = node.provider_id.rsplit("/", 1)[-1]
            for day in range(days):
                used = min(24.0 * (day + 1), hours) - max(24.0 * day, node.created)
                if used > 0:
                    yield _node_line(origin + timedelta(days=day), cluster, region, node.pool,
                                     instance, used)
        for pv, gib, first, end in statefulset_volumes(sim, cluster):
            for day in range(days):
                at = 24.0 * day + snapshot_hour
                if first <= at < end:
                    yield _volume_line(origin + timedelta(days=day), region, pv, gib)
    yield from _service_lines(sim, origin, days, seed)


def _node_line(day: datetime, cluster: str, region: str, pool: Pool, instance: str,
               hours: float) -> dict[str, object]:
    price = LIST_PRICES[pool.instance_type]
    listed = price * hours
    line = {**_base(day), "ResourceId": f"arn:aws:ec2:{region}:{ACCOUNT}:instance/{instance}",
            "ResourceType": "Instance", "ServiceCategory": "Compute",
            "ServiceName": "Amazon Elastic Compute Cloud", "RegionId": region,
            "ConsumedQuantity": hours, "ConsumedUnit": "Hours", "ListCost": listed,
            "ChargeDescription": f"{pool.instance_type} {'Spot' if pool.spot else 'On Demand'}"}
    if pool.spot:
        cost = SPOT_RATE * listed
        return {**line, "PricingCategory": "Dynamic", "BilledCost": cost, "EffectiveCost": cost}
    if (cluster, pool.name) in SAVINGS_PLAN_POOLS:
        return {**line, "PricingCategory": "Committed", "CommitmentDiscountId": SAVINGS_PLAN_ARN,
                "BilledCost": 0.0, "EffectiveCost": SAVINGS_PLAN_RATE * listed}
    return {**line, "PricingCategory": "Standard", "BilledCost": listed, "EffectiveCost": listed}


def _volume_line(day: datetime, region: str, pv: str, gib: float) -> dict[str, object]:
    cost = gib * GP3_PER_GIB_MONTH / HOURS_PER_MONTH * 24.0
    return {**_base(day), "ResourceType": "Volume", "ServiceCategory": "Storage",
            "ResourceId": f"arn:aws:ec2:{region}:{ACCOUNT}:volume/{volume_handle(pv)}",
            "ServiceName": "Amazon Elastic Compute Cloud", "RegionId": region,
            "ChargeDescription": "EBS gp3 storage", "ConsumedQuantity": gib * 24.0,
            "ConsumedUnit": "GiB-Hours", "PricingCategory": "Standard", "ListCost": cost,
            "BilledCost": cost, "EffectiveCost": cost}


def _service_lines(sim: Simulation, origin: datetime, days: int,
                   seed: int) -> Iterator[dict[str, object]]:
    rng = np.random.default_rng([seed, 7])
    teams = sorted(sim.org.teams)
    databases = {team: float(rng.uniform(8.0, 40.0)) for team in teams[::2]}
    for day in range(days):
        at = origin + timedelta(days=day)
        for team, daily in databases.items():
            cost = round(daily * float(rng.uniform(0.9, 1.1)), 4)
            yield {**_base(at), "ServiceName": "Amazon Relational Database Service",
                   "ServiceCategory": "Databases", "RegionId": "eu-west-1",
                   "ResourceId": f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:{team}-main",
                   "ResourceType": "DB Instance", "PricingCategory": "Standard",
                   "Tags": json.dumps({"team": team, "env": "prod"}), "ListCost": cost,
                   "BilledCost": cost, "EffectiveCost": cost}
        for service, category, mean in (("Amazon Simple Storage Service", "Storage", 55.0),
                                        ("AmazonCloudWatch", "Management and Governance", 18.0)):
            cost = round(mean * float(rng.uniform(0.85, 1.15)), 4)
            yield {**_base(at), "ServiceName": service, "ServiceCategory": category,
                   "RegionId": "us-east-1", "PricingCategory": "Standard", "ListCost": cost,
                   "BilledCost": cost, "EffectiveCost": cost}


def _money(value: object) -> float:
    assert isinstance(value, float | int)
    return float(value)


def _monthly_lines(month: date, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    first = datetime(month.year, month.month, 1)
    whole: dict[str, object] = {
        "ChargePeriodStart": first,
        "ChargePeriodEnd": datetime(*_next_month(month).timetuple()[:3]),
        "ChargeFrequency": "Recurring", "ServiceCategory": "Other"}
    billed = sum(_money(r["BilledCost"]) for r in rows)
    committed = sum(_money(r["EffectiveCost"]) for r in rows if r.get("CommitmentDiscountId"))
    tax = round(TAX_RATE * (billed + committed), 2)
    return [
        # The plan's fee, amortized into the covered lines' EffectiveCost above
        {**_base(first, category="Purchase"), **whole, "ServiceName": "Savings Plans for AWS "
         "Compute usage", "CommitmentDiscountId": SAVINGS_PLAN_ARN, "BilledCost": committed,
         "EffectiveCost": 0.0, "ChargeDescription": "Compute Savings Plan monthly fee"},
        {**_base(first, category="Tax"), **whole, "ServiceName": "Tax", "BilledCost": tax,
         "EffectiveCost": tax, "ChargeDescription": "Sales tax"},
        {**_base(first, category="Credit"), **whole, "ServiceName": "AWS Credits",
         "BilledCost": MONTHLY_CREDIT, "EffectiveCost": MONTHLY_CREDIT,
         "ChargeDescription": "Migration Acceleration Program credit"},
    ]
