"""`fleetscope collect kubernetes`: live clusters or a `kubectl get -o json` List."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, parse_timestamp, pass_app
from fleetscope.errors import CollectError, FleetscopeError


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
    """Snapshot nodes, namespaces, pods, workloads, ReplicaSets and volumes of clusters.

    Without --context: the config's [[kubernetes.contexts]] (and the pod's service account when
    kubernetes.in_cluster is set). Each cluster is one transaction; a cluster that fails is
    recorded in `loads` and the others are still collected, then the command exits 4 naming it.

    \b
    Examples:
      fleetscope collect kubernetes --context prod-eu --context prod-us
      kubectl get no,ns,po,deploy,rs,sts,ds,job,cj,pvc,pv -A -o json > snap.json
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


def _summary(cluster: str, counts: dict[str, int]) -> str:
    short = {"raw_k8s_nodes": "nodes", "raw_k8s_namespaces": "namespaces", "raw_k8s_pods": "pods",
             "raw_k8s_containers": "containers", "raw_k8s_workloads": "workloads",
             "raw_k8s_replicasets": "replicasets", "raw_k8s_pvcs": "pvcs", "raw_k8s_pvs": "pvs"}
    parts = ", ".join(f"{counts.get(table, 0)} {name}" for table, name in short.items())
    return f"{cluster}: loaded {parts}"


def _collect_file(app: AppContext, path: Path, cluster: str, when: object) -> None:
    from fleetscope.collectors.kubernetes.reader import read_list_file
    from fleetscope.console import info

    batch = read_list_file(path, cluster=cluster, collected_at=when)  # type: ignore[arg-type]
    with app.open_warehouse() as wh:
        result = wh.load(batch)
    info(f"{_summary(cluster, result.row_counts)} "
         f"(snapshot {batch.collected_at:%Y-%m-%dT%H:%M:%S}Z)")


def _collect_live(app: AppContext, contexts: tuple[str, ...]) -> None:
    # One cluster failing must not stop the others: each is collected, then loaded (or its
    # failure recorded) on its own, and the command fails at the end naming every failed one.
    from fleetscope.collectors.kubernetes import collect_target, targets
    from fleetscope.console import info
    from fleetscope.warehouse import utc_now

    settings = app.config.kubernetes
    chosen = targets(settings, contexts)
    failures: list[str] = []
    for target in chosen:
        started = utc_now()
        info(f"{target.cluster}: collecting"
             + (f" (context {target.context})" if target.context else " (in-cluster)"))
        try:
            batch = collect_target(settings, target)
        except FleetscopeError as exc:
            with app.open_warehouse() as wh:
                wh.record_failure("kubernetes", target.cluster, str(exc), started_at=started)
            info(f"{target.cluster}: FAILED: {exc}")
            failures.append(f"{target.cluster} ({exc})")
            continue
        with app.open_warehouse() as wh:
            result = wh.load(batch, started_at=started)
        info(_summary(target.cluster, result.row_counts))
    if failures:
        raise CollectError(f"{len(failures)} of {len(chosen)} cluster(s) failed: "
                           + "; ".join(failures))


__all__ = ["collect_kubernetes"]
