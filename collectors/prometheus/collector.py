"""The window collector: plan, query in bounded pieces, derive the dump document.

The queries of `queries` run per time chunk and namespace group so that no response holds more
than `max_series_per_query` series x points; the pieces are merged into the dump document
(docs/architecture.md), which `live` hands to the same `reader` as offline dumps.

Splitting adapts: a first sizing query counts containers per namespace and day; the chunk
length and namespace groups follow from it; a response still above the budget, or a server
that refuses a query as too large or times out, makes the collector split that piece (namespace
group in halves first, then time) and keep the smaller size for the rest of the run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from fleetscope.collectors.prometheus import ga_series, node_labels
from fleetscope.collectors.prometheus.client import PrometheusClient, QueryTooLarge
from fleetscope.collectors.prometheus.document import iso
from fleetscope.collectors.prometheus.presence import (
    interval_from_samples,
    learn_samples_per_hour,
    presence,
    trim,
)
from fleetscope.collectors.prometheus.queries import (
    HOUR_RANGE,
    RawQuery,
    namespace_matcher,
    query_keys,
    raw_queries,
    sizing_query,
)
from fleetscope.config import PrometheusConfig
from fleetscope.errors import CollectError

HOUR = timedelta(hours=1)
MAX_POINTS = 10_000               # Prometheus refuses more than 11,000 points per series

Labels = tuple[str | None, ...]


@dataclass
class Plan:
    """How the window is cut: hours per query and namespace groups (adapted as it runs)."""

    chunk_hours: int
    groups: list[list[str]]
    splits: int = 0


@dataclass
class CollectStats:
    requests: int = 0
    bytes_received: int = 0
    largest_response_points: int = 0
    gap_hours: int = 0
    splits: int = 0          # pieces split after the server refused them or answered too much
    groups: int = 0          # namespace groups and hours per query at the end of the run
    chunk_hours: int = 0
    # samples per hour used for the series of each presence query without full hours of
    # their own (learnt, measured or configured), by dump series name
    samples_per_hour: dict[str, float] = field(default_factory=dict)


class WindowCollector:
    """Collects one cluster's window from one server into a dump document."""

    def __init__(self, client: PrometheusClient, config: PrometheusConfig, *, cluster: str,
                 split: bool = True) -> None:
        self.client = client
        self.config = config
        self.cluster = cluster
        self.split = split
        self.budget = config.max_series_per_query
        self.stats = CollectStats()

    # -- planning ----------------------------------------------------------------------------

    def plan(self, start: datetime, end: datetime) -> Plan:
        """Chunk length and namespace groups from container counts per namespace and day."""
        hours = int((end - start) / HOUR)
        if not self.split:
            return Plan(chunk_hours=min(hours, MAX_POINTS), groups=[[]])
        lb = self.config.labels
        selector = (f'{self.config.metrics.memory_working_set}{{{lb.container}!="", '
                    f'{lb.container}!="POD"}}')
        namespaces = set(self.client.label_values(lb.namespace, match=selector, start=start,
                                                  end=end))
        requests_selector = f'{self.config.metrics.requests}{{{lb.container}!=""}}'
        namespaces |= set(self.client.label_values(lb.namespace, match=requests_selector,
                                                   start=start, end=end))
        if not namespaces:
            return Plan(chunk_hours=min(hours, MAX_POINTS), groups=[[]])
        sizes = self._sizes(sorted(namespaces), start, end)
        largest = max(sizes.values(), default=0) or 1
        chunk = max(1, min(hours, MAX_POINTS, self.budget // largest))
        groups: list[list[str]] = []
        current: list[str] = []
        total = 0
        for name in sorted(namespaces):
            size = max(sizes.get(name, 1), 1)
            if current and (total + size) * chunk > self.budget:
                groups.append(current)
                current, total = [], 0
            current.append(name)
            total += size
        groups.append(current)
        return Plan(chunk_hours=chunk, groups=groups)

    def _sizes(self, namespaces: list[str], start: datetime, end: datetime) -> dict[str, int]:
        """Most containers seen in any day of the window, per namespace."""
        day = min(timedelta(days=1), end - start)
        query = sizing_query(self.config, int(day.total_seconds()))
        steps = math.ceil((end - start) / day)
        label = self.config.labels.namespace

        def run(matcher: str) -> dict[str, int]:
            found: dict[str, int] = {}
            result = self.client.query_range(
                query.replace("{ns}", matcher), start=start + day,
                end=start + steps * day, step_seconds=int(day.total_seconds()))
            for series in result:
                name = series["metric"].get(label, "")
                found[name] = max(int(float(v)) for _, v in series["values"])
            return found

        try:
            return run("")
        except QueryTooLarge:
            sizes: dict[str, int] = {}
            for name in namespaces:  # one namespace at a time: each count is small
                try:
                    sizes.update(run(namespace_matcher(label, [name])))
                except QueryTooLarge:
                    sizes[name] = self.budget  # unknown but big: alone, one hour at a time
            return sizes

    # -- fetching ----------------------------------------------------------------------------

    def fetch(self, start: datetime, end: datetime,
              progress: Callable[[str], None] | None = None
              ) -> dict[str, dict[Labels, tuple[np.ndarray, np.ndarray]]]:
        """Run every raw query over [start, end); per query name, arrays per series."""
        plan = self.plan(start, end)
        if progress:
            progress(f"{len(plan.groups)} namespace group(s), {plan.chunk_hours} h per query")
        out = {}
        for query in raw_queries(self.config):
            keys = query_keys(query, self.config)
            pieces: dict[Labels, list[tuple[np.ndarray, np.ndarray]]] = {}
            at, until = (start - HOUR, end + HOUR) if query.look_around else (start, end)
            while at < until:
                chunk_end = min(until, at + plan.chunk_hours * HOUR)
                # pods of namespaces without containers (all Pending) count too: pod queries
                # are not cut by the namespaces the container series have, only by time
                groups = list(plan.groups) if query.kind == "container" else [[]]
                for group in groups:
                    # each response becomes arrays at once: memory holds one response of
                    # Python objects at a time, whatever the window
                    _add_pieces(pieces, self._fetch(query, group, at, chunk_end, plan), keys,
                                where=f"{self.client.name}: {query.name}")
                at = chunk_end
            out[query.name] = _join_pieces(pieces)
        self.stats.splits = plan.splits
        self.stats.groups, self.stats.chunk_hours = len(plan.groups), plan.chunk_hours
        self.stats.requests = self.client.requests_made
        self.stats.bytes_received = self.client.bytes_received
        return out

    def _fetch(self, query: RawQuery, group: list[str], start: datetime, end: datetime,
               plan: Plan) -> list[dict[str, Any]]:
        matcher = namespace_matcher(self.config.labels.namespace, group) if group else ""
        promql = query.render(matcher)
        try:
            result = self.client.query_range(promql, start=start + HOUR, end=end,
                                             step_seconds=3600)
        except QueryTooLarge as exc:
            return self._split(query, group, start, end, plan, reason=str(exc))
        points = sum(len(series.get("values") or ()) for series in result)
        if points > self.budget and self.split and (len(group) > 1 or end - start > HOUR):
            return self._split(query, group, start, end, plan,
                               reason=f"{points} points > max_series_per_query {self.budget}")
        self.stats.largest_response_points = max(self.stats.largest_response_points, points)
        return result

    def _split(self, query: RawQuery, group: list[str], start: datetime, end: datetime,
               plan: Plan, *, reason: str) -> list[dict[str, Any]]:
        if not self.split:
            raise CollectError(f"{self.client.name}: {query.name}: {reason}")
        plan.splits += 1
        if len(group) > 1:
            half = len(group) // 2
            first, second = group[:half], group[half:]
            if group in plan.groups:  # later chunks use the smaller groups straight away
                where = plan.groups.index(group)
                plan.groups[where:where + 1] = [first, second]
            return (self._fetch(query, first, start, end, plan)
                    + self._fetch(query, second, start, end, plan))
        hours = int((end - start) / HOUR)
        if hours > 1:
            middle = start + (hours // 2) * HOUR
            plan.chunk_hours = max(1, min(plan.chunk_hours, hours // 2))
            return (self._fetch(query, group, start, middle, plan)
                    + self._fetch(query, group, middle, end, plan))
        scope = f"namespace {group[0]}" if group else "all series"
        raise CollectError(f"{self.client.name}: {query.name} for {scope} over one hour is "
                           f"still too large ({reason}); raise the server's limits")

    # -- deriving ----------------------------------------------------------------------------

    def document(self, start: datetime, end: datetime,
                 progress: Callable[[str], None] | None = None) -> dict[str, Any]:
        """The dump document of [start, end) (the format `reader.read_dump` parses)."""
        merged = self.fetch(start, end, progress)
        queries = {q.name: q for q in raw_queries(self.config)}
        node_rates = self._samples_per_hour("node_present_fraction", queries["node_count"],
                                            merged["node_count"])
        # presence is worked out on the looked-around hours, then only the window is kept
        first, last = (start + HOUR).timestamp(), end.timestamp()
        nodes = {key: (ts, self._presence(ts, counts, node_rates[key]))
                 for key, (ts, counts) in merged["node_count"].items()}
        running, is_init = self._running(merged, queries)
        results: dict[str, dict[str, Any]] = {}

        def put(name: str, series: dict[Labels, tuple[np.ndarray, np.ndarray]], kind: str
                ) -> None:
            names = ("namespace", "pod", "container", "node") if kind == "container" \
                else ("node",)
            out = [{"metric": {k: v for k, v in zip(names, labels, strict=True) if v},
                    "values": arrays} for labels, arrays in series.items()]
            results[name] = {"status": "success",
                             "data": {"resultType": "matrix", "result": out}}

        put("container_cpu_usage_cores", merged["cpu_rate"], "container")
        put("container_memory_working_set_bytes_avg",
            self._mean_while_present(merged["mem_sum"], merged["mem_count"]), "container")
        put("container_memory_working_set_bytes_max", merged["mem_max"], "container")
        # an init container's requests come from its own kube-state-metrics series; container
        # names are unique within a pod across init and app containers, so keys never clash
        for series, query in (("cpu_request_cores", "req_cpu"),
                              ("memory_request_bytes", "req_memory"), ("gpu_request", "req_gpu")):
            put(f"container_{series}", merged[f"init_{query}"] | merged[query], "container")
        put("container_running_fraction", trim(running, first, last), "container")
        put("container_is_init", trim(is_init, first, last), "container")
        put("node_cpu_capacity_cores", merged["node_cpu"], "node")
        put("node_memory_capacity_bytes", merged["node_memory"], "node")
        put("node_gpu_capacity", merged["node_gpu"], "node")
        put("node_present_fraction", trim(nodes, first, last), "node")
        results[node_labels.SERIES] = {"status": "success", "data": {
            "resultType": "matrix", "result": node_labels.dump_series(
                merged["node_labels"], queries["node_labels"].by, self.config.node_labels)}}
        rates = self.stats.samples_per_hour  # kube-state-metrics' scrape rate, learnt above
        results |= ga_series.dump_series(merged, self.config, rates.get(
            "container_running_fraction", rates.get("node_present_fraction", 60.0)))
        return {"cluster": self.cluster, "start": iso(start), "end": iso(end),
                "step_seconds": 3600, "results": results,
                "scrape_interval_seconds": {name: round(3600 / n, 3) for name, n
                                            in self.stats.samples_per_hour.items()}}

    def _running(self, merged: dict[str, dict[Labels, tuple[np.ndarray, np.ndarray]]],
                 queries: dict[str, RawQuery]
                 ) -> tuple[dict[Labels, tuple[np.ndarray, np.ndarray]],
                            dict[Labels, tuple[np.ndarray, np.ndarray]]]:
        """Running fraction of app and init containers, and which are init containers.

        Both kinds come from their kube-state-metrics running series (the share of samples
        running x presence); a container cAdvisor shows without either kind of running series
        ran for the presence of its own working-set series, so a finished init container
        counts its minutes, not the hour (and is not known to be an init container)."""
        parts = []
        for prefix, name in (("", "container_running_fraction"),
                             ("init_", "init_container_running_fraction")):
            counts = merged[f"{prefix}run_count"]
            rates = self._samples_per_hour(name, queries[f"{prefix}run_count"], counts) \
                if counts else {}
            parts.append(self._mean_while_present(merged[f"{prefix}run_sum"], counts, rates))
        app, init = parts
        seen = {key[:3] for key in app} | {key[:3] for key in init}
        alone = {key: arrays for key, arrays in merged["mem_count"].items()
                 if key[:3] not in seen}
        # learnt on every working-set series (one exporter): a finished init container's
        # own series is too short to measure
        rates = self._samples_per_hour("container_cadvisor_presence", queries["mem_count"],
                                       merged["mem_count"]) if alone else {}
        cadvisor = {key: (ts, self._presence(ts, counts, rates[key]))
                    for key, (ts, counts) in alone.items()}
        flags = {key: (ts, np.ones(len(ts))) for key, (ts, _) in init.items()}
        return cadvisor | init | app, flags

    def _samples_per_hour(self, name: str, query: RawQuery,
                          counts: dict[Labels, tuple[np.ndarray, np.ndarray]]
                          ) -> dict[Labels, float]:
        """Samples per hour of each series: configured, else its own, its query's, measured."""
        own: dict[Labels, float] = {}
        found: float | None = None
        if (self.config.scrape_interval_seconds or 0) > 0:  # the override
            found = 3600.0 / float(self.config.scrape_interval_seconds or 1)
        else:
            own, found = learn_samples_per_hour(counts)
            if found is None and len(own) < len(counts):
                found = self._probe(query, counts)
        # nothing to measure on: the fullest hour seen counts as a whole one
        common = found if found is not None else max(
            (float(c.max()) for _, c in counts.values()), default=1.0)
        self.stats.samples_per_hour[name] = common
        return {key: own.get(key, common) for key in counts}

    def _probe(self, query: RawQuery, counts: dict[Labels, tuple[np.ndarray, np.ndarray]]
               ) -> float | None:
        """Samples per hour measured on the raw samples of the series' fullest hour."""
        key, (ts, values) = max(counts.items(), key=lambda item: float(item[1][1].max()))
        at = datetime.fromtimestamp(float(ts[int(np.argmax(values))]), UTC)
        lb = self.config.labels
        names = (lb.namespace, lb.pod, lb.container, lb.node) if query.kind == "container" \
            else (lb.node,)
        more = "".join(f', {label}="{_escape(value)}"'
                       for label, value in zip(names, key, strict=True) if value)
        result = self.client.samples(f"{query.probe.replace('{more}', more)}{HOUR_RANGE}",
                                     at=at.replace(tzinfo=None))
        return interval_from_samples([np.asarray([float(v[0]) for v in item.get("values") or []])
                                      for item in result])

    def _presence(self, ts: np.ndarray, counts: np.ndarray, samples_per_hour: float
                  ) -> np.ndarray:
        """Fraction of each hour a series existed (`presence.presence`); counts scrape gaps."""
        fraction, missing = presence(ts, counts, samples_per_hour)
        self.stats.gap_hours += missing
        return fraction

    def _mean_while_present(
            self, sums: dict[Labels, tuple[np.ndarray, np.ndarray]],
            counts: dict[Labels, tuple[np.ndarray, np.ndarray]],
            rates: dict[Labels, float] | None = None
    ) -> dict[Labels, tuple[np.ndarray, np.ndarray]]:
        """sum / count per hour; times the hour's presence when `rates` (samples per hour of
        each series) are given."""
        out = {}
        for key, (ts, total) in sums.items():
            count_ts, count = counts.get(key, (ts, np.full(len(ts), np.nan)))
            if len(count_ts) != len(ts) or not np.array_equal(count_ts, ts):
                # both come from the same samples; a mismatch means the data moved under us
                labels = dict(zip(("namespace", "pod", "container", "node"), key,
                                  strict=True))
                raise CollectError(f"{self.client.name}: sum and count of {labels} disagree "
                                   "on their hours; collect again")
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = total / count
            if rates is not None:
                mean = mean * self._presence(ts, count, rates.get(key, 1.0))
            out[key] = (ts, mean)
        return out


def _escape(value: str) -> str:
    """A label value inside a PromQL double-quoted string."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _add_pieces(pieces: dict[Labels, list[tuple[np.ndarray, np.ndarray]]],
                result: list[dict[str, Any]], keys: tuple[str, ...], *, where: str) -> None:
    for item in result:
        metric = item.get("metric") or {}
        values = item.get("values") or []
        key = tuple(metric.get(k) for k in keys)
        ts = np.fromiter((v[0] for v in values), dtype=np.float64, count=len(values))
        try:
            vals = np.asarray([v[1] for v in values], dtype=np.float64)
        except ValueError:
            raise CollectError(f"{where}: series {metric}: a value is not a number") from None
        pieces.setdefault(key, []).append((ts, vals))


def _join_pieces(pieces: dict[Labels, list[tuple[np.ndarray, np.ndarray]]]
                 ) -> dict[Labels, tuple[np.ndarray, np.ndarray]]:
    """Pieces of the same series (time chunks) joined and sorted by time."""
    merged = {}
    for key, parts in pieces.items():
        ts = np.concatenate([p[0] for p in parts])
        vals = np.concatenate([p[1] for p in parts])
        order = np.argsort(ts, kind="stable")
        merged[key] = (ts[order], vals[order])
    return merged
