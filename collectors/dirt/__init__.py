"""The DiRT log: planned disaster-recovery exercises and what came of them, from a YAML file."""

from fleetscope.collectors.dirt.reader import OUTCOMES, SCENARIOS, read_dirt_file

__all__ = ["OUTCOMES", "SCENARIOS", "read_dirt_file"]
