"""Offline reader: a `List` as printed by `kubectl get nodes,namespaces,pods,... -A -o json`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fleetscope.collectors.kubernetes.decode import iter_list_items
from fleetscope.collectors.kubernetes.rows import SnapshotBuilder, paused_gc
from fleetscope.errors import InputError
from fleetscope.warehouse import LoadBatch, to_naive_utc, utc_now

SOURCE_KIND = "kubernetes"


def read_list(document: Any, *, cluster: str, collected_at: datetime,
              origin: str = "<list>") -> LoadBatch:
    """Rows of every raw_k8s_* table from a parsed List; kinds not collected are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise InputError(f"{origin}: expected a Kubernetes List (an object with `items`), as "
                         "printed by `kubectl get ... -o json`")
    builder = SnapshotBuilder()
    with paused_gc():
        for index, item in enumerate(document["items"]):
            kind = item.get("kind") if isinstance(item, dict) else None
            if not isinstance(kind, str):
                raise InputError(f"{origin}: items[{index}]: `kind` is missing")
            builder.add(kind, item, where=f"{origin}: items[{index}]")
        tables = builder.build()
    return LoadBatch(SOURCE_KIND, cluster, to_naive_utc(collected_at), tables)


def read_list_bytes(body: bytes, *, cluster: str, collected_at: datetime,
                    origin: str = "<list>") -> LoadBatch:
    """Like `read_list` from the raw JSON, decoding only the fields the warehouse needs."""
    builder = SnapshotBuilder()
    with paused_gc():
        for index, kind, item in iter_list_items(body, origin=origin):
            builder.add(kind, item, where=f"{origin}: items[{index}]")
        tables = builder.build()
    return LoadBatch(SOURCE_KIND, cluster, to_naive_utc(collected_at), tables)


def read_list_file(path: str | Path, *, cluster: str,
                   collected_at: datetime | None = None) -> LoadBatch:
    """Read a List JSON file; `collected_at` defaults to now (pass it for old dumps)."""
    path = Path(path)
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a JSON file") from None
    return read_list_bytes(body, cluster=cluster, collected_at=collected_at or utc_now(),
                           origin=str(path))
