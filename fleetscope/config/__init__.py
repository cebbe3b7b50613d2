"""The TOML configuration: typed sections, strict validation, documentation from one source.

Each section is a frozen dataclass whose fields carry a `doc` string in their metadata. Loading
checks every key against these dataclasses, so an unknown key or a wrong type is an error naming
the key (`pricing.cpu_per_core_hour: expected a number, got 'cheap'`). `describe()` renders the
same dataclasses as the key-by-key reference in docs/configuration.md.

Secrets never live in the file: options such as `bearer_token_env` name an environment variable.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fleetscope.config.alerts import AnomaliesConfig, BudgetConfig, budget_id, check_alerts
from fleetscope.config.fields import doc_field as _doc
from fleetscope.config.parsing import build
from fleetscope.config.parsing import describe as _describe
from fleetscope.config.publish import (
    ChatConfig,
    EmailConfig,
    EmailTeam,
    PublishConfig,
    check_delivery,
)
from fleetscope.config.sections import (
    DEFAULT_REPORTS,
    DEFAULT_WAREHOUSE,
    ENGINE_KINDS,
    ApiConfig,
    CapacityConfig,
    DeliveryConfig,
    EngineConfig,
    GaConfig,
    InstanceTypePrice,
    KubernetesConfig,
    KubernetesContext,
    KubernetesFile,
    OwnershipConfig,
    PricingConfig,
    ReportsConfig,
    RunConfig,
    SharingConfig,
    SparkConfig,
    ValidateConfig,
    WarehouseConfig,
    check_capacity,
    check_ga,
)
from fleetscope.config.sources import (
    BillingConfig,
    BillingSource,
    CatalogConfig,
    DirtConfig,
    GitConfig,
    GitHubSource,
    HeliosConfig,
    HeliosFile,
    IncidentsConfig,
    PrometheusConfig,
    PrometheusGoldenSignal,
    PrometheusLabels,
    PrometheusMetrics,
    PrometheusNodeLabels,
    PrometheusSource,
    check_golden_signals,
    check_prometheus_sources,
)
from fleetscope.errors import ConfigError

__all__ = [
    "DEFAULT_REPORTS",
    "DEFAULT_WAREHOUSE",
    "AnomaliesConfig",
    "ApiConfig",
    "BillingConfig",
    "BillingSource",
    "BudgetConfig",
    "CapacityConfig",
    "CatalogConfig",
    "ChatConfig",
    "Config",
    "DeliveryConfig",
    "DirtConfig",
    "EmailConfig",
    "EmailTeam",
    "EngineConfig",
    "GaConfig",
    "GitConfig",
    "GitHubSource",
    "HeliosConfig",
    "HeliosFile",
    "IncidentsConfig",
    "InstanceTypePrice",
    "KubernetesConfig",
    "KubernetesContext",
    "KubernetesFile",
    "OwnershipConfig",
    "PricingConfig",
    "PrometheusConfig",
    "PrometheusGoldenSignal",
    "PrometheusLabels",
    "PrometheusMetrics",
    "PrometheusNodeLabels",
    "PrometheusSource",
    "PublishConfig",
    "ReportsConfig",
    "RunConfig",
    "SharingConfig",
    "SparkConfig",
    "ValidateConfig",
    "WarehouseConfig",
    "budget_id",
    "describe",
    "load_config",
    "parse_config",
]


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
    billing: BillingConfig = _doc("Cloud bills in FOCUS.", default_factory=BillingConfig)
    git: GitConfig = _doc("Commit histories (delivery lead time).", default_factory=GitConfig)
    incidents: IncidentsConfig = _doc("Incidents (change failure and recovery).",
                                      default_factory=IncidentsConfig)
    delivery: DeliveryConfig = _doc("Delivery metrics (DORA four keys, migration impact).",
                                    default_factory=DeliveryConfig)
    dirt: DirtConfig = _doc("The DiRT log (disaster-recovery exercises).",
                            default_factory=DirtConfig)
    reports: ReportsConfig = _doc("Report rendering.", default_factory=ReportsConfig)
    capacity: CapacityConfig = _doc("Cluster capacity (node pools, the requested-share "
                                    "threshold).", default_factory=CapacityConfig)
    validate: ValidateConfig = _doc("Data-quality gate.", default_factory=ValidateConfig)
    run: RunConfig = _doc("Scheduled runs.", default_factory=RunConfig)
    engine: EngineConfig = _doc("The transform's engine (DuckDB, or Spark over the lake).",
                                default_factory=EngineConfig)
    ga: GaConfig = _doc("GA readiness: smoke tests, checks and thresholds.",
                        default_factory=GaConfig)
    api: ApiConfig = _doc("`fleetscope serve --api`: the marts for Backstage Cost Insights.",
                          default_factory=ApiConfig)
    budgets: list[BudgetConfig] = _doc(
        "Monthly budgets (`[[budgets]] team = \"payments\", monthly = 12000`; or `cluster`, or "
        "neither for the organisation), tracked by `mart_budget_status_daily`.", [])
    anomalies: AnomaliesConfig = _doc("Cost anomalies (`mart_cost_anomalies`).",
                                      default_factory=AnomaliesConfig)
    publish: PublishConfig = _doc("Publishing the rendered reports (a folder or object store).",
                                  default_factory=PublishConfig)
    email: EmailConfig = _doc("The weekly mail to leadership and opted-in teams (SMTP).",
                              default_factory=EmailConfig)
    chat: ChatConfig = _doc("The weekly chat summary (an incoming webhook).",
                            default_factory=ChatConfig)


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
    config: Config = build(Config, raw, prefix="", source=source)
    check_capacity(config.capacity, source)
    check_ga(config.ga, source)
    check_golden_signals(config.prometheus.golden_signals, source)
    if config.engine.kind not in ENGINE_KINDS:
        raise ConfigError(f"{source}: engine.kind: {config.engine.kind!r} is not one of "
                          f"{', '.join(ENGINE_KINDS)}")
    check_prometheus_sources(config.prometheus.sources, source)
    check_alerts(config.budgets, config.anomalies, source)
    check_delivery(config.publish, config.email, source)
    return config




def describe(cls: type = Config, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key, type, default, doc) for every key, for the generated configuration reference."""
    return _describe(cls, prefix)
