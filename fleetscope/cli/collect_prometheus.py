"""`fleetscope collect prometheus`: hourly usage and requests from Prometheus or its dumps."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, parse_timestamp, pass_app
from fleetscope.config import PrometheusSource


@click.command("prometheus")
@click.option("--url", help="Prometheus base URL (default: the config's sources).")
@click.option("--cluster", help="Cluster whose metrics the server holds (with --from-file: "
                                "overrides the dump's own cluster).")
@click.option("--start", help="First hour to collect (ISO 8601, UTC); default: the watermark.")
@click.option("--end", help="End of the window (exclusive); default: the last complete hour.")
@click.option("--from-file", "from_files", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Load an offline dump instead of querying a server (repeatable).")
@click.option("--dump", type=click.Path(path_type=Path, dir_okay=False),
              help="With --url: also write what was collected as an offline dump to this file.")
@lock_timeout_option
@pass_app
def collect_prometheus(app: AppContext, url: str | None, cluster: str | None, start: str | None,
                       end: str | None, from_files: tuple[Path, ...], dump: Path | None) -> None:
    """Collect per-container and per-node hourly usage, requests and capacity.

    Without --start a run continues from the cluster's watermark (the end of the last run; a
    first run takes the last 24 hours) up to the last complete hour. Collecting an hour again
    replaces it. Windows over a week load a week at a time (--dump then writes one file per
    week, suffixed with its start). Credentials come from the environment variables the config
    names (bearer_token_env, password_env), never stored.

    \b
    Examples:
      fleetscope collect prometheus --url http://prometheus:9090 --cluster prod-eu
      fleetscope collect prometheus --url http://prometheus:9090 --cluster prod-eu \\
          --start 2026-11-01T00:00:00Z --end 2026-11-08T00:00:00Z --dump prod-eu-w45.json
      fleetscope collect prometheus --from-file prod-eu-w45.json
    """
    from fleetscope.ops import sources

    start_at = parse_timestamp(start, option="--start")
    end_at = parse_timestamp(end, option="--end")
    for option, value in (("--start", start_at), ("--end", end_at)):
        if value is not None and (value.minute or value.second or value.microsecond):
            raise click.BadParameter(f"{value:%Y-%m-%dT%H:%M:%S}Z is not on a full hour",
                                     param_hint=option)
    if from_files:
        if url or dump or start_at or end_at:
            raise click.UsageError("--from-file cannot be combined with --url, --dump, --start "
                                   "or --end (a dump carries its own window)")
        chosen = [sources.prometheus_files(list(from_files), cluster=cluster,
                                           name=cluster or from_files[0].stem)]
        noun = None
    else:
        servers = _servers(app, url, cluster)
        chosen = [sources.prometheus_live(app.config.prometheus, server, start=start_at,
                                          end=end_at, dump=_dump_for(dump, server, servers))
                  for server in servers]
        noun = "Prometheus server(s)"
    app.collect(chosen, noun=noun)


def _dump_for(dump: Path | None, server: PrometheusSource, servers: list[PrometheusSource]
              ) -> Path | None:
    """With several servers, each writes its own dump, suffixed with its cluster."""
    if dump is None or len(servers) == 1:
        return dump
    return dump.with_name(f"{dump.stem}-{server.cluster or server.cluster_label}{dump.suffix}")


def _servers(app: AppContext, url: str | None, cluster: str | None) -> list[PrometheusSource]:
    import dataclasses

    if url:
        if not cluster:
            raise click.UsageError("--url needs --cluster (the cluster the server watches)")
        for source in app.config.prometheus.sources:  # keep its credentials and timeout
            if source.cluster == cluster:
                return [dataclasses.replace(source, url=url)]
        return [PrometheusSource(url=url, cluster=cluster)]
    configured = list(app.config.prometheus.sources)
    if cluster:
        configured = [s for s in configured if s.cluster == cluster] or _from_stores(
            configured, cluster)
    if not configured:
        raise click.UsageError("no Prometheus to collect: pass --url and --cluster, or add "
                               "[[prometheus.sources]] to the config")
    return configured


def _from_stores(configured: list[PrometheusSource], cluster: str) -> list[PrometheusSource]:
    """`--cluster NAME` of a central store's source: that cluster alone, by its label."""
    import dataclasses

    from fleetscope.collectors.prometheus.promql import label_matcher

    return [dataclasses.replace(s, cluster=cluster, cluster_label=None,
                                matchers=[*s.matchers, label_matcher(s.cluster_label, cluster)])
            for s in configured if s.cluster_label]


__all__ = ["collect_prometheus"]
