"""`fleetscope collect kubernetes`: live clusters or a `kubectl get -o json` List."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, parse_timestamp, pass_app
from fleetscope.errors import FleetscopeError


@click.command("kubernetes")
@click.option("--context", "contexts", multiple=True,
              help="kubeconfig context to collect (repeatable; default: the config's list).")
@click.option("--from-file", "from_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read a List as printed by `kubectl get nodes,namespaces,pods,... -o json`.")
@click.option("--cluster", help="Cluster name for --from-file.")
@click.option("--collected-at", help="Snapshot time for --from-file (ISO 8601, UTC).")
@pass_app
def collect_kubernetes(app: AppContext, contexts: tuple[str, ...], from_file: Path | None,
                       cluster: str | None, collected_at: str | None) -> None:
    """Snapshot nodes, namespaces, pods and workloads of Kubernetes clusters.

    \b
    Examples:
      fleetscope collect kubernetes --context prod-eu --context prod-us
      kubectl get nodes,namespaces,pods,deployments,replicasets -A -o json > snap.json
      fleetscope collect kubernetes --from-file snap.json --cluster prod-eu \\
          --collected-at 2026-11-20T00:00:00Z
    """
    parse_timestamp(collected_at, option="--collected-at")
    raise FleetscopeError("collect kubernetes is not implemented yet")


__all__ = ["collect_kubernetes"]
