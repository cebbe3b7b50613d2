"""`fleetscope collect SOURCE`: snapshot one source into the warehouse."""

from __future__ import annotations

import click

from fleetscope.cli.collect_billing import collect_billing
from fleetscope.cli.collect_catalog import collect_catalog
from fleetscope.cli.collect_dirt import collect_dirt
from fleetscope.cli.collect_git import collect_git
from fleetscope.cli.collect_helios import collect_helios
from fleetscope.cli.collect_incidents import collect_incidents
from fleetscope.cli.collect_kubernetes import collect_kubernetes
from fleetscope.cli.collect_prometheus import collect_prometheus


@click.group("collect")
def collect() -> None:
    """Snapshot a source (Kubernetes, Prometheus, Helios, Backstage, git, incidents, a FOCUS
    bill, the DiRT log).

    Each run is one transaction: a failure leaves the warehouse as it was. Reloading the same
    snapshot (same --collected-at) or the same time window replaces it.
    """


for _command in (collect_kubernetes, collect_prometheus, collect_helios, collect_catalog,
                 collect_git, collect_incidents, collect_billing, collect_dirt):
    collect.add_command(_command)

COMMANDS = [collect]
