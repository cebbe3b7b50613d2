"""Incidents from a file: what failed, when it was fixed, and which deploy or commit caused it."""

from fleetscope.collectors.incidents.reader import read_incidents_file

__all__ = ["read_incidents_file"]
