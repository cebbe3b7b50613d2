"""`fleetscope collect billing`: a cloud bill in FOCUS 1.0-1.3, one load per billing period."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, pass_app


@click.command("billing")
@click.option("--focus", "path", required=True, type=click.Path(path_type=Path),
              help="A FOCUS export (.csv, .csv.gz, .parquet) or a folder of them (recursive).")
@click.option("--source", default="focus", show_default=True,
              help="Name of this bill in the warehouse (e.g. aws-payer, azure-ea).")
@lock_timeout_option
@pass_app
def collect_billing(app: AppContext, path: Path, source: str) -> None:
    """Load a cloud bill exported in FOCUS (AWS Data Exports, Azure Cost Management, GCP, OCI).

    Each billing period is one transaction that replaces the source's earlier load of that
    period (a restated bill); loading the same export again changes nothing. Amounts must be in
    pricing.currency.

    \b
    Examples:
      fleetscope collect billing --focus focus-2024-09.csv.gz --source aws-payer
      fleetscope collect billing --focus exports/azure/ --source azure-ea
    """
    from fleetscope.ops import sources

    app.collect([sources.billing_focus(path, name=source, currency=app.config.pricing.currency)])


__all__ = ["collect_billing"]
