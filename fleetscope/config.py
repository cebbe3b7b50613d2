"""The TOML configuration: typed sections, strict validation, documentation from one source.

Each section is a frozen dataclass whose fields carry a `doc` string in their metadata. Loading
checks every key against these dataclasses, so an unknown key or a wrong type is an error naming
the key (`pricing.cpu_per_core_hour: expected a number, got 'cheap'`). `describe()` renders the
same dataclasses as the key-by-key reference in docs/configuration.md.

Secrets never live in the file: options such as `bearer_token_env` name an environment variable.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from fleetscope.errors import ConfigError

DEFAULT_WAREHOUSE = "fleetscope-data/fleetscope.duckdb"
DEFAULT_REPORTS = "fleetscope-data/reports"


def _doc(text: str, default: Any = dataclasses.MISSING, **kwargs: Any) -> Any:
    """A dataclass field with documentation attached (mutable defaults via default_factory)."""
    if isinstance(default, list | dict):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata={"doc": text}, **kwargs)
    return field(default=default, metadata={"doc": text}, **kwargs)


@dataclass(frozen=True)
class WarehouseConfig:
    path: str = _doc("DuckDB file of the warehouse (overridden by `--warehouse`).",
                     DEFAULT_WAREHOUSE)


@dataclass(frozen=True)
class InstanceTypePrice:
    hourly: float | None = _doc("On-demand price of one node of this type per hour.", None)
    spot_hourly: float | None = _doc("Spot price of one node of this type per hour.", None)


@dataclass(frozen=True)
class PricingConfig:
    currency: str = _doc("Currency of every amount in the warehouse and reports.", "USD")
    cpu_per_core_hour: float = _doc("On-demand price of one vCPU for one hour.", 0.031611)
    ram_per_gib_hour: float = _doc("On-demand price of one GiB of RAM for one hour.", 0.004237)
    gpu_per_hour: float = _doc("Price of one GPU for one hour.", 0.95)
    storage_per_gib_hour: float = _doc("Price of one GiB of persistent volume for one hour.",
                                       0.00005479452)
    spot_cpu_per_core_hour: float = _doc("Spot price of one vCPU for one hour.", 0.006655)
    spot_ram_per_gib_hour: float = _doc("Spot price of one GiB of RAM for one hour.", 0.000892)
    legacy_host_per_hour: float | None = _doc(
        "Price of one Helios host for one hour. Unset: each host is priced from its CPUs and "
        "memory at the on-demand rates above.", None)
    instance_types: dict[str, InstanceTypePrice] = _doc(
        "Per instance type prices, e.g. `[pricing.instance_types.\"m5.xlarge\"] hourly = 0.192`. "
        "The price is split over CPU, RAM and GPU by capacity x the default rates (OpenCost).", {})
    rightsizing_target_utilization: float = _doc(
        "Right-sizing: recommended request = p95 usage / this target (0 < target <= 1).", 0.7)
    rightsizing_window_days: int = _doc(
        "Right-sizing: days of history (ending at the last day of data) the p95 is taken over.",
        14)


@dataclass(frozen=True)
class OwnershipConfig:
    team_label_keys: list[str] = _doc(
        "Workload and pod label keys naming the owning team, first match wins.", ["team", "owner"])
    namespace_team_keys: list[str] = _doc(
        "Namespace label or annotation keys naming the owning team.", ["team", "owner"])
    app_label_keys: list[str] = _doc(
        "Workload label keys naming the app (the Backstage component), first match wins; "
        "the workload name is used when none is set.",
        ["backstage.io/kubernetes-id", "app.kubernetes.io/name", "app"])
    helios_component_metadata_keys: list[str] = _doc(
        "Helios job `metadata` keys naming the Backstage component; the job name otherwise.",
        ["backstage.io/component", "component"])
    overrides_file: str | None = _doc(
        "YAML file of explicit app and team mappings that win over every other rule.", None)


@dataclass(frozen=True)
class SharingConfig:
    namespaces: list[str] = _doc(
        "Kubernetes namespaces whose cost (workloads and volumes) is spread over the teams, e.g. "
        "`[\"kube-system\", \"monitoring\"]`; `mart_team_cost_daily.shared_cost` moves it.", [])
    split: str = _doc(
        "How shared cost is spread per cluster and day: `weighted` (by each team's allocated cost "
        "outside the shared namespaces) or `even` (equally over the teams with such cost).",
        "weighted")
    overhead_per_hour: dict[str, float] = _doc(
        "Cost per hour not in any node price, per cluster (control plane, support): "
        "`[sharing.overhead_per_hour] prod-eu = 0.10`; charged for each hour the cluster has "
        "nodes and spread like the shared namespaces.", {})


@dataclass(frozen=True)
class KubernetesContext:
    context: str = _doc("kubeconfig context name.")
    cluster: str | None = _doc("Cluster name in the warehouse (default: the context name).", None)


_COLLECTED_AT_DOC = (
    "Snapshot time (ISO 8601, UTC) for every matched file. Unset: the date or date-time in each "
    "file's name (`snap-2026-11-20.json`, `snap-2026-11-20T06:00:00Z.json`), else the file's "
    "modification time.")


@dataclass(frozen=True)
class KubernetesFile:
    path: str = _doc("A `kubectl get ... -o json` List, or a glob of them (`dumps/prod/*.json`); "
                     "relative to the config file's folder.")
    cluster: str = _doc("Cluster name in the warehouse.")
    collected_at: str | None = _doc(_COLLECTED_AT_DOC, None)


@dataclass(frozen=True)
class KubernetesConfig:
    contexts: list[KubernetesContext] = _doc(
        "Clusters to collect: `[[kubernetes.contexts]] context = \"prod\"`.", [])
    files: list[KubernetesFile] = _doc(
        "Offline snapshots collected by `fleetscope run`: `[[kubernetes.files]] path = ... "
        "cluster = ...`.", [])
    kubeconfig: str | None = _doc("kubeconfig file (default: $KUBECONFIG or ~/.kube/config).",
                                  None)
    in_cluster: bool = _doc("Use the pod's service account instead of a kubeconfig.", False)
    in_cluster_name: str = _doc("Cluster name used with `in_cluster`.", "in-cluster")
    service_account_dir: str = _doc(
        "Folder holding the service account's `token` and `ca.crt` used with `in_cluster` (the "
        "token is re-read each minute, so kubelet rotation is followed).",
        "/var/run/secrets/kubernetes.io/serviceaccount")
    page_size: int = _doc("Objects per list page (`limit`).", 500)
    request_timeout_seconds: float = _doc("Timeout of one API request.", 60.0)
    max_retries: int = _doc("Retries on 429 and 5xx before a cluster is marked failed.", 5)
    retry_backoff_seconds: float = _doc(
        "First retry delay, doubled per retry (capped at 30 s); a `Retry-After` header wins.",
        1.0)


@dataclass(frozen=True)
class PrometheusSource:
    url: str = _doc("Base URL of the Prometheus server.")
    cluster: str = _doc("Cluster name whose metrics this server holds.")
    bearer_token_env: str | None = _doc("Environment variable holding a bearer token.", None)
    username: str | None = _doc("Basic-auth user.", None)
    password_env: str | None = _doc("Environment variable holding the basic-auth password.", None)
    ca_file: str | None = _doc("CA bundle to verify the server's certificate.", None)
    timeout_seconds: float = _doc("Timeout of one query.", 120.0)


@dataclass(frozen=True)
class PrometheusMetrics:
    cpu_usage: str = _doc("Counter of CPU seconds per container.",
                          "container_cpu_usage_seconds_total")
    memory_working_set: str = _doc("Gauge of working-set bytes per container.",
                                   "container_memory_working_set_bytes")
    requests: str = _doc("Gauge of container requests (label `resource`).",
                         "kube_pod_container_resource_requests")
    running: str = _doc("1 while a container runs.", "kube_pod_container_status_running")
    node_capacity: str = _doc("Gauge of node capacity (label `resource`).",
                              "kube_node_status_capacity")


@dataclass(frozen=True)
class PrometheusLabels:
    namespace: str = _doc("Label holding the namespace.", "namespace")
    pod: str = _doc("Label holding the pod name.", "pod")
    container: str = _doc("Label holding the container name.", "container")
    node: str = _doc("Label holding the node name.", "node")
    resource: str = _doc("Label holding the resource of requests and capacity.", "resource")


@dataclass(frozen=True)
class PrometheusConfig:
    sources: list[PrometheusSource] = _doc(
        "Servers to collect: `[[prometheus.sources]] url = ... cluster = ...`.", [])
    metrics: PrometheusMetrics = _doc("Metric names (kube-prometheus-stack defaults).",
                                      default_factory=PrometheusMetrics)
    labels: PrometheusLabels = _doc("Label names (kube-prometheus-stack defaults).",
                                    default_factory=PrometheusLabels)
    max_series_per_query: int = _doc(
        "Split queries by namespace and time so that no response holds more series x points.",
        200_000)
    scrape_interval_seconds: float | None = _doc(
        "Override of the scrape interval of kube-state-metrics (running and present fractions "
        "count samples per hour against it). Unset: learnt from the data, per series from its "
        "full hours (docs/architecture.md, Prometheus dump).", None)
    gpu_resource: str = _doc("Value of the `resource` label for GPUs (kube-state-metrics "
                             "sanitizes `nvidia.com/gpu`).", "nvidia_com_gpu")
    max_retries: int = _doc("Retries of a query on 503, 429 or a timeout before the cluster "
                            "is marked failed.", 3)
    files: list[str] = _doc(
        "Offline dumps collected by `fleetscope run` (files or globs, relative to the config "
        "file's folder); each dump names its cluster and window.", [])


@dataclass(frozen=True)
class HeliosFile:
    path: str = _doc("An offline document `{jobs, hosts, history}`, or a glob of them; relative "
                     "to the config file's folder.")
    collected_at: str | None = _doc(_COLLECTED_AT_DOC, None)


@dataclass(frozen=True)
class HeliosConfig:
    url: str | None = _doc("Helios master URL, e.g. http://helios-master:5801.", None)
    files: list[HeliosFile] = _doc(
        "Offline snapshots collected by `fleetscope run`: `[[helios.files]] path = ...`.", [])
    source: str = _doc("Name of this Helios installation in the warehouse.", "helios")
    concurrency: int = _doc("Parallel requests when the master lacks bulk endpoints.", 16)
    timeout_seconds: float = _doc("Timeout of one request.", 30.0)


@dataclass(frozen=True)
class CatalogConfig:
    path: str | None = _doc("Folder of Backstage catalog-info.yaml files.", None)
    collected_at: str | None = _doc(
        "Snapshot time (ISO 8601, UTC) of `path` when `fleetscope run` reads it (default: now).",
        None)
    url: str | None = _doc("Backstage base URL (uses /api/catalog/entities/by-query).", None)
    token_env: str | None = _doc("Environment variable holding a Backstage bearer token.", None)
    patterns: list[str] = _doc(
        "Globs (relative to `path`, `**` for any depth) naming the descriptor files of a folder; "
        "Location entities' targets are followed whatever their name.", ["**/*.yaml", "**/*.yml"])


@dataclass(frozen=True)
class ReportsConfig:
    out_dir: str = _doc("Folder the HTML reports and index are written to.", DEFAULT_REPORTS)
    engineer_cost_per_year: float = _doc(
        "Cost of one engineer per year; a change is notable from half of it over the period.",
        200_000.0)
    notable_change_pct: float = _doc("Minimum relative change, in percent, to call notable.",
                                     5.0)
    workers: int = _doc("Parallel notebook kernels used to render team reports.", 2)


@dataclass(frozen=True)
class ValidateConfig:
    max_unallocated_share_pct: float = _doc(
        "Highest share of cost (percent) allowed on `__unallocated__` before the gate fails.",
        15.0)
    max_staleness_hours: float = _doc(
        "A source or cluster whose newest data is older than this is stale.", 36.0)


@dataclass(frozen=True)
class RunConfig:
    lock_timeout_seconds: float = _doc(
        "How long `fleetscope run` waits for another run's lock before giving up.", 600.0)


@dataclass(frozen=True)
class Config:
    warehouse: WarehouseConfig = _doc("Where the warehouse lives.",
                                      default_factory=WarehouseConfig)
    pricing: PricingConfig = _doc("Prices (OpenCost defaults).", default_factory=PricingConfig)
    ownership: OwnershipConfig = _doc("How apps and teams are found.",
                                      default_factory=OwnershipConfig)
    sharing: SharingConfig = _doc("Shared namespaces and cluster overhead spread over teams.",
                                  default_factory=SharingConfig)
    kubernetes: KubernetesConfig = _doc("Clusters collected by `fleetscope collect kubernetes`.",
                                        default_factory=KubernetesConfig)
    prometheus: PrometheusConfig = _doc("Usage metrics.", default_factory=PrometheusConfig)
    helios: HeliosConfig = _doc("The legacy orchestrator.", default_factory=HeliosConfig)
    catalog: CatalogConfig = _doc("The Backstage catalog.", default_factory=CatalogConfig)
    reports: ReportsConfig = _doc("Report rendering.", default_factory=ReportsConfig)
    validate: ValidateConfig = _doc("Data-quality gate.", default_factory=ValidateConfig)
    run: RunConfig = _doc("Scheduled runs.", default_factory=RunConfig)


def load_config(path: str | Path | None) -> Config:
    """Read and validate a TOML file; no path means all defaults."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_config(raw, source=str(path))


def parse_config(raw: dict[str, Any], *, source: str = "config") -> Config:
    """Build a Config from already-parsed TOML, naming the first bad key."""
    return _build(Config, raw, prefix="", source=source)


def _build(cls: type, raw: Any, *, prefix: str, source: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: {prefix.rstrip('.') or 'top level'}: expected a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in names:
            known = ", ".join(sorted(names))
            raise ConfigError(f"{source}: unknown key '{prefix}{key}' (known: {known})")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{source}: missing required key '{prefix}{f.name}'")
            continue
        values[f.name] = _coerce(hints[f.name], raw[f.name], key=f"{prefix}{f.name}",
                                 source=source)
    return cls(**values)


def _is_section(hint: Any) -> TypeGuard[type]:
    """A dataclass type: a TOML table with its own keys."""
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _coerce(hint: Any, value: Any, *, key: str, source: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, key=key, source=source)
    if _is_section(hint):
        return _build(hint, value, prefix=f"{key}.", source=source)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{source}: {key}: expected a list, got {value!r}")
        return [_coerce(args[0], v, key=f"{key}[{i}]", source=source)
                for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {key}: expected a table, got {value!r}")
        return {k: _coerce(args[1], v, key=f"{key}.{k}", source=source) for k, v in value.items()}
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{source}: {key}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{source}: {key}: expected an integer, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: {key}: expected true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{source}: {key}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{source}: {key}: unsupported type {hint!r}")  # pragma: no cover


def describe(cls: type = Config, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key, type, default, doc) for every key, for the generated configuration reference."""
    rows: list[tuple[str, str, str, str]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        key = f"{prefix}{f.name}"
        doc = f.metadata.get("doc", "")
        inner = hint
        if typing.get_origin(hint) in (list, dict):
            inner = typing.get_args(hint)[-1]
        if _is_section(hint):
            rows.append((f"[{key}]", "table", "", doc))
            rows.extend(describe(hint, f"{key}."))
            continue
        type_name = getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
        if f.default is not dataclasses.MISSING:
            default = repr(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = repr(f.default_factory())
        else:
            default = "(required)"
        rows.append((key, type_name, default, doc))
        if _is_section(inner):
            sub = "[*]" if typing.get_origin(hint) is list else ".<name>"
            rows.extend(describe(inner, f"{key}{sub}."))
    return rows
