"""Live collection from one Prometheus server: the window to collect, then one batch per week.

A pure function of its inputs (the stored watermark is passed in, never read here): the window
is `[watermark, last complete hour)` unless `--start/--end` say otherwise; each week of it
becomes a `LoadBatch` carrying the new watermark in its `state`, which the loader
(fleetscope.ops.ingest) writes in the same transaction as the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fleetscope.collectors.progress import Progress, quiet
from fleetscope.collectors.prometheus.client import Auth, PrometheusClient
from fleetscope.collectors.prometheus.collector import CollectStats, WindowCollector
from fleetscope.collectors.prometheus.document import to_json_document
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
    """A client with the source's credentials read from the environment."""
    auth = Auth.from_env(bearer_token_env=source.bearer_token_env, username=source.username,
                         password_env=source.password_env, ca_file=source.ca_file)
    return PrometheusClient(source.url, auth=auth, timeout=source.timeout_seconds,
                            max_retries=config.max_retries)


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
                   end: datetime, split: bool = True, progress: Progress = quiet
                   ) -> tuple[dict[str, Any], CollectStats]:
    """The dump document of one server and window, and what collecting it took."""
    collector = WindowCollector(client_for(source, config), config, cluster=source.cluster,
                                split=split)
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
                                         progress=progress)
        if target is not None:
            target.write_bytes(to_json_document(document))
        batch = read_dump(document, cluster=source.cluster,
                          origin=f"{source.url} ({source.cluster})")
        # re-collecting an old window never moves the watermark back
        new_mark = max(piece_end, datetime.fromisoformat(watermark)) if watermark else piece_end
        batch.state[watermark_key(source.cluster)] = new_mark.isoformat()
        learnt = ", ".join(f"{name} {3600 / n:g} s" for name, n in stats.samples_per_hour.items())
        progress(f"scrape interval: {learnt}")
        if stats.gap_hours:
            progress(f"warning: {stats.gap_hours} whole hour(s) without samples inside series "
                     "(scrape gaps) are missing")
        progress(f"{piece_start:%Y-%m-%d %H:%M} to {piece_end:%Y-%m-%d %H:%M}: "
                 f"{stats.requests} requests")
        yield batch


__all__ = ["client_for", "collect_batches", "collect_window", "last_complete_hour",
           "resolve_window", "watermark_key"]
