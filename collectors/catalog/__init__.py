"""Backstage catalog: descriptor files and the catalog API."""

from collectors.catalog.reader import TABLE, entity_row, read_catalog_path

__all__ = ["TABLE", "entity_row", "read_catalog_path"]
