"""fleetscope: what a move from Helios to Kubernetes is worth, team by team."""

__version__ = "0.1.0"
