"""What `fleetscope run` collects: one job per configured source, live or offline file.

A job's `collect(warehouse_path)` does the source's I/O and loads it through the warehouse
module, returning the number of rows written. The adapters below call the same library functions
as `fleetscope collect ...`; heavy imports happen inside them.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from fleetscope.config import Config, PrometheusSource
from fleetscope.errors import ConfigError

if TYPE_CHECKING:
    from fleetscope.warehouse import LoadBatch

# `2026-11-20`, `2026-11-20T06`, `2026-11-20T06:00:00Z`, `20261120T060000Z` in a file name.
_NAME_TIME = re.compile(
    r"(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:[T_](?P<H>\d{2})(?::?(?P<M>\d{2}))?(?::?(?P<S>\d{2}))?Z?)?")


@dataclass(frozen=True)
class SourceJob:
    """One source to collect: `kind` and `name` as in the `loads` table."""

    kind: str
    name: str
    label: str
    collect: Callable[[Path], int | None]  # rows written, None where the collector won't say


def plan_sources(config: Config, config_dir: Path) -> list[SourceJob]:
    """Every source the config names, catalog first (ownership), in a stable order."""
    jobs: list[SourceJob] = []
    c = config
    if c.catalog.path:
        path = _resolve(c.catalog.path, config_dir)
        when = _parse_time(c.catalog.collected_at, key="catalog.collected_at")
        jobs.append(SourceJob("catalog", "catalog", f"catalog {path}",
                              partial(_catalog_path, path=path, when=when)))
    if c.catalog.url:
        jobs.append(SourceJob("catalog", "catalog", f"catalog {c.catalog.url}",
                              partial(_catalog_url, config=config)))
    for i, k8s_file in enumerate(c.kubernetes.files):
        for path in _expand(k8s_file.path, config_dir, key=f"kubernetes.files[{i}].path"):
            when = _file_time(path, k8s_file.collected_at,
                              key=f"kubernetes.files[{i}].collected_at")
            jobs.append(SourceJob(
                "kubernetes", k8s_file.cluster, f"kubernetes {k8s_file.cluster} {path.name}",
                partial(_kubernetes_file, path=path, cluster=k8s_file.cluster, when=when)))
    if c.kubernetes.in_cluster:
        jobs.append(SourceJob("kubernetes", c.kubernetes.in_cluster_name,
                              f"kubernetes {c.kubernetes.in_cluster_name} (in-cluster)",
                              partial(_kubernetes_live, config=config, context=None)))
    for ctx in c.kubernetes.contexts:
        name = ctx.cluster or ctx.context
        jobs.append(SourceJob("kubernetes", name, f"kubernetes {name} (context {ctx.context})",
                              partial(_kubernetes_live, config=config, context=ctx.context)))
    for i, pattern in enumerate(c.prometheus.files):
        for path in _expand(pattern, config_dir, key=f"prometheus.files[{i}]"):
            jobs.append(SourceJob("prometheus", path.stem, f"prometheus {path.name}",
                                  partial(_prometheus_file, path=path)))
    for src in c.prometheus.sources:
        jobs.append(SourceJob("prometheus", src.cluster, f"prometheus {src.cluster}",
                              partial(_prometheus_live, config=config, source=src)))
    for i, helios_file in enumerate(c.helios.files):
        for path in _expand(helios_file.path, config_dir, key=f"helios.files[{i}].path"):
            when = _file_time(path, helios_file.collected_at,
                              key=f"helios.files[{i}].collected_at")
            jobs.append(SourceJob("helios", c.helios.source, f"helios {path.name}",
                                  partial(_helios_file, config=config, path=path, when=when)))
    if c.helios.url:
        jobs.append(SourceJob("helios", c.helios.source, f"helios {c.helios.url}",
                              partial(_helios_live, config=config)))
    return jobs


# -- paths and times ---------------------------------------------------------------------------

def _resolve(path: str, config_dir: Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else config_dir / p


def _expand(pattern: str, config_dir: Path, *, key: str) -> list[Path]:
    """Files matching a path or glob, sorted so that snapshots load oldest first."""
    full = _resolve(pattern, config_dir)
    if glob.has_magic(str(full)):
        matches = sorted(Path(p) for p in glob.glob(str(full)) if Path(p).is_file())
        if not matches:
            raise ConfigError(f"{key}: no file matches {str(full)!r}")
        return matches
    if not full.is_file():
        raise ConfigError(f"{key}: file {str(full)!r} does not exist")
    return [full]


def _parse_time(value: str | None, *, key: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{key}: {value!r} is not an ISO 8601 time such as "
                          "2026-11-20T06:00:00Z") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def time_from_name(name: str) -> datetime | None:
    """The last date or date-time written in a file name (naive UTC), if any."""
    found = None
    for match in _NAME_TIME.finditer(name):
        parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
        try:
            found = datetime(parts["y"], parts["m"], parts["d"], parts["H"], parts["M"],
                             parts["S"])
        except ValueError:
            continue
    return found


def _file_time(path: Path, configured: str | None, *, key: str) -> datetime:
    explicit = _parse_time(configured, key=key)
    if explicit is not None:
        return explicit
    from_name = time_from_name(path.name)
    if from_name is not None:
        return from_name
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)


# -- adapters to the collectors ------------------------------------------------------------------

def _load(warehouse_path: Path, batches: list[LoadBatch]) -> int:
    from fleetscope.warehouse import Warehouse

    with Warehouse(warehouse_path) as wh:
        return sum(wh.load(batch).total_rows for batch in batches)


def _catalog_path(warehouse_path: Path, path: Path, when: datetime | None) -> int:
    from fleetscope.collectors.catalog import read_catalog_path
    from fleetscope.warehouse import utc_now

    return _load(warehouse_path, [read_catalog_path(path, collected_at=when or utc_now())])


def _catalog_url(warehouse_path: Path, config: Config) -> int:
    import os

    from fleetscope.collectors.catalog.client import fetch_catalog
    from fleetscope.warehouse import utc_now

    c = config.catalog
    token = os.environ.get(c.token_env) if c.token_env else None
    assert c.url is not None
    return _load(warehouse_path, [fetch_catalog(c.url, token=token, source="catalog",
                                                collected_at=utc_now())])


def _kubernetes_file(warehouse_path: Path, path: Path, cluster: str, when: datetime) -> int:
    from fleetscope.collectors.kubernetes.reader import read_list_file

    return _load(warehouse_path, [read_list_file(path, cluster=cluster, collected_at=when)])


def _kubernetes_live(warehouse_path: Path, config: Config, context: str | None) -> int:
    from fleetscope.collectors.kubernetes import collect_cluster

    return _load(warehouse_path, [collect_cluster(config.kubernetes, context=context)])


def _prometheus_file(warehouse_path: Path, path: Path) -> int:
    from fleetscope.collectors.prometheus import read_dump_file

    return _load(warehouse_path, [read_dump_file(path)])


def _prometheus_live(warehouse_path: Path, config: Config, source: PrometheusSource) -> int:
    from fleetscope.collectors.prometheus.collector import collect_to_warehouse

    return collect_to_warehouse(warehouse_path, config.prometheus, source)


def _helios_file(warehouse_path: Path, config: Config, path: Path, when: datetime) -> int:
    from fleetscope.collectors.helios import read_dump_file

    return _load(warehouse_path, [read_dump_file(path, source=config.helios.source,
                                                 collected_at=when)])


def _helios_live(warehouse_path: Path, config: Config) -> int:
    from fleetscope.collectors.helios.client import collect_live

    h = config.helios
    assert h.url is not None
    result = collect_live(h.url, source=h.source, concurrency=h.concurrency,
                          timeout_seconds=h.timeout_seconds)
    return _load(warehouse_path, [result.batch])


__all__ = ["SourceJob", "plan_sources", "time_from_name"]
