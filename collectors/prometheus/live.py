"""Live collection from one Prometheus server: the window to collect, then one batch per week.

A pure function of its inputs (the stored watermark is passed in, never read here): the window
is `[watermark, last complete hour)` unless `--start/--end` say otherwise; each week of it
becomes a `LoadBatch` carrying the new watermark in its `state`, which the loader
(fleetscope.ops.ingest) writes in the same transaction as the rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fleetscope.collectors.progress import Progress, quiet
from fleetscope.collectors.prometheus.client import Auth, PrometheusClient
from fleetscope.collectors.prometheus.collector import CollectStats, WindowCollector
from fleetscope.collectors.prometheus.document import to_json_document
from fleetscope.collectors.prometheus.promql import Scope, label_matcher
from fleetscope.collectors.prometheus.reader import read_dump
from fleetscope.config import PrometheusConfig, PrometheusSource
from fleetscope.errors import InputError
from fleetscope.warehouse import LoadBatch, utc_now

FIRST_RUN = timedelta(hours=24)   # window of a first run without --start
INGEST_LAG = timedelta(minutes=2)  # the newest hour is complete once its last scrapes landed
MAX_LOAD_WINDOW = timedelta(days=7)  # longer windows load a week at a time


def watermark_key(cluster: str) -> str:
    """The state key holding the end of the last collected window."""
    return f"prometheus:{cluster}:watermark"


def last_complete_hour(now: datetime | None = None) -> datetime:
    """Start of the current hour, once the previous hour's last scrapes have landed."""
    now = (now or utc_now()) - INGEST_LAG
    return now.replace(minute=0, second=0, microsecond=0)


def client_for(source: PrometheusSource, config: PrometheusConfig) -> PrometheusClient:
    """A client with the source's credentials and headers read from the environment, every
    query scoped by the source's matchers."""
    where = f"prometheus source {source.url} ({source.cluster or source.cluster_label}): "
    auth = Auth.from_env(bearer_token_env=source.bearer_token_env, username=source.username,
                         password_env=source.password_env, ca_file=source.ca_file,
                         headers=source.headers, where=where)
    return PrometheusClient(source.url, auth=auth, timeout=source.timeout_seconds,
                            max_retries=config.max_retries, scope=Scope(tuple(source.matchers)))


def resolve_window(stored_watermark: str | None, *, start: datetime | None,
                   end: datetime | None, now: datetime | None = None
                   ) -> tuple[datetime, datetime]:
    """[start, end): the arguments, else from the watermark up to the last complete hour."""
    end = end or last_complete_hour(now)
    if start is None:
        start = (datetime.fromisoformat(stored_watermark) if stored_watermark
                 else end - FIRST_RUN)
    for name, value in (("--start", start), ("--end", end)):
        if value.minute or value.second or value.microsecond:
            raise InputError(f"{name} {value:%Y-%m-%dT%H:%M:%S}Z is not on a full hour")
    return start, end


def collect_window(source: PrometheusSource, config: PrometheusConfig, *, start: datetime,
                   end: datetime, split: bool = True, progress: Progress = quiet,
                   client: PrometheusClient | None = None, cluster: str | None = None
                   ) -> tuple[dict[str, Any], CollectStats]:
    """The dump document of one cluster and window, and what collecting it took (`client`,
    `cluster`: one cluster of a central store, its client scoped to that cluster)."""
    collector = WindowCollector(client or client_for(source, config), config,
                                cluster=cluster or source.cluster, split=split)
    document = collector.document(start, end, progress=progress)
    return document, collector.stats


def _weeks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    pieces = []
    at = start
    while at < end:
        pieces.append((at, min(end, at + MAX_LOAD_WINDOW)))
        at = pieces[-1][1]
    return pieces


def collect_batches(source: PrometheusSource, config: PrometheusConfig, *,
                    watermark: str | None, start: datetime | None = None,
                    end: datetime | None = None, dump: Path | None = None,
                    progress: Progress = quiet) -> Iterator[LoadBatch]:
    """One server's window (default: from `watermark`), a batch per week, oldest first.

    Windows longer than a week come a week at a time, each with its watermark: memory stays
    bounded on a long backfill, and a failure keeps the weeks already loaded (a rerun continues
    from there). `dump` also writes each week's document (suffixed with its start when several).
    """
    yield from _cluster_batches(source, config, client_for(source, config), source.cluster,
                                watermark=watermark, start=start, end=end, dump=dump,
                                progress=progress)


def collect_store(source: PrometheusSource, config: PrometheusConfig, *,
                  watermarks: Mapping[str, str], start: datetime | None = None,
                  end: datetime | None = None, dump: Path | None = None,
                  progress: Progress = quiet) -> Iterator[LoadBatch]:
    """Every cluster of a central store (`cluster_label`), one after the other.

    Splitting starts with the cluster: each is collected as a server of its own would be (its
    own window from its own watermark, in `watermarks` by `watermark_key`, namespace groups and
    time chunks), through a client that adds `cluster_label="<name>"` to every selector and
    keeps the label in every aggregation."""
    label = source.cluster_label or ""
    client = client_for(source, config)
    end = end or last_complete_hour()
    oldest = min([end - FIRST_RUN, *(datetime.fromisoformat(v) for v in watermarks.values())])
    clusters = cluster_names(client, config, label, start=start or oldest, end=end)
    progress(f"{len(clusters)} cluster(s) by label {label}: {', '.join(clusters)}")
    for cluster in clusters:
        scoped = client.scoped(Scope((*source.matchers, label_matcher(label, cluster)), label))
        yield from _cluster_batches(
            source, config, scoped, cluster, watermark=watermarks.get(watermark_key(cluster)),
            start=start, end=end, progress=_prefixed(progress, f"{cluster}: "),
            dump=dump.with_name(f"{dump.stem}-{cluster}{dump.suffix}") if dump else None)


def _prefixed(progress: Progress, prefix: str) -> Progress:
    """Progress lines of one cluster of a store, named."""
    return lambda message: progress(prefix + message)


def cluster_names(client: PrometheusClient, config: PrometheusConfig, label: str, *,
                  start: datetime, end: datetime) -> list[str]:
    """The values of `label` on the containers' and nodes' series in [start, end]."""
    m, lb = config.metrics, config.labels
    found: set[str] = set()
    for selector in (f'{m.memory_working_set}{{{lb.container}!=""}}', m.node_capacity):
        found |= set(client.label_values(label, match=selector, start=start, end=end))
    return sorted(name for name in found if name)


def _cluster_batches(source: PrometheusSource, config: PrometheusConfig,
                     client: PrometheusClient, cluster: str, *, watermark: str | None,
                     start: datetime | None, end: datetime | None, dump: Path | None,
                     progress: Progress) -> Iterator[LoadBatch]:
    window_start, window_end = resolve_window(watermark, start=start, end=end)
    if window_start >= window_end:
        progress(f"up to date (watermark {window_start:%Y-%m-%d %H:%M})")
        return
    pieces = _weeks(window_start, window_end)
    for piece_start, piece_end in pieces:
        target = dump
        if dump is not None and len(pieces) > 1:
            target = dump.with_name(f"{dump.stem}-{piece_start:%Y%m%dT%H}{dump.suffix}")
        document, stats = collect_window(source, config, start=piece_start, end=piece_end,
                                         progress=progress, client=client, cluster=cluster)
        if target is not None:
            target.write_bytes(to_json_document(document))
        batch = read_dump(document, cluster=cluster, origin=f"{source.url} ({cluster})")
        # re-collecting an old window never moves the watermark back
        new_mark = max(piece_end, datetime.fromisoformat(watermark)) if watermark else piece_end
        batch.state[watermark_key(cluster)] = new_mark.isoformat()
        learnt = ", ".join(f"{name} {3600 / n:g} s" for name, n in stats.samples_per_hour.items())
        progress(f"scrape interval: {learnt}")
        if stats.gap_hours:
            progress(f"warning: {stats.gap_hours} whole hour(s) without samples inside series "
                     "(scrape gaps) are missing")
        progress(f"{piece_start:%Y-%m-%d %H:%M} to {piece_end:%Y-%m-%d %H:%M}: "
                 f"{stats.requests} requests")
        yield batch


__all__ = ["client_for", "cluster_names", "collect_batches", "collect_store", "collect_window",
           "last_complete_hour", "resolve_window", "watermark_key"]
