"""Reference tables: configuration turned into small `ref_*` tables that SQL models join.

Models stay pure SQL over tables; everything they need from the config (prices, label keys,
ownership overrides, shared namespaces) is written here before the models run.
"""

from __future__ import annotations

from fleetscope.config import Config
from fleetscope.pipelines.alerts import alert_tables
from fleetscope.pipelines.capacity import capacity_tables
from fleetscope.pipelines.delivery import delivery_tables
from fleetscope.pipelines.ga import ga_tables
from fleetscope.pipelines.ownership import ownership_tables
from fleetscope.pipelines.pricing import pricing_tables
from fleetscope.pipelines.sharing import sharing_tables
from fleetscope.warehouse import Warehouse


def load_reference_tables(wh: Warehouse, config: Config) -> None:
    """Write every `ref_*` table in one transaction."""
    tables = {**pricing_tables(config), **ownership_tables(config), **sharing_tables(config),
              **capacity_tables(config), **delivery_tables(config), **ga_tables(config),
              **alert_tables(config)}
    with wh.transaction():
        for name, frame in tables.items():
            wh.replace_reference_table(name, frame)
