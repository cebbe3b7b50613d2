"""Offline reader: a `List` as printed by `kubectl get nodes,namespaces,pods,... -A -o json`.

Objects of a kind fleetscope does not collect are skipped and counted; an object printed twice
(`kubectl get po,all` lists pods twice) is kept once (`dedupe`). Both are said in one summary
line through `progress`: a collector never prints, the loader decides where lines go.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from fleetscope.collectors.kubernetes.decode import decode_item, split_list
from fleetscope.collectors.kubernetes.dedupe import Duplicates, object_key
from fleetscope.collectors.kubernetes.rows import SnapshotBuilder, paused_gc
from fleetscope.collectors.progress import Progress, quiet
from fleetscope.errors import InputError
from fleetscope.warehouse import LoadBatch, to_naive_utc, utc_now

SOURCE_KIND = "kubernetes"


def read_list(document: Any, **options: Any) -> LoadBatch:
    """`read_list_bytes` (same keyword arguments) for a List already parsed: tests build
    theirs as dicts, and one decoding path keeps both readers alike."""
    return read_list_bytes(orjson.dumps(document), **options)


def read_list_bytes(
    body: bytes,
    *,
    cluster: str,
    collected_at: datetime,
    origin: str = "<list>",
    progress: Progress = quiet,
) -> LoadBatch:
    """Rows of every raw_k8s_* table from a List's JSON, decoding only the fields the
    warehouse needs; kinds not collected are skipped, objects printed twice kept once."""
    skipped: dict[str, int] = {}
    items = split_list(body, origin=origin, skipped=skipped)
    duplicates = Duplicates(origin)
    duplicates.plan((i.position, object_key(i.kind, i.name, i.namespace)) for i in items)
    builder = SnapshotBuilder()
    with paused_gc():
        for item in items:
            decoded = decode_item(item, origin=origin)
            if item.position in duplicates.involved and not duplicates.keep(
                item.position, item.label(), decoded
            ):
                continue
            builder.add(item.kind, decoded, where=f"{origin}: items[{item.position}]")
        tables = builder.build()
    for warning in duplicates.differing:
        progress(f"kubernetes {cluster}: warning: {warning}")
    progress(
        f"kubernetes {cluster}: read {origin}: "
        f"{summary(len(items) - duplicates.count, skipped, duplicates)}"
    )
    return LoadBatch(SOURCE_KIND, cluster, to_naive_utc(collected_at), tables)


def summary(objects: int, skipped: dict[str, int], duplicates: Duplicates) -> str:
    """`12 object(s); 3 skipped (kinds not collected: Service 2, Event 1); 4 duplicate ...`."""
    parts = [f"{objects} object(s)"]
    if skipped:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(skipped.items()))
        parts.append(f"{sum(skipped.values())} skipped (kinds not collected: {kinds})")
    if duplicates.count:
        parts.append(duplicates.summary())
    return "; ".join(parts)


def read_list_file(
    path: str | Path,
    *,
    cluster: str,
    collected_at: datetime | None = None,
    progress: Progress = quiet,
) -> LoadBatch:
    """Read a List JSON file; `collected_at` defaults to now (pass it for old dumps)."""
    path = Path(path)
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a JSON file") from None
    return read_list_bytes(
        body,
        cluster=cluster,
        collected_at=collected_at or utc_now(),
        origin=str(path),
        progress=progress,
    )
