"""The sources to collect, each as an `ingest.Source`: live APIs and offline files alike.

One constructor per source kind and mode, used by `fleetscope collect ...` and `fleetscope run`
(`plan_sources`, from the config), so the two cannot drift; the demo reads its generated files
with the same readers and loads them through the same loader. A constructor only
describes the source; its `extract` calls the collector when the loader asks (heavy imports
happen there), and reports through the loader's progress callback.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fleetscope.config import (
    CatalogConfig,
    Config,
    HeliosConfig,
    PrometheusConfig,
    PrometheusSource,
)
from fleetscope.errors import ConfigError
from fleetscope.ops.ingest import Progress, Source, loaded_line

if TYPE_CHECKING:
    from fleetscope.collectors.kubernetes.live import ClusterTarget
    from fleetscope.config import KubernetesConfig
    from fleetscope.warehouse import LoadBatch, LoadResult, Warehouse

# `2026-11-20`, `2026-11-20T06`, `2026-11-20T06:00:00Z`, `20261120T060000Z` in a file name.
_NAME_TIME = re.compile(
    r"(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:[T_](?P<H>\d{2})(?::?(?P<M>\d{2}))?(?::?(?P<S>\d{2}))?Z?)?")


def plan_sources(config: Config, config_dir: Path) -> list[Source]:
    """Every source the config names, catalog first (ownership), in a stable order."""
    c = config
    found: list[Source] = []
    if c.catalog.path:
        path = _resolve(c.catalog.path, config_dir)
        found.append(catalog_path(path, when=_parse_time(c.catalog.collected_at,
                                                         key="catalog.collected_at"),
                                  patterns=c.catalog.patterns))
    if c.catalog.url:
        found.append(catalog_url(c.catalog, c.catalog.url))
    for i, k8s_file in enumerate(c.kubernetes.files):
        for path in _expand(k8s_file.path, config_dir, key=f"kubernetes.files[{i}].path"):
            when = _file_time(path, k8s_file.collected_at,
                              key=f"kubernetes.files[{i}].collected_at")
            found.append(kubernetes_file(path, cluster=k8s_file.cluster, when=when))
    found += kubernetes_live(c.kubernetes) if c.kubernetes.in_cluster or \
        c.kubernetes.contexts else []
    for i, pattern in enumerate(c.prometheus.files):
        found += [prometheus_files([path], name=path.stem, label=f"prometheus {path.name}")
                  for path in _expand(pattern, config_dir, key=f"prometheus.files[{i}]")]
    found += [prometheus_live(c.prometheus, src) for src in c.prometheus.sources]
    for i, helios_file in enumerate(c.helios.files):
        for path in _expand(helios_file.path, config_dir, key=f"helios.files[{i}].path"):
            when = _file_time(path, helios_file.collected_at,
                              key=f"helios.files[{i}].collected_at")
            found.append(helios_file_source(path, name=c.helios.source, when=when))
    if c.helios.url:
        found.append(helios_live(c.helios, c.helios.url, name=c.helios.source))
    for i, bill in enumerate(c.billing.sources):
        path = _resolve(bill.path, config_dir)
        if not path.exists():
            raise ConfigError(f"billing.sources[{i}].path: {str(path)!r} does not exist")
        found.append(billing_focus(path, name=bill.source, currency=c.pricing.currency))
    from fleetscope.ops.sources_dirt import plan_dirt_sources
    from fleetscope.ops.sources_git import plan_git_sources

    return found + plan_git_sources(c, config_dir) + plan_dirt_sources(c, config_dir)


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


# -- one constructor per source kind and mode -----------------------------------------------------

def _one(batch: Callable[[], LoadBatch]) -> Callable[[Mapping[str, str], Progress],
                                                     Iterable[LoadBatch]]:
    """An extract for a source that is one snapshot: no state, one batch."""
    return lambda state, progress: [batch()]


def _now_or(when: datetime | None) -> datetime:
    from fleetscope.warehouse import utc_now

    return when or utc_now()


def catalog_path(path: Path, *, when: datetime | None, name: str = "catalog",
                 patterns: Sequence[str] | None = None) -> Source:
    """A folder (or file) of catalog-info.yaml descriptors; `patterns` filter a folder."""
    def read(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.catalog import read_catalog_path
        from fleetscope.collectors.catalog.locations import DEFAULT_PATTERNS

        return [read_catalog_path(path, collected_at=_now_or(when), source=name,
                                  patterns=patterns or DEFAULT_PATTERNS, progress=progress)]

    return Source("catalog", name, f"catalog {path}", read, offline=True, describe=_entities)


def catalog_url(config: CatalogConfig, url: str, *, name: str = "catalog",
                when: datetime | None = None) -> Source:
    """The Backstage catalog API; the token comes from the variable `token_env` names."""
    def fetch() -> LoadBatch:
        import os

        from fleetscope.collectors.catalog.client import fetch_catalog

        token = os.environ.get(config.token_env) if config.token_env else None
        return fetch_catalog(url, token=token, source=name, collected_at=_now_or(when))

    return Source("catalog", name, f"catalog {url}", _one(fetch), describe=_entities)


def _entities(label: str, batch: LoadBatch, result: LoadResult) -> str:
    return f"catalog {batch.source_name}: loaded {result.total_rows} entities"


_K8S_SHORT = {"raw_k8s_nodes": "nodes", "raw_k8s_namespaces": "namespaces", "raw_k8s_pods": "pods",
              "raw_k8s_containers": "containers", "raw_k8s_workloads": "workloads",
              "raw_k8s_replicasets": "replicasets", "raw_k8s_pvcs": "pvcs", "raw_k8s_pvs": "pvs"}


def _k8s_loaded(label: str, batch: LoadBatch, result: LoadResult) -> str:
    parts = ", ".join(f"{result.row_counts.get(table, 0)} {short}"
                      for table, short in _K8S_SHORT.items())
    return f"{batch.source_name}: loaded {parts}"


def _k8s_snapshot_loaded(label: str, batch: LoadBatch, result: LoadResult) -> str:
    return (f"{_k8s_loaded(label, batch, result)} "
            f"(snapshot {batch.collected_at:%Y-%m-%dT%H:%M:%S}Z)")


def kubernetes_file(path: Path, *, cluster: str, when: datetime | None) -> Source:
    """A `kubectl get ... -o json` List of one cluster."""
    def read(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.kubernetes.reader import read_list_file

        return [read_list_file(path, cluster=cluster, collected_at=when, progress=progress)]

    return Source("kubernetes", cluster, f"kubernetes {cluster} {path.name}", read,
                  offline=True, describe=_k8s_snapshot_loaded)


def kubernetes_live(settings: KubernetesConfig, contexts: tuple[str, ...] = ()
                    ) -> list[Source]:
    """One source per cluster: the given contexts, else the configured ones and in-cluster."""
    from fleetscope.collectors.kubernetes.live import targets

    return [_kubernetes_target(settings, target) for target in targets(settings, contexts)]


def _kubernetes_target(settings: KubernetesConfig, target: ClusterTarget) -> Source:
    where = f"context {target.context}" if target.context else "in-cluster"

    def collect(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.kubernetes.live import collect_target

        progress(f"{target.cluster}: collecting ({where})")
        return [collect_target(settings, target)]

    return Source("kubernetes", target.cluster, f"kubernetes {target.cluster} ({where})",
                  collect, describe=_k8s_loaded)


def prometheus_files(paths: list[Path], *, name: str, cluster: str | None = None,
                     label: str | None = None) -> Source:
    """Offline dumps, loaded together in one transaction (each carries its own window)."""
    def read(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.prometheus import read_dump_file

        return [read_dump_file(path, cluster=cluster) for path in paths]

    return Source("prometheus", name, label or f"prometheus {', '.join(map(str, paths))}", read,
                  atomic=True, offline=True, describe=_window_loaded)


def _window_loaded(label: str, batch: LoadBatch, result: LoadResult) -> str:
    window = batch.window
    span = f"{window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M}" if window else ""
    return (f"{label}: cluster {batch.source_name}, {span}: loaded {result.total_rows} rows "
            f"({', '.join(f'{t} {n}' for t, n in result.row_counts.items())})")


def prometheus_live(config: PrometheusConfig, server: PrometheusSource, *,
                    start: datetime | None = None, end: datetime | None = None,
                    dump: Path | None = None) -> Source:
    """One server's window, by default from its watermark (read by the loader, passed in)."""
    from fleetscope.collectors.prometheus.live import watermark_key

    if server.cluster_label:
        return _prometheus_store(config, server, start=start, end=end, dump=dump)
    key = watermark_key(server.cluster)
    label = f"prometheus {server.cluster}"

    def collect(state: Mapping[str, str], progress: Progress) -> Iterable[LoadBatch]:
        from fleetscope.collectors.prometheus.live import collect_batches

        return collect_batches(server, config, watermark=state.get(key), start=start, end=end,
                               dump=dump, progress=lambda m: progress(f"{label}: {m}"))

    return Source("prometheus", server.cluster, label, collect, state_keys=(key,),
                  describe=_window_loaded)


def _prometheus_store(config: PrometheusConfig, server: PrometheusSource, *,
                      start: datetime | None, end: datetime | None, dump: Path | None
                      ) -> Source:
    """A central store of many clusters: each cluster loads under its own name and watermark
    (`prometheus:<cluster>:watermark`, the key a per-cluster source writes too)."""
    from fleetscope.collectors.prometheus.client import public_url

    name = f"{public_url(server.url.rstrip('/'))} by {server.cluster_label}"
    label = f"prometheus {name}"

    def watermarks(wh: Warehouse) -> dict[str, str]:
        # the clusters are known only once the store is asked: read every cluster's mark
        rows = wh.con.execute("select state_key, state_value from state where state_key "
                              "like 'prometheus:%:watermark'").fetchall()
        return dict(rows)

    def collect(state: Mapping[str, str], progress: Progress) -> Iterable[LoadBatch]:
        from fleetscope.collectors.prometheus.live import collect_store

        return collect_store(server, config, watermarks=state, start=start, end=end, dump=dump,
                             progress=lambda m: progress(f"{label}: {m}"))

    return Source("prometheus", name, label, collect, reads=watermarks,
                  describe=_window_loaded)


def helios_file_source(path: Path, *, name: str, when: datetime | None) -> Source:
    """An offline Helios document {jobs, hosts, history}."""
    def read() -> LoadBatch:
        from fleetscope.collectors.helios import read_dump_file

        return read_dump_file(path, source=name, collected_at=when)

    return Source("helios", name, f"helios {path.name}", _one(read), offline=True,
                  describe=_helios_loaded)


def helios_live(config: HeliosConfig, url: str, *, name: str, dump: Path | None = None
                ) -> Source:
    """The Helios master's REST API; `dump` also writes the offline document."""
    def collect(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.helios.client import collect_live

        result = collect_live(url, source=name, concurrency=config.concurrency,
                              timeout_seconds=config.timeout_seconds, dump=dump)
        progress(f"helios {name}: {result.host_count} hosts, {result.job_count} jobs in "
                 f"{result.seconds:.1f}s with {result.http_calls} HTTP calls")
        return [result.batch]

    return Source("helios", name, f"helios {url}", collect, describe=_helios_loaded)


def billing_focus(path: Path, *, name: str, currency: str) -> Source:
    """FOCUS exports (a file or a folder): one transaction per billing period, each replacing
    that period of the source (a restated bill), all read and checked before the first."""
    def read(state: Mapping[str, str], progress: Progress) -> Iterable[LoadBatch]:
        from fleetscope.collectors.billing import read_focus_path

        return read_focus_path(path, source=name, currency=currency, progress=progress)

    return Source("billing", name, f"billing {name} {path.name}", read, offline=True,
                  describe=_period_loaded)


def _period_loaded(label: str, batch: LoadBatch, result: LoadResult) -> str:
    period = f"{batch.window.start:%Y-%m-%d}" if batch.window else ""
    return f"{label}: billing period {period}: loaded {result.total_rows:,} bill lines"


def _helios_loaded(label: str, batch: LoadBatch, result: LoadResult) -> str:
    return loaded_line(f"helios {batch.source_name}", batch, result)


__all__ = ["billing_focus", "catalog_path", "catalog_url", "helios_file_source", "helios_live",
           "kubernetes_file", "kubernetes_live", "plan_sources", "prometheus_files",
           "prometheus_live", "time_from_name"]
