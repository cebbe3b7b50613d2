"""Live collection: every resource of one cluster through the official client, as raw JSON.

Each kind of the registry (`kinds.KINDS`, in its order) is listed in pages (`limit`/`continue`)
with `_preload_content=False`, so the client never builds its model objects (the slow part on
big clusters); pages are decoded keeping only the needed fields (`wire`, `decode`) and fed to
the same `SnapshotBuilder` as the offline reader.
Nothing is written here: the caller loads the returned batch in one transaction, so a run that
dies half-way leaves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from fleetscope.collectors.kubernetes.decode import decode_page
from fleetscope.collectors.kubernetes.kinds import KINDS, Kind
from fleetscope.collectors.kubernetes.reader import SOURCE_KIND
from fleetscope.collectors.kubernetes.rows import SnapshotBuilder, paused_gc
from fleetscope.collectors.kubernetes.transport import (
    ContinueExpired,
    NotServed,
    RetryPolicy,
    get_with_retries,
)
from fleetscope.config import KubernetesConfig
from fleetscope.errors import CollectError, ConfigError
from fleetscope.warehouse import LoadBatch, utc_now

# A list whose continue token keeps expiring (a huge, fast-changing cluster) gives up after this.
MAX_LIST_RESTARTS = 3


@dataclass(frozen=True)
class ClusterTarget:
    """One cluster to collect: a kubeconfig context, or the in-cluster service account."""

    cluster: str
    context: str | None  # None: in-cluster config


def targets(settings: KubernetesConfig, contexts: tuple[str, ...] | list[str] = ()
            ) -> list[ClusterTarget]:
    """Clusters to collect: the given contexts, else the configured ones, else in-cluster."""
    names = {c.context: (c.cluster or c.context) for c in settings.contexts}
    if contexts:
        return [ClusterTarget(names.get(c, c), c) for c in contexts]
    found = [ClusterTarget(c.cluster or c.context, c.context) for c in settings.contexts]
    if settings.in_cluster:
        found.insert(0, ClusterTarget(settings.in_cluster_name, None))
    if not found:
        raise ConfigError("no Kubernetes cluster to collect: pass --context CTX, or set "
                          "[[kubernetes.contexts]] or kubernetes.in_cluster in the config")
    return found


def api_client(settings: KubernetesConfig, context: str | None) -> Any:
    """An ApiClient for a kubeconfig context (None: in-cluster), with the client's retries off."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.incluster_config import InClusterConfigLoader

    configuration = client.Configuration()
    where = "in-cluster config" if context is None else f"kubeconfig context {context!r}"
    # The loader's messages ("Service token file does not exist.") do not say where it looked.
    hint = f" (service account folder {settings.service_account_dir})" if context is None else ""
    try:
        if context is None:
            # The loader `load_incluster_config` wraps, with the folder from the settings (a
            # projected token may be mounted elsewhere; tests point it at their own files).
            # Host and port still come from KUBERNETES_SERVICE_HOST/PORT, as in any pod.
            folder = Path(settings.service_account_dir)
            InClusterConfigLoader(token_filename=str(folder / "token"),
                                  cert_filename=str(folder / "ca.crt")
                                  ).load_and_set(configuration)
        else:
            config.load_kube_config(config_file=settings.kubeconfig, context=context,
                                    client_configuration=configuration,
                                    persist_config=False)
    except (ConfigException, OSError) as exc:  # OSError: a file exists but is unreadable
        raise CollectError(f"{where}: {exc}{hint}") from None
    configuration.retries = False  # transport.get_with_retries owns the retry policy
    return client.ApiClient(configuration)


def list_resource(api: Any, resource: Kind, builder: SnapshotBuilder, *, cluster: str,
                  page_size: int, timeout: float, policy: RetryPolicy) -> int:
    """List one resource page by page into `builder`; restart from scratch on 410 Gone.

    An optional kind (a CRD: Velero's) answering 404 is recorded on the builder as not
    installed, so the marts say "no Velero" instead of counting zero backups.
    """
    try:
        count = _list_pages(api, resource, builder, cluster=cluster, page_size=page_size,
                            timeout=timeout, policy=policy)
    except NotServed:
        if not resource.optional:
            raise
        if builder.velero is not False:  # the first 404 names the path
            builder.velero, builder.velero_detail = False, f"GET {resource.path}: HTTP 404"
        return 0
    if resource.optional and builder.velero is None:
        builder.velero = True
    return count


def _list_pages(api: Any, resource: Kind, builder: SnapshotBuilder, *, cluster: str,
                page_size: int, timeout: float, policy: RetryPolicy) -> int:
    method = getattr(api, resource.list_method)
    if resource.custom:  # CustomObjectsApi: one method for every custom resource
        method = partial(method, resource.group, resource.version, resource.plural)
    restarts = 0
    while True:
        checkpoint = builder.mark()
        token: str | None = None
        page = 0
        try:
            while True:
                kwargs: dict[str, Any] = {"limit": page_size, "_preload_content": False,
                                          "_request_timeout": timeout}
                if token:
                    kwargs["_continue"] = token
                body = get_with_retries(partial(method, **kwargs), cluster=cluster,
                                        resource=resource.plural, verb="list", policy=policy)
                token = _add_page(builder, resource, body, cluster=cluster, page=page)
                page += 1
                if not token:
                    return builder.counts[resource.kind]
        except ContinueExpired:
            builder.rollback(checkpoint)
            restarts += 1
            if restarts > MAX_LIST_RESTARTS:
                raise CollectError(f"cluster {cluster}: list {resource.plural}: the continue "
                                   f"token expired {restarts} times; giving up") from None


def _add_page(builder: SnapshotBuilder, resource: Kind, body: bytes, *, cluster: str,
              page: int) -> str | None:
    where = f"cluster {cluster}: GET {resource.path} page {page}"
    items, token = decode_page(resource.kind, body, where=where)
    add = builder.add
    kind = resource.kind
    for index, item in enumerate(items):
        add(kind, item, where=f"{where} items[{index}]")
    return token


def collect_target(settings: KubernetesConfig, target: ClusterTarget, *,
                   policy: RetryPolicy | None = None) -> LoadBatch:
    """Snapshot one cluster into a LoadBatch (nothing is written until the caller loads it)."""
    from kubernetes import client

    policy = policy or RetryPolicy(max_retries=settings.max_retries,
                                   backoff_seconds=settings.retry_backoff_seconds)
    collected_at = utc_now()
    builder = SnapshotBuilder()
    api_client_ = api_client(settings, target.context)
    try:
        apis = {name: getattr(client, name)(api_client_)
                for name in {k.client_api for k in KINDS}}
        with paused_gc():
            for kind in KINDS:
                list_resource(apis[kind.client_api], kind, builder, cluster=target.cluster,
                              page_size=settings.page_size,
                              timeout=settings.request_timeout_seconds, policy=policy)
            tables = builder.build()
    finally:
        api_client_.close()
    return LoadBatch(SOURCE_KIND, target.cluster, collected_at, tables)


def collect_cluster(settings: KubernetesConfig, *, context: str | None) -> LoadBatch:
    """Snapshot the cluster of a kubeconfig context (None: in-cluster) as named in the config."""
    if context is None:
        return collect_target(settings, ClusterTarget(settings.in_cluster_name, None))
    return collect_target(settings, targets(settings, [context])[0])
