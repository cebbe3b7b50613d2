"""`fleetscope collect kubernetes`: live clusters or a `kubectl get -o json` List."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, parse_timestamp, pass_app


class _KindsHelp(click.Command):
    """Fills `{kinds}` and `{kubectl}` in the help from the registry of kinds, only when the help
    is shown: start-up stays free of the collector's imports (msgspec, orjson)."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from fleetscope.collectors.kubernetes.kinds import KINDS, kubectl_command

        template = self.help or ""
        self.help = template.replace("{kinds}", ", ".join(k.plural for k in KINDS)).replace(
            "{kubectl}", kubectl_command())
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = template


@click.command("kubernetes", cls=_KindsHelp)
@click.option("--context", "contexts", multiple=True,
              help="kubeconfig context to collect (repeatable; default: the config's list).")
@click.option("--from-file", "from_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read a List as printed by `kubectl get ... -A -o json` (the example below).")
@click.option("--cluster", help="Cluster name for --from-file.")
@click.option("--collected-at", help="Snapshot time for --from-file (ISO 8601, UTC).")
@lock_timeout_option
@pass_app
def collect_kubernetes(app: AppContext, contexts: tuple[str, ...], from_file: Path | None,
                       cluster: str | None, collected_at: str | None) -> None:
    """Snapshot the inventory of Kubernetes clusters, live or from a List file.

    Kinds collected (collectors/kubernetes/kinds.py; deploy/rbac.yaml grants get and list on
    exactly these): {kinds}. Other kinds in a List are skipped. Velero's backups and schedules
    are optional: live, a cluster without the Velero CRDs is recorded as "Velero not installed".
    kubectl refuses the whole line below on such a cluster: there, drop the last two kinds (a
    List without Velero objects is recorded as "Velero unknown").

    Without --context: the config's [[kubernetes.contexts]] (and the pod's service account when
    kubernetes.in_cluster is set). Each cluster is one transaction; a cluster that fails is
    recorded in `loads` and the others are still collected, then the command exits 4 naming it.

    \b
    Examples:
      fleetscope collect kubernetes --context prod-eu --context prod-us
      {kubectl} > snap.json
      fleetscope collect kubernetes --from-file snap.json --cluster prod-eu \\
          --collected-at 2026-11-20T00:00:00Z
    """
    when = parse_timestamp(collected_at, option="--collected-at")
    if from_file is not None:
        if contexts:
            raise click.UsageError("--from-file and --context cannot be combined")
        if not cluster:
            raise click.UsageError("--from-file needs --cluster NAME")
        _collect_file(app, from_file, cluster, when)
        return
    if cluster or collected_at:
        raise click.UsageError("--cluster and --collected-at go with --from-file")
    _collect_live(app, contexts)


def _collect_file(app: AppContext, path: Path, cluster: str, when: datetime | None) -> None:
    from fleetscope.ops import sources

    app.collect([sources.kubernetes_file(path, cluster=cluster, when=when)])


def _collect_live(app: AppContext, contexts: tuple[str, ...]) -> None:
    # One cluster failing must not stop the others: each is collected, then loaded (or its
    # failure recorded) on its own, and the command fails at the end naming every failed one.
    from fleetscope.ops import sources

    app.collect(sources.kubernetes_live(app.config.kubernetes, contexts), noun="cluster(s)")


__all__ = ["collect_kubernetes"]
