"""Presence in each hour from sample counts, with the scrape interval learnt from the data.

A series' samples per hour (3600 / its scrape interval) are read off its own full hours: the
hours strictly between the first and last hour it has samples in. Those hours are whole for a
Kubernetes object that exists before and after them, so they hold one hour of scrapes (a scrape
gap only lowers a count: hours under 90% of the fullest are left out, and the median of the
rest absorbs the +-1 of scrape-time jitter). A series too short to have a full hour takes the value
of its query's other series (one exporter, one interval), else one measured from its raw
samples (`probe_samples_per_hour`). `prometheus.scrape_interval_seconds`, when set, overrides
all of this.

Presence of an hour is then samples / samples per hour at the first and last hour of a series
(capped at 1; one sample short is jitter, so 1) and 1 strictly inside its span. The collector
queries one hour before and after the window, so a window's edge is not taken for a series'.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

Labels = tuple[str | None, ...]
Arrays = tuple[np.ndarray, np.ndarray]  # (hour-end timestamps, values)


def series_samples_per_hour(counts: np.ndarray) -> float | None:
    """Samples per hour seen in a series' full hours (None without one)."""
    inner = counts[1:-1]
    if len(inner) == 0 or inner.max() <= 0:
        return None
    full = inner[inner >= 0.9 * inner.max()]  # hours with a scrape gap say nothing
    return float(np.median(full))


def learn_samples_per_hour(
    counts: Mapping[Labels, Arrays],
) -> tuple[dict[Labels, float], float | None]:
    """Per series learnt from its own full hours, and their median for the rest of its query."""
    own: dict[Labels, float] = {}
    for key, (_, values) in counts.items():
        found = series_samples_per_hour(values)
        if found is not None:
            own[key] = found
    common = float(np.median(list(own.values()))) if own else None
    return own, common


def presence(ts: np.ndarray, counts: np.ndarray, samples_per_hour: float) -> tuple[np.ndarray, int]:
    """Fraction of each hour a series existed, and the whole hours missing inside its span."""
    fraction = np.minimum(counts / samples_per_hour, 1.0)
    # scrape timestamps jitter: a full hour holds N +- 1 samples; one missing is noise
    fraction[fraction >= 1.0 - 1.5 / samples_per_hour] = 1.0
    missing = 0
    if len(ts) > 2:
        fraction[1:-1] = 1.0  # a scrape gap inside a series' span is not absence
        missing = max(round(float(ts[-1] - ts[0]) / 3600) + 1 - len(ts), 0)
    return fraction, missing


def interval_from_samples(timestamps: list[np.ndarray]) -> float | None:
    """Samples per hour from raw sample times (the median step between neighbours)."""
    steps = np.concatenate(
        [np.diff(np.sort(ts)) for ts in timestamps if len(ts) > 1] or [np.zeros(0)]
    )
    steps = steps[steps > 0]
    if not len(steps):
        return None
    return 3600.0 / float(np.median(steps))


def trim(series: Mapping[Labels, Arrays], first: float, last: float) -> dict[Labels, Arrays]:
    """Only the samples with first <= timestamp <= last (drops the looked-around hours)."""
    out = {}
    for key, (ts, values) in series.items():
        keep = (ts >= first) & (ts <= last)
        if keep.any():
            out[key] = (ts[keep], values[keep])
    return out
