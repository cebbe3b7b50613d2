"""Prometheus dump -> `raw_prom_container_hours` and `raw_prom_node_hours`.

The dump (docs/architecture.md, "Prometheus dump") is one JSON document per cluster and window
`[start, end)` holding one `query_range` response body per fixed series name. A sample at
timestamp T describes the hour that ends at T (`hour_start = T - 3600`).

Units and meaning of the columns (the live PromQL in `queries` produces exactly these):
- `cpu_usage_cores`: the average over the whole hour, so a container that ran 30 minutes at
  1 core has 0.5: core-hours of the hour.
- `memory_working_set_bytes_avg`: the mean while the container ran; byte-hours of the hour =
  this x `running_hours` (a container at 1 GiB for 30 minutes: 1 GiB, running 0.5).
- `memory_working_set_bytes_max`: the highest sample in the hour.
- `cpu_request_cores`, `memory_request_bytes`, `gpu_request`: the request while the container
  existed; request core-hours of the hour = request x `running_hours`.
- `running_hours`, `present_hours`: fraction of the hour, 0..1.
- `is_init`: an init container's hours (`container_is_init` 1; the series is optional).

This reader is on the path of every usage row (live collection, `--from-file`, the demo's
60-90 days x hundreds of containers), so it works on column arrays (numpy) built straight from
the parsed JSON, never row by row through pandas.

Rules (a wrong number is worse than an error):
- NaN, +-Inf, negative values, fractions above 1, non-numeric strings, timestamps off the hourly
  grid or outside the window, a `resultType` other than `matrix`, missing labels: `InputError`
  naming the file, the series name, the series' labels and the field.
- Two series of one name for the same container and hour (a pod whose node changed within the
  hour, when queries keep the `node` label): CPU usage and running fraction add up (each
  covers its own part of the hour; fractions capped at 1); working set, maxima and requests
  take the larger value.
- `node_name` of a container-hour: the `node` label of any of its series (absent: NULL).
- `present_hours` of a node-hour with no `node_present_fraction` sample: 1 (it had capacity).
- `raw_prom_pod_scheduling`, `raw_prom_golden_signals`: from the optional scheduling and
  golden-signal series (`ga_series`); a dump without them loads neither table.
- `instance_type`, `is_spot`, `zone` of a node-hour: from the optional `node_labels` series
  (`node_labels`); NULL where it has none (the inventory's facts are used then).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from fleetscope.collectors.prometheus import ga_series, node_labels
from fleetscope.collectors.prometheus.document import labels_text as _labels_text
from fleetscope.collectors.prometheus.document import matrix as _matrix
from fleetscope.collectors.prometheus.fastjson import loads_dump
from fleetscope.errors import InputError
from fleetscope.warehouse import LoadBatch, Window

STEP_SECONDS = 3600

# series name -> (raw column, how two samples of the same container/node and hour combine)
CONTAINER_SERIES: dict[str, tuple[str, str]] = {
    "container_cpu_usage_cores": ("cpu_usage_cores", "sum"),
    "container_memory_working_set_bytes_avg": ("memory_working_set_bytes_avg", "max"),
    "container_memory_working_set_bytes_max": ("memory_working_set_bytes_max", "max"),
    "container_cpu_request_cores": ("cpu_request_cores", "max"),
    "container_memory_request_bytes": ("memory_request_bytes", "max"),
    "container_gpu_request": ("gpu_request", "max"),
    "container_running_fraction": ("running_hours", "sum"),
    # optional (dumps before init containers lack it): 1 for an init container's hours
    "container_is_init": ("is_init", "max"),
}
NODE_SERIES: dict[str, tuple[str, str]] = {
    "node_cpu_capacity_cores": ("cpu_capacity_cores", "max"),
    "node_memory_capacity_bytes": ("memory_capacity_bytes", "max"),
    "node_gpu_capacity": ("gpu_capacity", "max"),
    "node_present_fraction": ("present_hours", "sum"),
}
_FRACTIONS = {"running_hours", "present_hours", "is_init"}
_CONTAINER_LABELS = ("namespace", "pod", "container")
_FRACTION_TOLERANCE = 1e-6


class _Parsed:
    """Samples of one series name as flat arrays (one entry per sample)."""

    __slots__ = ("codes", "node_ids", "values")

    def __init__(self, codes: np.ndarray, values: np.ndarray, node_ids: np.ndarray) -> None:
        self.codes, self.values, self.node_ids = codes, values, node_ids


def _iso(seconds: float) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError, OSError):
        # Far outside any calendar: almost always milliseconds written where seconds belong.
        return f"{seconds:.0f} (not a time in seconds; milliseconds?)"


def _parse_time(value: Any, *, origin: str, field: str) -> datetime:
    if not isinstance(value, str):
        raise InputError(f"{origin}: field '{field}': expected an ISO 8601 time, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{origin}: field '{field}': {value!r} is not an ISO 8601 time"
                         ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    if parsed.minute or parsed.second or parsed.microsecond:
        raise InputError(f"{origin}: field '{field}': {value} is not on a full hour")
    return parsed


class _Index:
    """Interns series keys and node names to small integers shared by all series of a kind."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, ...], int] = {}
        self.nodes: dict[str, int] = {}

    def key(self, key: tuple[str, ...]) -> int:
        found = self.keys.get(key)
        if found is None:
            found = self.keys[key] = len(self.keys)
        return found

    def node(self, name: str | None) -> int:
        if not name:
            return -1
        found = self.nodes.get(name)
        if found is None:
            found = self.nodes[name] = len(self.nodes)
        return found


def _series_key(metric: Mapping[str, Any], kind: str, index: _Index, where: str
                ) -> tuple[int, int]:
    """(interned key, interned node or -1) of one series; missing labels are an error."""
    if kind == "container":
        parts = tuple(metric.get(label) for label in _CONTAINER_LABELS)
        if not all(isinstance(p, str) and p for p in parts):
            missing = [lb for lb, p in zip(_CONTAINER_LABELS, parts, strict=True)
                       if not (isinstance(p, str) and p)]
            raise InputError(f"{where}: series {_labels_text(metric)}: label(s) "
                             f"{', '.join(missing)} missing or empty")
        return index.key(parts), index.node(metric.get("node"))  # type: ignore[arg-type]
    node = metric.get("node")
    if not isinstance(node, str) or not node:
        raise InputError(f"{where}: series {_labels_text(metric)}: label node missing or empty")
    return index.key((node,)), -1


class _Samples:
    """Every sample of one series name, flat: which series (key, node) and its (ts, value)."""

    def __init__(self, result: list[Any], kind: str, index: _Index, where: str) -> None:
        key_ids: list[int] = []
        node_ids: list[int] = []
        ts_chunks: list[np.ndarray] = [np.zeros(0)]
        value_chunks: list[np.ndarray] = [np.zeros(0)]
        for position, item in enumerate(result):
            metric = item.get("metric") if isinstance(item, dict) else None
            values = item.get("values") if isinstance(item, dict) else None
            # a list of [ts, "value"] pairs from JSON, or (timestamps, values) arrays from the
            # live collector, which skips building millions of small lists
            if not isinstance(metric, dict) or not isinstance(values, list | tuple):
                raise InputError(f"{where}: data.result[{position}]: expected 'metric' and "
                                 "'values' (a matrix series)")
            key_id, node_id = _series_key(metric, kind, index, where)
            key_ids.append(key_id)
            node_ids.append(node_id)
            ts_arr, value_arr = _arrays(values, where=f"{where}: series {_labels_text(metric)}")
            ts_chunks.append(ts_arr)
            value_chunks.append(value_arr)
        self.result = result
        self.ts = np.concatenate(ts_chunks)
        self.values = np.concatenate(value_chunks)
        self.lengths = np.asarray([len(t) for t in ts_chunks[1:]], dtype=np.int64)
        self.key_ids = np.asarray(key_ids, dtype=np.int64)
        self.node_ids = np.asarray(node_ids, dtype=np.int64)

    def series_at(self, sample: int) -> str:
        """The labels of the series holding flat sample number `sample`."""
        item = int(np.searchsorted(np.cumsum(self.lengths), sample, side="right"))
        return _labels_text(self.result[item]["metric"])


def _parse_series(name: str, body: Any, *, origin: str, kind: str, index: _Index,
                  start_s: float, n_hours: int) -> _Parsed:
    where = f"{origin}: series '{name}'"
    samples = _Samples(_matrix(body, where), kind, index, where)
    ts, values = samples.ts, samples.values
    column = (CONTAINER_SERIES if kind == "container" else NODE_SERIES)[name][0]
    limit = 1.0 + _FRACTION_TOLERANCE if column in _FRACTIONS else np.inf
    bad_mask = ~np.isfinite(values) | (values < 0) | (values > limit)
    if bad_mask.any():
        bad = int(np.argmax(bad_mask))
        reason = ("NaN or infinite" if not np.isfinite(values[bad]) else
                  "negative" if values[bad] < 0 else "a fraction above 1")
        raise InputError(f"{where}: series {samples.series_at(bad)}: value "
                         f"{float(values[bad])!r} at {_iso(float(ts[bad]))} ({column}) is "
                         f"{reason}; refusing to store a wrong number")
    offsets = (ts - start_s) / STEP_SECONDS - 1.0
    hour_idx = np.rint(offsets).astype(np.int64)
    bad_mask = (np.abs(offsets - hour_idx) > 1e-9) | (hour_idx < 0) | (hour_idx >= n_hours)
    if bad_mask.any():
        bad = int(np.argmax(bad_mask))
        raise InputError(f"{where}: series {samples.series_at(bad)}: timestamp "
                         f"{_iso(float(ts[bad]))} is not the end of an hour inside the "
                         "document's [start, end) window")
    codes = np.repeat(samples.key_ids, samples.lengths) * n_hours + hour_idx
    return _Parsed(codes, values, np.repeat(samples.node_ids, samples.lengths))


def _arrays(values: Any, *, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(timestamps, values) as float arrays; errors name the series and the bad entry."""
    if isinstance(values, tuple):
        return np.asarray(values[0], dtype=np.float64), np.asarray(values[1], dtype=np.float64)
    if not values:
        return np.zeros(0), np.zeros(0)
    try:  # two list comprehensions: faster than zip(*values) on thousands of pairs
        if sum(map(len, values)) != 2 * len(values):
            raise IndexError
        ts_part = [v[0] for v in values]
        value_part = [v[1] for v in values]
    except (TypeError, IndexError, KeyError):
        bad = next((i for i, v in enumerate(values)
                    if not isinstance(v, list) or len(v) != 2), 0)
        raise InputError(f"{where}: values[{bad}]: expected [timestamp, \"value\"], got "
                         f"{values[bad]!r}") from None
    ts = np.asarray(ts_part)
    if ts.dtype.kind not in "iuf":  # numpy would read "123" as a number: JSON must not
        bad = next(t for t in ts_part if isinstance(t, bool) or not isinstance(t, int | float))
        raise InputError(f"{where}: timestamp {bad!r} is not a number of seconds")
    ts = ts.astype(np.float64, copy=False)
    try:
        return ts, np.asarray(value_part, dtype=np.float64)
    except (TypeError, ValueError):
        i = next(i for i, v in enumerate(value_part) if not _is_number_text(v))
        raise InputError(f"{where}: value {value_part[i]!r} at {_iso(float(ts[i]))} is not a "
                         "number") from None


def _is_number_text(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _combine(parsed: dict[str, _Parsed], spec: Mapping[str, tuple[str, str]], size: int
             ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Rows = distinct (key, hour) codes over all series; one value column per series.

    Codes are dense (key x hours), so a boolean map over all of them replaces sorting.
    """
    seen_any = np.zeros(size, dtype=bool)
    for p in parsed.values():
        seen_any[p.codes] = True
    codes = np.flatnonzero(seen_any)
    row_of = np.cumsum(seen_any, dtype=np.int64) - 1  # code -> row number
    columns: dict[str, np.ndarray] = {}
    node_col = np.full(len(codes), -1, dtype=np.int64)
    for name, (column, how) in spec.items():
        if name not in parsed:
            columns[column] = np.full(len(codes), np.nan)
            continue
        p = parsed[name]
        pos = row_of[p.codes]
        seen = np.zeros(len(codes), dtype=bool)
        seen[pos] = True
        duplicated = int(seen.sum()) != len(pos)
        if not duplicated:  # the usual case: plain assignment, no ufunc.at
            col = np.full(len(codes), np.nan)
            col[pos] = p.values
        elif how == "sum":
            col = np.zeros(len(codes))
            np.add.at(col, pos, p.values)
        else:
            col = np.full(len(codes), -np.inf)
            np.maximum.at(col, pos, p.values)
        col[~seen] = np.nan
        if column in _FRACTIONS:
            col = np.minimum(col, 1.0)
        columns[column] = col
        if duplicated:
            np.maximum.at(node_col, pos, p.node_ids)
        else:
            node_col[pos] = np.maximum(node_col[pos], p.node_ids)
    return codes, columns, node_col


def _header(document: Any, origin: str) -> tuple[datetime, datetime, dict[str, Any]]:
    """The document's window [start, end) and its `results`, checked."""
    if not isinstance(document, dict):
        raise InputError(f"{origin}: expected a JSON object with cluster, start, end, "
                         "step_seconds and results")
    start = _parse_time(document.get("start"), origin=origin, field="start")
    end = _parse_time(document.get("end"), origin=origin, field="end")
    if end <= start:
        raise InputError(f"{origin}: field 'end' ({end:%Y-%m-%dT%H:%M}Z) must be after 'start'")
    step = document.get("step_seconds", STEP_SECONDS)
    if step != STEP_SECONDS:
        raise InputError(f"{origin}: field 'step_seconds' is {step!r}; the warehouse is hourly "
                         f"({STEP_SECONDS})")
    results = document.get("results")
    if not isinstance(results, dict):
        raise InputError(f"{origin}: field 'results' missing or not an object")
    known_series = [*CONTAINER_SERIES, *NODE_SERIES, node_labels.SERIES, *ga_series.SERIES]
    unknown = sorted(set(results) - set(known_series))
    if unknown:
        known = ", ".join(known_series)
        raise InputError(f"{origin}: field 'results': unknown series {', '.join(unknown)} "
                         f"(known: {known})")
    return start, end, results


def _container_frame(parsed: dict[str, _Parsed], index: _Index, n_hours: int,
                     base: np.datetime64) -> pd.DataFrame:
    codes, columns, node_col = _combine(parsed, CONTAINER_SERIES, len(index.keys) * n_hours)
    keys = np.empty(len(index.keys), dtype=object)
    keys[:] = list(index.keys)
    key_rows = keys[codes // n_hours] if len(codes) else np.zeros(0, dtype=object)
    node_names = np.array([*index.nodes, None], dtype=object)  # index -1 -> None
    columns["is_init"] = columns["is_init"] > 0  # absent (NaN): an app container
    return pd.DataFrame({
        "hour_start": base + (codes % n_hours) * np.timedelta64(STEP_SECONDS, "s"),
        "namespace": [k[0] for k in key_rows],
        "pod_name": [k[1] for k in key_rows],
        "container_name": [k[2] for k in key_rows],
        "node_name": node_names[node_col],
        **columns,
    })


def _node_frame(parsed: dict[str, _Parsed], index: _Index, n_hours: int,
                base: np.datetime64) -> pd.DataFrame:
    codes, columns, _ = _combine(parsed, NODE_SERIES, len(index.keys) * n_hours)
    node_keys = np.array([k[0] for k in index.keys], dtype=object)
    columns["present_hours"] = np.where(np.isnan(columns["present_hours"]), 1.0,
                                        columns["present_hours"])
    return pd.DataFrame({
        "hour_start": base + (codes % n_hours) * np.timedelta64(STEP_SECONDS, "s"),
        "node_name": node_keys[codes // n_hours] if len(codes) else np.zeros(0, dtype=object),
        **columns,
    })


def read_dump(document: Any, *, cluster: str, origin: str) -> LoadBatch:
    """Turn one dump document into a window load for `cluster`; `origin` names it in errors."""
    start, end, results = _header(document, origin)
    start_s = start.replace(tzinfo=UTC).timestamp()
    n_hours = int((end - start).total_seconds()) // STEP_SECONDS
    base = np.datetime64(start.replace(tzinfo=None), "s")
    frames = {}
    for kind, table, spec, framer in (
            ("container", "raw_prom_container_hours", CONTAINER_SERIES, _container_frame),
            ("node", "raw_prom_node_hours", NODE_SERIES, _node_frame)):
        index = _Index()
        parsed = {name: _parse_series(name, body, origin=origin, kind=kind, index=index,
                                      start_s=start_s, n_hours=n_hours)
                  for name, body in results.items() if name in spec}
        frames[table] = framer(parsed, index, n_hours, base)
    facts = None  # the optional node facts series (dumps from before it have none)
    if node_labels.SERIES in results:
        facts = node_labels.facts_frame(results[node_labels.SERIES], start_s=start_s,
                                        where=f"{origin}: series '{node_labels.SERIES}'",
                                        n_hours=n_hours, base=base)
    frames["raw_prom_node_hours"] = node_labels.with_facts(frames["raw_prom_node_hours"], facts)
    frames |= ga_series.frames(results, origin=origin, start_s=start_s, n_hours=n_hours, base=base)
    return LoadBatch(source_kind="prometheus", source_name=cluster, collected_at=end,
                     tables=frames, window=Window(start, end))


def read_dump_file(path: str | Path, *, cluster: str | None = None) -> LoadBatch:
    """Read a dump file; `cluster` overrides the document's own `cluster`."""
    path = Path(path)
    try:
        document = loads_dump(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON: {exc}") from None
    if cluster is None:
        cluster = document.get("cluster") if isinstance(document, dict) else None
        if not isinstance(cluster, str) or not cluster:
            raise InputError(f"{path}: field 'cluster' missing; pass --cluster")
    return read_dump(document, cluster=cluster, origin=str(path))
