"""Backstage catalog: descriptor files and the catalog API."""

from fleetscope.collectors.catalog.reader import TABLE, entity_row, read_catalog_path

__all__ = ["TABLE", "entity_row", "read_catalog_path"]
