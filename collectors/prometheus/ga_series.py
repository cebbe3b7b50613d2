"""Scheduling per pod and integration components' golden signals: the dump's optional series.

Live, per hour (`[1h] offset 1ms`, as `queries` explains), from kube-state-metrics:
- pod_created_time: `max by (namespace, pod) (max_over_time(kube_pod_created[...]))`, unix s;
- pod_scheduled_time: the same of `kube_pod_status_scheduled_time` (exists once scheduled);
- pod_pending_fraction: `sum_over_time(kube_pod_status_phase{phase="Pending"}[...])` / samples
  per hour of kube-state-metrics (the scrape interval learnt on the running series, or
  `prometheus.scrape_interval_seconds`): a pod Pending 15 minutes of 1-minute samples has
  15 / 60 = 0.25 (the mean while present would say 0.5 for a pod that appeared at :30);
- pod_unschedulable: `max_over_time(kube_pod_status_unschedulable[...])`, 1 or 0;
- golden_signals: each `[[prometheus.golden_signals]]` query, the worst (highest) series per
  hour, as `{"component": ..., "signal": ...}`.

The dump holds them as `query_range` bodies like the usage series:

    "pod_created_time": {... "result": [{"metric": {"namespace": "shop", "pod": "api-1"},
                                         "values": [[1793577600, "1793574000"], ...]}]}

Every one is optional: a dump without them (written before they existed) is valid and loads
no scheduling or golden-signal rows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from fleetscope.collectors.prometheus.document import labels_text, matrix
from fleetscope.config import PrometheusConfig
from fleetscope.errors import InputError

POD_SERIES = {  # dump series -> raw_prom_pod_scheduling column
    "pod_created_time": "created_at",
    "pod_scheduled_time": "scheduled_at",
    "pod_pending_fraction": "pending_hours",
    "pod_unschedulable": "is_unschedulable",
}
SIGNALS = "golden_signals"
SERIES = (*POD_SERIES, SIGNALS)
STEP_SECONDS = 3600
_TIMES = {"created_at", "scheduled_at"}

Arrays = tuple[np.ndarray, np.ndarray]


def queries(config: PrometheusConfig) -> list[tuple[str, str, str]]:
    """(name, kind, PromQL template) of the pod queries (`{ns}`: namespace matcher) and of
    each golden signal (`signal:<index>`)."""
    lb = config.labels
    k = f"{lb.namespace}, {lb.pod}"
    named = f'{lb.pod}!=""'

    def per_hour(outer: str, inner: str, metric: str, selector: str) -> str:
        return f"{outer} by ({k}) ({inner}_over_time({metric}{{{selector}{{ns}}}}[1h] offset 1ms))"

    pods = [
        ("pod_created", per_hour("max", "max", "kube_pod_created", named)),
        ("pod_scheduled", per_hour("max", "max", "kube_pod_status_scheduled_time", named)),
        ("pod_pending", per_hour("sum", "sum", "kube_pod_status_phase", 'phase="Pending"')),
        ("pod_unschedulable", per_hour("max", "max", "kube_pod_status_unschedulable", named)),
    ]
    signals = [(f"signal:{i}", "signal", s.query) for i, s in enumerate(config.golden_signals)]
    return [(name, "pod", q) for name, q in pods] + signals


def dump_series(
    merged: dict[str, dict[tuple[str | None, ...], Arrays]],
    config: PrometheusConfig,
    samples_per_hour: float,
) -> dict[str, Any]:
    """The optional series of the dump from the live queries' arrays (keyed (namespace, pod),
    signals by their position in the config)."""

    def body(result: list[dict[str, Any]]) -> dict[str, Any]:
        return {"status": "success", "data": {"resultType": "matrix", "result": result}}

    def pods(name: str, scale: float = 1.0) -> dict[str, Any]:
        return body(
            [
                {"metric": {"namespace": ns, "pod": pod}, "values": (ts, values / scale)}
                for (ns, pod), (ts, values) in merged[name].items()
                if ns and pod
            ]
        )

    out = {
        "pod_created_time": pods("pod_created"),
        "pod_scheduled_time": pods("pod_scheduled"),
        "pod_pending_fraction": pods("pod_pending", samples_per_hour),
        "pod_unschedulable": pods("pod_unschedulable"),
    }
    signals = []
    for i, signal in enumerate(config.golden_signals):
        worst = _worst(list(merged.get(f"signal:{i}", {}).values()))
        if worst is not None:
            signals.append(
                {
                    "metric": {"component": signal.component, "signal": signal.signal},
                    "values": worst,
                }
            )
    out[SIGNALS] = body(signals)
    return out


def _worst(series: list[Arrays]) -> Arrays | None:
    """The highest value per hour over several series (NaN hours, e.g. 0/0, dropped)."""
    hours: dict[float, float] = {}
    for ts, values in series:
        for t, v in zip(ts.tolist(), values.tolist(), strict=True):
            if math.isfinite(v):
                hours[t] = max(v, hours.get(t, -math.inf))
    if not hours:
        return None
    ts_sorted = sorted(hours)
    return np.asarray(ts_sorted), np.asarray([hours[t] for t in ts_sorted])


def frames(
    results: dict[str, Any], *, origin: str, start_s: float, n_hours: int, base: np.datetime64
) -> dict[str, pd.DataFrame]:
    """`raw_prom_pod_scheduling` and `raw_prom_golden_signals` rows of a dump, for the tables
    whose series it has (none: nothing loaded, nothing replaced)."""
    out = {}
    if any(name in results for name in POD_SERIES):
        out["raw_prom_pod_scheduling"] = _pod_frame(results, origin, start_s, n_hours, base)
    if SIGNALS in results:
        out["raw_prom_golden_signals"] = _signal_frame(
            results[SIGNALS], origin, start_s, n_hours, base
        )
    return out


def _pod_frame(
    results: dict[str, Any], origin: str, start_s: float, n_hours: int, base: np.datetime64
) -> pd.DataFrame:
    rows: dict[tuple[str, str, int], dict[str, Any]] = {}
    for name, target in POD_SERIES.items():
        if name not in results:
            continue
        for metric, hour, value in _samples(
            results[name], ("namespace", "pod"), f"{origin}: series '{name}'", start_s, n_hours
        ):
            if target == "pending_hours" and value > 1 + 1e-6:
                raise InputError(
                    f"{origin}: series '{name}': series {labels_text(metric)}: "
                    f"value {value!r} is a fraction above 1"
                )
            row = rows.setdefault((metric["namespace"], metric["pod"], hour), {})
            row[target] = max(value, row.get(target, value))
    keys = sorted(rows)

    def column(name: str) -> list[Any]:
        return [rows[key].get(name) for key in keys]

    def times(name: str) -> pd.Series:
        return pd.to_datetime(pd.Series(column(name), dtype="float64"), unit="s")

    return pd.DataFrame(
        {
            "hour_start": _hour_starts(base, [h for _, _, h in keys]),
            "namespace": pd.Series([k[0] for k in keys], dtype=object),
            "pod_name": pd.Series([k[1] for k in keys], dtype=object),
            "created_at": times("created_at"),
            "scheduled_at": times("scheduled_at"),
            "pending_hours": pd.Series(
                [None if v is None else min(v, 1.0) for v in column("pending_hours")],
                dtype="float64",
            ),
            "is_unschedulable": pd.Series(
                [None if v is None else v > 0 for v in column("is_unschedulable")], dtype="boolean"
            ),
        }
    )


def _signal_frame(
    body: Any, origin: str, start_s: float, n_hours: int, base: np.datetime64
) -> pd.DataFrame:
    rows: dict[tuple[str, str, int], float] = {}
    where = f"{origin}: series '{SIGNALS}'"
    for metric, hour, value in _samples(body, ("component", "signal"), where, start_s, n_hours):
        key = (metric["component"], metric["signal"], hour)
        rows[key] = max(value, rows.get(key, value))
    keys = sorted(rows)
    return pd.DataFrame(
        {
            "hour_start": _hour_starts(base, [h for _, _, h in keys]),
            "component": pd.Series([k[0] for k in keys], dtype=object),
            "signal": pd.Series([k[1] for k in keys], dtype=object),
            "value": pd.Series([rows[k] for k in keys], dtype="float64"),
        }
    )


def _hour_starts(base: np.datetime64, hours: list[int]) -> np.ndarray:
    return base + np.asarray(hours, dtype=np.int64) * np.timedelta64(STEP_SECONDS, "s")


def _samples(
    body: Any, labels: tuple[str, str], where: str, start_s: float, n_hours: int
) -> list[tuple[dict[str, Any], int, float]]:
    """(metric, hour index, value) of every sample; bad labels, values or times: InputError."""
    out = []
    for position, item in enumerate(matrix(body, where)):
        metric = item.get("metric") if isinstance(item, dict) else None
        values = item.get("values") if isinstance(item, dict) else None
        if not isinstance(metric, dict) or not isinstance(values, list | tuple):
            raise InputError(f"{where}: data.result[{position}]: expected 'metric' and 'values'")
        at = f"{where}: series {labels_text(metric)}"
        for label in labels:
            if not isinstance(metric.get(label), str) or not metric[label]:
                raise InputError(f"{at}: label {label} missing or empty")
        pairs = (
            list(zip(values[0].tolist(), values[1].tolist(), strict=True))
            if isinstance(values, tuple)
            else values
        )
        for pair in pairs:
            out.append((metric, *_sample(pair, at, start_s, n_hours)))
    return out


def _sample(pair: Any, where: str, start_s: float, n_hours: int) -> tuple[int, float]:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise InputError(f'{where}: values: expected [timestamp, "value"], got {pair!r}')
    try:
        seconds, value = float(pair[0]), float(pair[1])
    except (TypeError, ValueError):
        raise InputError(f"{where}: value {pair!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise InputError(
            f"{where}: value {pair[1]!r} at {pair[0]} is negative, NaN or "
            "infinite; refusing to store a wrong number"
        )
    offset = (seconds - start_s) / STEP_SECONDS - 1.0
    hour = round(offset)
    if abs(offset - hour) > 1e-9 or not 0 <= hour < n_hours:
        raise InputError(
            f"{where}: timestamp {pair[0]} is not the end of an hour inside the "
            "document's [start, end) window"
        )
    return hour, value
