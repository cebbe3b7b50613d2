"""Helios (the legacy orchestrator): the offline document reader and the live master client."""

from fleetscope.collectors.helios.reader import TABLES, read_dump, read_dump_file

__all__ = ["TABLES", "read_dump", "read_dump_file"]
