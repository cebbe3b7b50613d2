"""Backstage catalog: descriptor files and the catalog API."""

from fleetscope.collectors.catalog.reader import (
    TABLE,
    CatalogRead,
    entity_row,
    read_catalog,
    read_catalog_path,
)

__all__ = ["TABLE", "CatalogRead", "entity_row", "read_catalog", "read_catalog_path"]
