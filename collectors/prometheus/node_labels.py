"""Node facts per node-hour (instance type, spot or on-demand, zone) from `kube_node_labels`.

Live, one query per window groups kube-state-metrics' `kube_node_labels` by node and the
configured label names (`[prometheus.node_labels]`) and counts its samples per hour. Each
series is resolved here to the facts the warehouse keeps: the first configured label with a
value wins, and the capacity type becomes `spot` or `on-demand` by the rule the inventory uses
(`collectors.node_facts`). The dump carries them as the optional series `node_labels`:

    {"metric": {"node": "ip-10-0-1-7", "instance_type": "m5.xlarge", "capacity_type": "spot",
                "zone": "eu-west-1a"}, "values": [[<end of hour>, "<samples in the hour>"], ...]}

Each fact label is optional (absent: not known, the inventory's fact is used). A node whose
labels change within an hour has two series in that hour; the one with more samples (the facts
that held longest) wins. A dump without the series is valid: every node-hour then takes its
facts from the inventory, as before this series existed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from fleetscope.collectors.node_facts import is_spot_value
from fleetscope.collectors.prometheus.document import labels_text, matrix
from fleetscope.config import PrometheusNodeLabels
from fleetscope.errors import InputError

SERIES = "node_labels"
FACTS = ("instance_type", "capacity_type", "zone")
CAPACITY_TYPES = ("spot", "on-demand")
COLUMNS = ("instance_type", "is_spot", "zone")  # raw_prom_node_hours columns filled here
STEP_SECONDS = 3600

Arrays = tuple[np.ndarray, np.ndarray]


def label_names(config: PrometheusNodeLabels) -> tuple[str, ...]:
    """Every configured label name once, in the order configured."""
    names = [*config.instance_type, *config.capacity_type, *config.zone]
    return tuple(dict.fromkeys(names))


def resolve(labels: dict[str, str | None], config: PrometheusNodeLabels) -> dict[str, str]:
    """The facts of one `kube_node_labels` series: the first configured label with a value."""

    def first(names: list[str]) -> tuple[str, str] | None:
        return next(((name, value) for name in names if (value := labels.get(name))), None)

    facts: dict[str, str] = {}
    if found := first(config.instance_type):
        facts["instance_type"] = found[1]
    if found := first(config.capacity_type):
        facts["capacity_type"] = "spot" if is_spot_value(*found) else "on-demand"
    if found := first(config.zone):
        facts["zone"] = found[1]
    return facts


def dump_series(
    series: dict[tuple[str | None, ...], Arrays],
    names: tuple[str, ...],
    config: PrometheusNodeLabels,
) -> list[dict[str, Any]]:
    """The dump's `node_labels` series from the live query's (node, *names) series; series
    that resolve to the same facts add their samples up."""
    merged: dict[tuple[tuple[str, str], ...], dict[float, float]] = {}
    for key, (ts, counts) in series.items():
        node, values = key[0], dict(zip(names, key[1:], strict=True))
        if not node:
            continue
        facts = tuple(sorted({"node": node, **resolve(values, config)}.items()))
        per_hour = merged.setdefault(facts, {})
        for t, count in zip(ts.tolist(), counts.tolist(), strict=True):
            per_hour[t] = per_hour.get(t, 0.0) + count
    return [
        {
            "metric": dict(facts),
            "values": (np.asarray(sorted(hours)), np.asarray([hours[t] for t in sorted(hours)])),
        }
        for facts, hours in merged.items()
    ]


def facts_frame(
    body: Any, *, where: str, start_s: float, n_hours: int, base: np.datetime64
) -> pd.DataFrame:
    """One row per node-hour seen in the `node_labels` series: hour_start, node_name and the
    facts (the series with the most samples in that hour wins)."""
    rows: dict[tuple[str, int], tuple[float, dict[str, str]]] = {}
    for position, item in enumerate(matrix(body, where)):
        metric = item.get("metric") if isinstance(item, dict) else None
        if not isinstance(metric, dict):
            raise InputError(f"{where}: data.result[{position}]: expected 'metric' and 'values'")
        node, facts = _facts(metric, f"{where}: series {labels_text(metric)}")
        for hour, count in _hours(
            item.get("values"),
            start_s=start_s,
            n_hours=n_hours,
            where=f"{where}: series {labels_text(metric)}",
        ):
            held = rows.get((node, hour))
            if held is None or (count, sorted(facts.items())) > (held[0], sorted(held[1].items())):
                rows[(node, hour)] = (count, facts)
    keys = sorted(rows)
    facts_of = [rows[key][1] for key in keys]
    capacity = [f.get("capacity_type") for f in facts_of]
    return pd.DataFrame(
        {
            "hour_start": base
            + np.asarray([h for _, h in keys], dtype=np.int64) * np.timedelta64(STEP_SECONDS, "s"),
            "node_name": pd.Series([n for n, _ in keys], dtype=object),
            "instance_type": pd.Series([f.get("instance_type") for f in facts_of], dtype=object),
            "is_spot": pd.Series(
                [None if c is None else c == "spot" for c in capacity], dtype="boolean"
            ),
            "zone": pd.Series([f.get("zone") for f in facts_of], dtype=object),
        }
    )


def with_facts(nodes: pd.DataFrame, facts: pd.DataFrame | None) -> pd.DataFrame:
    """The node-hour frame with the fact columns (NULL where Prometheus had no labels)."""
    if facts is None:
        return nodes.assign(
            instance_type=pd.Series(None, index=nodes.index, dtype=object),
            is_spot=pd.Series(pd.NA, index=nodes.index, dtype="boolean"),
            zone=pd.Series(None, index=nodes.index, dtype=object),
        )
    return nodes.merge(facts, on=["hour_start", "node_name"], how="left")


def _facts(metric: dict[str, Any], where: str) -> tuple[str, dict[str, str]]:
    node = metric.get("node")
    if not isinstance(node, str) or not node:
        raise InputError(f"{where}: label node missing or empty")
    facts = {}
    for name in FACTS:
        value = metric.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise InputError(f"{where}: label {name}: expected a string, got {value!r}")
        if name == "capacity_type":
            value = value.lower()
            if value not in CAPACITY_TYPES:
                raise InputError(
                    f"{where}: label capacity_type is {metric[name]!r}; expected "
                    "'spot' or 'on-demand'"
                )
        facts[name] = value
    return node, facts


def _hours(values: Any, *, start_s: float, n_hours: int, where: str) -> list[tuple[int, float]]:
    """(hour index in the window, samples in the hour) of each value of one series."""
    if isinstance(values, tuple):  # arrays from the live collector
        pairs = list(zip(values[0].tolist(), values[1].tolist(), strict=True))
    elif isinstance(values, list) and all(isinstance(v, list) and len(v) == 2 for v in values):
        pairs = values
    else:
        raise InputError(f"{where}: 'values' must be a list of [timestamp, \"value\"] pairs")
    out = []
    for ts, text in pairs:
        try:
            seconds, count = float(ts), float(text)
        except (TypeError, ValueError):
            raise InputError(f"{where}: value [{ts!r}, {text!r}] is not a number") from None
        if not math.isfinite(count) or count < 0:
            raise InputError(f"{where}: value {text!r} at {ts} is not a count of samples")
        offset = (seconds - start_s) / STEP_SECONDS - 1.0
        hour = round(offset)
        if abs(offset - hour) > 1e-9 or not 0 <= hour < n_hours:
            raise InputError(
                f"{where}: timestamp {ts} is not the end of an hour inside the "
                "document's [start, end) window"
            )
        out.append((hour, count))
    return out
