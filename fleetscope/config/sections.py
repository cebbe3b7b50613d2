"""Configuration sections of the warehouse, prices, ownership, sharing, clusters and runs."""

from __future__ import annotations

from dataclasses import dataclass

from fleetscope.config.fields import doc_field as _doc
from fleetscope.errors import ConfigError

DEFAULT_WAREHOUSE = "fleetscope-data/fleetscope.duckdb"
DEFAULT_REPORTS = "fleetscope-data/reports"


@dataclass(frozen=True)
class WarehouseConfig:
    path: str = _doc("DuckDB file of the warehouse (overridden by `--warehouse`).",
                     DEFAULT_WAREHOUSE)
    transform_memory_limit: str = _doc(
        "DuckDB's memory cap while `transform` runs (DuckDB's syntax: `1GB`, `512MB`); past it "
        "joins, sorts and aggregates spill to `<warehouse>.tmp/`, so a month of hourly bill "
        "lines reconciles in bounded memory. Empty: DuckDB's default, 80% of RAM.", "1GB")
    read_copy_keep_hours: float = _doc(
        "Hours an old read copy (`<warehouse>.d/copies/`, published after each validated "
        "transform for `query`, notebooks and reports) is kept while a reader still has it open; "
        "unused copies go at the next publish. Past this age a copy is unlinked even if open (the "
        "reader keeps reading it; its disk space returns when it closes).", 24.0)
    lake: str = _doc(
        "Parquet lake the collectors write to instead of the DuckDB file (a folder, or "
        "`s3://bucket/prefix` with s3fs installed): one CronJob per cluster may then collect in "
        "parallel with no shared lock, and `transform` reads the lake's raw tables through "
        "views. See docs/scale.md. Empty: collectors write to the DuckDB file.", "")


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
class GaConfig:
    smoke_test_label: str = _doc(
        "Label key marking a Job (or the CronJob owning it) as a smoke test: its value names the "
        "test (`true` or empty: the CronJob's, else the Job's name).", "fleetscope.io/smoke-test")
    # `mart_ga_readiness` thresholds: a value past `*_warn` is `warn`, past `*_fail` is `fail`.
    backup_age_warn_hours: float = _doc(
        "Hours since a schedule's last completed backup past which `backups.last_completed_"
        "age_hours` warns (the oldest active schedule counts; 26: a daily backup plus 2 h).", 26.0)
    backup_age_fail_hours: float = _doc("... past which it fails.", 48.0)
    uncovered_namespaces_warn: int = _doc(
        "Namespaces no active Velero schedule covers, above which `backups.namespaces_uncovered` "
        "warns.", 0)
    uncovered_namespaces_fail: int = _doc("... above which it fails.", 5)
    failed_backups_warn: int = _doc(
        "Failed plus partially failed backups in a day above which `backups.failed` warns.", 0)
    failed_backups_fail: int = _doc("... above which it fails.", 0)
    smoke_success_rate_warn: float = _doc(
        "Smoke-test success rate of the day (ratio 0-1, all the cluster's tests) below which "
        "`smoke.success_rate` warns.", 0.95)
    smoke_success_rate_fail: float = _doc("... below which it fails.", 0.8)
    smoke_hours_since_success_warn: float = _doc(
        "Hours since the last success of the cluster's stalest smoke test above which "
        "`smoke.hours_since_last_success` warns.", 6.0)
    smoke_hours_since_success_fail: float = _doc("... above which it fails.", 24.0)
    capacity_warn_margin_pct: float = _doc(
        "`capacity.requested_share_pct` warns this many points below `[capacity] "
        "requested_share_threshold_pct` and fails above the threshold (80 - 10: warn past 70%).",
        10.0)
    days_to_threshold_warn: int = _doc(
        "`capacity.days_to_threshold` (the first node pool to reach the capacity threshold on "
        "its trend) warns below this many days.", 30)
    days_to_threshold_fail: int = _doc("... fails below this many.", 7)
    schedule_p95_warn_seconds: float = _doc(
        "95th percentile of creation-to-scheduled time above which "
        "`scheduling.schedule_seconds_p95` warns.", 60.0)
    schedule_p95_fail_seconds: float = _doc("... above which it fails.", 300.0)
    unschedulable_pods_warn: int = _doc(
        "Pods found unschedulable in a day above which `scheduling.count_pods_unschedulable` "
        "warns.", 0)
    unschedulable_pods_fail: int = _doc("... above which it fails.", 10)
    dirt_days_warn: int = _doc(
        "Days since the cluster's last DiRT exercise (`mart_dirt_exercises`) above which "
        "`dirt.days_since_last_exercise` warns (a quarter: 90).", 90)
    dirt_days_fail: int = _doc("... above which it fails.", 180)


# (warn, fail, lower is better) of each GA threshold pair, to check their order.
_GA_PAIRS = [("backup_age", "_hours", True), ("uncovered_namespaces", "", True),
             ("failed_backups", "", True), ("smoke_success_rate", "", False),
             ("smoke_hours_since_success", "", True), ("days_to_threshold", "", False),
             ("schedule_p95", "_seconds", True), ("unschedulable_pods", "", True),
             ("dirt_days", "", True)]


def check_ga(ga: GaConfig, source: str) -> None:
    """A warn threshold is not past its fail threshold; rates are within 0-1."""
    for stem, suffix, lower_better in _GA_PAIRS:
        warn, fail = getattr(ga, f"{stem}_warn{suffix}"), getattr(ga, f"{stem}_fail{suffix}")
        if (warn > fail) if lower_better else (warn < fail):
            raise ConfigError(f"{source}: ga.{stem}_warn{suffix}: {warn} is past "
                              f"ga.{stem}_fail{suffix} ({fail})")
    for name in ("smoke_success_rate_warn", "smoke_success_rate_fail"):
        if not 0 <= getattr(ga, name) <= 1:
            raise ConfigError(f"{source}: ga.{name}: expected a ratio in [0, 1], "
                              f"got {getattr(ga, name)}")


@dataclass(frozen=True)
class CapacityConfig:
    node_pool_labels: list[str] = _doc(
        "Node labels naming a node's pool, tried in order (first with a value wins; none: "
        "`__none__`).",
        ["karpenter.sh/nodepool", "eks.amazonaws.com/nodegroup", "cloud.google.com/gke-nodepool",
         "agentpool"])
    requested_share_threshold_pct: float = _doc(
        "Requested share of allocatable (the larger of CPU and RAM, percent) whose crossing "
        "`mart_cluster_capacity_daily.days_to_threshold` forecasts.", 80.0)


def check_capacity(capacity: CapacityConfig, source: str) -> None:
    """The threshold is a percent in (0, 100]."""
    if not 0 < capacity.requested_share_threshold_pct <= 100:
        raise ConfigError(f"{source}: capacity.requested_share_threshold_pct: expected a percent "
                          f"in (0, 100], got {capacity.requested_share_threshold_pct}")


@dataclass(frozen=True)
class DeliveryConfig:
    sha_sources: list[str] = _doc(
        "Where a deploy's commit sha is looked for, first resolvable wins: `image_tag` (the last "
        "7-40 hex run of an image tag), `annotations` (the Deployment annotations below), "
        "`helios_version` (the `version` of a Helios job id `name:version:hash`).",
        ["image_tag", "annotations", "helios_version"])
    version_annotations: list[str] = _doc(
        "Deployment annotations holding the deployed commit sha, in order.",
        ["app.kubernetes.io/version", "org.opencontainers.image.revision"])
    bucket_weeks: int = _doc("Trailing ISO weeks over which the Four Keys buckets are taken.", 13)
    impact_weeks: int = _doc(
        "Weeks before migrating and after migrated compared by `mart_migration_impact`.", 8)
    bootstrap_resamples: int = _doc("Bootstrap resamples of the migration-impact intervals.", 1000)
    bootstrap_seed: int = _doc("Seed of the (deterministic, hash-drawn) bootstrap.", 14)
    interval_pct: float = _doc("Width of the bootstrap percentile interval, in percent.", 90.0)


ENGINE_KINDS = ("duckdb", "spark")


@dataclass(frozen=True)
class SparkConfig:
    master: str = _doc(
        "Spark master of the session `transform --engine spark` starts: `local[*]` (this "
        "machine, every core), `local[2]`, `k8s://https://<api-server>:443` (executors as pods; "
        "set `spark.kubernetes.container.image` in `conf`) or `spark://host:7077`.", "local[*]")
    remote: str = _doc(
        "Spark Connect server (`sc://host:15002`); wins over `master` when set (install "
        "`pyspark[connect]`).", "")
    conf: dict[str, str] = _doc(
        "Extra Spark settings, e.g. `{\"spark.executor.memory\" = \"4g\"}`; fleetscope always "
        "sets `spark.sql.session.timeZone = UTC` and `spark.sql.ansi.enabled = false` (DuckDB's "
        "semantics: x / 0 is NULL); its defaults, which `conf` overrides: "
        "`spark.driver.memory = 4g` (in `local[*]` driver and executors share that one heap; the "
        "90-day demo ran out of Spark's own 1g), `spark.sql.cteRecursionLevelLimit = 10000`.",
        {})


@dataclass(frozen=True)
class EngineConfig:
    kind: str = _doc(
        "Engine of `transform`: `duckdb` (the warehouse file) or `spark` (reads and writes the "
        "Parquet lake `[warehouse] lake`; overridden by `transform --engine`).", "duckdb")
    spark: SparkConfig = _doc("The Spark session (engine `spark`).", default_factory=SparkConfig)


@dataclass(frozen=True)
class ApiConfig:
    host: str = _doc("Address `fleetscope serve --api` listens on (loopback: put a TLS proxy "
                     "or the cluster's ingress in front).", "127.0.0.1")
    port: int = _doc("Port `fleetscope serve --api` listens on.", 8086)
    token_env: str = _doc("Environment variable holding the bearer token every request must "
                          "send; the server refuses to start without it.", "FLEETSCOPE_API_TOKEN")
    cors_origin: str = _doc("The one browser origin (the Backstage app, e.g. "
                            "`https://backstage.example.com`) allowed to read the answers; empty: "
                            "none, for a Backstage backend proxy.", "")
