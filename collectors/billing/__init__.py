"""Cloud bills in FOCUS 1.0-1.3 (CSV, CSV.gz, Parquet) -> `raw_billing_lines`, one load per
source and billing period."""

from fleetscope.collectors.billing.reader import export_files, read_focus_path

__all__ = ["export_files", "read_focus_path"]
