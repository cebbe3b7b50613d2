"""Configuration sections of the usage, legacy and catalog sources."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fleetscope.config.fields import doc_field as _doc
from fleetscope.config.sections import _COLLECTED_AT_DOC
from fleetscope.errors import ConfigError


@dataclass(frozen=True)
class PrometheusSource:
    url: str = _doc("Base URL of the Prometheus server (Mimir: with its `/prometheus` prefix).")
    cluster: str = _doc("Cluster name whose metrics this server holds (or set `cluster_label`).",
                        "")
    cluster_label: str | None = _doc(
        "A central store's label naming each series' cluster (`cluster`, `k8s_cluster`): one "
        "collection loads every cluster it finds, each under its label value (instead of "
        "`cluster`).", None)
    matchers: list[str] = _doc(
        "PromQL label matchers added to every selector of every query, e.g. "
        "`['cluster=\"prod-eu\"']`.", [])
    headers: dict[str, str] = _doc(
        "Extra request headers, each value `env:VARIABLE` (read from the environment, never "
        "stored), e.g. `{ \"X-Scope-OrgID\" = \"env:MIMIR_TENANT\" }`.", {})
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
    init_running: str = _doc("1 while an init container runs.",
                             "kube_pod_init_container_status_running")
    init_requests: str = _doc("Gauge of init container requests (label `resource`).",
                              "kube_pod_init_container_resource_requests")
    node_capacity: str = _doc("Gauge of node capacity (label `resource`).",
                              "kube_node_status_capacity")
    node_labels: str = _doc("kube-state-metrics' node labels as `label_<name>` labels "
                            "(`[prometheus.node_labels]` says which).", "kube_node_labels")


@dataclass(frozen=True)
class PrometheusLabels:
    namespace: str = _doc("Label holding the namespace.", "namespace")
    pod: str = _doc("Label holding the pod name.", "pod")
    container: str = _doc("Label holding the container name.", "container")
    node: str = _doc("Label holding the node name.", "node")
    resource: str = _doc("Label holding the resource of requests and capacity.", "resource")


@dataclass(frozen=True)
class PrometheusNodeLabels:
    # kube-state-metrics' spelling of the node labels (docs/sources.md: only those allow-listed
    # by --metric-labels-allowlist exist); the first one a node-hour carries wins
    instance_type: list[str] = _doc(
        "Labels of `kube_node_labels` holding the instance type, tried in order.",
        ["label_node_kubernetes_io_instance_type", "label_beta_kubernetes_io_instance_type"])
    capacity_type: list[str] = _doc(
        "Labels holding the capacity type, tried in order: spot when the value is `spot` "
        "(`true` for the GKE spot and preemptible labels), case-insensitively.",
        ["label_karpenter_sh_capacity_type", "label_eks_amazonaws_com_capacity_type",
         "label_cloud_google_com_gke_spot", "label_cloud_google_com_gke_preemptible",
         "label_kubernetes_azure_com_scalesetpriority"])
    zone: list[str] = _doc(
        "Labels holding the zone, tried in order.",
        ["label_topology_kubernetes_io_zone", "label_failure_domain_beta_kubernetes_io_zone"])


@dataclass(frozen=True)
class PrometheusGoldenSignal:
    component: str = _doc("Integration component, e.g. `apiserver`, `coredns`, `etcd`.")
    signal: str = _doc("`error_ratio`, `latency_p99` or `saturation`.")
    query: str = _doc("PromQL of the hour ending at each evaluation time (use `[1h]` ranges); "
                      "several series: the worst (highest) counts.")
    warn_above: float = _doc("The hour's value above this is `warn`.")
    fail_above: float = _doc("The hour's value above this is `fail`.")
    unit: str = _doc("Unit of the value (`ratio`, `seconds`).", "ratio")


def _bucket_p99(metric: str, matchers: str = "") -> str:
    return f"histogram_quantile(0.99, sum by (le) (rate({metric}_bucket{{{matchers}}}[1h])))"


def _ratio(metric: str, bad: str) -> str:
    return f"sum(rate({metric}{{{bad}}}[1h])) / sum(rate({metric}[1h]))"


SIGNALS = ("error_ratio", "latency_p99", "saturation")
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# one PromQL label matcher: a label name, an operator, a quoted string
_MATCHER = re.compile(r"""\s*[A-Za-z_][A-Za-z0-9_]*\s*(=~|!~|!=|=)\s*"""
                      r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)\s*""")
_HEADER = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def check_prometheus_sources(sources: list[PrometheusSource], source: str) -> None:
    """A cluster or a cluster label each; matchers, label and headers well formed."""
    for i, s in enumerate(sources):
        key = f"{source}: prometheus.sources[{i}]"
        if not s.cluster and not s.cluster_label:
            raise ConfigError(f"{source}: missing required key 'prometheus.sources[{i}].cluster'"
                              " (or cluster_label, for a store of many clusters)")
        if s.cluster and s.cluster_label:
            raise ConfigError(f"{key}: set cluster (one cluster's server) or cluster_label (a "
                              "store of many clusters), not both")
        if s.cluster_label and not _LABEL.fullmatch(s.cluster_label):
            raise ConfigError(f"{key}.cluster_label: {s.cluster_label!r} is not a label name")
        for j, matcher in enumerate(s.matchers):
            if not _MATCHER.fullmatch(matcher):
                raise ConfigError(f"{key}.matchers[{j}]: {matcher!r} is not a PromQL label "
                                  'matcher such as cluster="prod-eu" or cluster=~"prod-.*"')
        for name, value in s.headers.items():
            if not _HEADER.fullmatch(name):
                raise ConfigError(f"{key}.headers: {name!r} is not an HTTP header name")
            if not (value.startswith("env:") and _LABEL.fullmatch(value[4:])):
                raise ConfigError(f"{key}.headers.{name}: expected env:VARIABLE (the value is "
                                  "read from that environment variable, never from the file)")


def check_golden_signals(signals: list[PrometheusGoldenSignal], source: str) -> None:
    """Known signal names, fail_above >= warn_above, each (component, signal) once."""
    seen: set[tuple[str, str]] = set()
    for i, s in enumerate(signals):
        key = f"{source}: prometheus.golden_signals[{i}]"
        if s.signal not in SIGNALS:
            raise ConfigError(f"{key}.signal: expected one of {', '.join(SIGNALS)}, "
                              f"got {s.signal!r}")
        if s.fail_above < s.warn_above:
            raise ConfigError(f"{key}.fail_above: {s.fail_above} is below warn_above "
                              f"{s.warn_above}")
        if (s.component, s.signal) in seen:
            raise ConfigError(f"{key}: {s.component} {s.signal} is configured twice")
        seen.add((s.component, s.signal))


class _SignalList(list):
    """The default signals, shown in docs/configuration.md by name (their queries are long)."""

    def __repr__(self) -> str:
        names = ", ".join(f"{s.component} {s.signal}" for s in self)
        return f"{names} (docs/sources.md, Golden signals)"


# Thresholds (docs/sources.md, "Golden signals"): the API server's follow the Kubernetes SLO
# (sig-scalability/slos/api_call_latency.md: p99 of resource-scoped, non-streaming calls <= 1 s);
# etcd's WAL fsync p99 < 10 ms is etcd's own hardware guidance; the error ratios are ours.
DEFAULT_GOLDEN_SIGNALS = _SignalList([
    PrometheusGoldenSignal("apiserver", "error_ratio",
                           _ratio("apiserver_request_total", 'code=~"5.."'), 0.005, 0.01),
    PrometheusGoldenSignal("apiserver", "latency_p99", _bucket_p99(
        "apiserver_request_duration_seconds",
        'verb!~"WATCH|CONNECT", scope!~"namespace|cluster"'), 0.5, 1.0, "seconds"),
    PrometheusGoldenSignal(
        "apiserver", "saturation",
        "sum(max_over_time(apiserver_current_inflight_requests[1h])) / 600", 0.7, 0.9),
    PrometheusGoldenSignal("coredns", "error_ratio",
                           _ratio("coredns_dns_responses_total", 'rcode="SERVFAIL"'),
                           0.001, 0.01),
    PrometheusGoldenSignal("coredns", "latency_p99",
                           _bucket_p99("coredns_dns_request_duration_seconds"), 0.1, 0.5,
                           "seconds"),
    PrometheusGoldenSignal("etcd", "latency_p99",
                           _bucket_p99("etcd_disk_wal_fsync_duration_seconds"), 0.01, 0.025,
                           "seconds"),
])


@dataclass(frozen=True)
class PrometheusConfig:
    sources: list[PrometheusSource] = _doc(
        "Servers to collect: `[[prometheus.sources]] url = ... cluster = ...`.", [])
    metrics: PrometheusMetrics = _doc("Metric names (kube-prometheus-stack defaults).",
                                      default_factory=PrometheusMetrics)
    labels: PrometheusLabels = _doc("Label names (kube-prometheus-stack defaults).",
                                    default_factory=PrometheusLabels)
    node_labels: PrometheusNodeLabels = _doc(
        "Node facts per node-hour (instance type, spot, zone) from `kube_node_labels`; a "
        "node-hour without them takes the inventory's.", default_factory=PrometheusNodeLabels)
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
    golden_signals: list[PrometheusGoldenSignal] = _doc(
        "Integration components' golden signals, collected hourly: "
        "`[[prometheus.golden_signals]] component = ... signal = ... query = ... warn_above = "
        "... fail_above = ...` (setting any replaces the defaults: API server, CoreDNS, etcd).",
        DEFAULT_GOLDEN_SIGNALS)


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
class BillingSource:
    path: str = _doc("A FOCUS export (CSV, CSV.gz or Parquet) or a folder of them; relative to "
                     "the config file's folder.")
    source: str = _doc("Name of this bill in the warehouse (one load per source and billing "
                       "period; a restated period replaces the earlier load).", "focus")


@dataclass(frozen=True)
class BillingConfig:
    sources: list[BillingSource] = _doc(
        "FOCUS 1.0-1.3 bills collected by `fleetscope run`: `[[billing.sources]] path = ...`.", [])
    team_tag_keys: list[str] = _doc(
        "Bill line `Tags` keys naming the owning team of cloud spend outside Kubernetes, first "
        "match wins; `__unallocated__` otherwise.", ["team", "owner"])


@dataclass(frozen=True)
class GitHubSource:
    repos: list[str] = _doc("Repositories as `name` (with `owner`) or `org/name`.", [])
    owner: str | None = _doc("Owner (org or user) of the names in `repos` without a slash.", None)
    branch: str | None = _doc("Branch to read (default: each repo's default branch).", None)
    token_env: str | None = _doc("Environment variable holding a GitHub token.", "GITHUB_TOKEN")
    api_url: str = _doc("REST API base URL (GitHub Enterprise: https://HOST/api/v3).",
                        "https://api.github.com")
    max_retries: int = _doc("Retries of a rate-limited request (403/429) before the source "
                            "fails.", 3)
    max_wait_seconds: float = _doc("Longest wait for one rate-limit reset or retry-after.", 60.0)


@dataclass(frozen=True)
class GitConfig:
    repos: list[str] = _doc("Local clones (paths relative to the config file's folder); the "
                            "repo is named after its origin remote's org/name, else its folder.",
                            [])
    branch: str | None = _doc("Branch of the local clones to read (default: their HEAD).", None)
    files: list[str] = _doc("JSON dumps of commit histories (files or globs).", [])
    github: list[GitHubSource] = _doc(
        "GitHub repositories read through the REST API: `[[git.github]] repos = [...]`.", [])
    from_catalog: bool = _doc(
        "Also read, through the first `[[git.github]]` entry's API and token, every repository "
        "named by a catalog component's `github.com/project-slug` (or "
        "`backstage.io/source-location`) annotation.", False)
    source: str = _doc("Name of this collection in the warehouse.", "git")


@dataclass(frozen=True)
class IncidentsConfig:
    path: str | None = _doc("Incidents file (CSV or JSON, docs/sources.md) read by "
                            "`fleetscope run`; relative to the config file's folder.", None)
    source: str = _doc("Name of this incident list in the warehouse.", "incidents")


@dataclass(frozen=True)
class DirtConfig:
    path: str | None = _doc("DiRT log (YAML of disaster-recovery exercises, docs/sources.md) "
                            "read by `fleetscope run`; relative to the config file's folder.",
                            None)
