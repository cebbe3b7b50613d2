"""Backstage catalog entities (descriptor files or API items) → rows of `raw_catalog_entities`.

Descriptor files are multi-document YAML (`catalog-info.yaml`); the catalog API returns the same
entity objects as JSON, so both paths share `entity_row`. Every kind is kept (Component, Group,
System, API, ...); the models pick the kinds they need.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from fleetscope.errors import InputError
from fleetscope.warehouse import LoadBatch, to_naive_utc

TABLE = "raw_catalog_entities"
COLUMNS = ["kind", "entity_namespace", "entity_name", "owner", "system", "lifecycle",
           "entity_type", "kubernetes_id", "kubernetes_label_selector", "annotations", "labels"]
_SUFFIXES = (".yaml", ".yml")


def _string_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: expected a mapping, got {type(value).__name__}")
    return {str(k): ("" if v is None else str(v)) for k, v in value.items()}


def _optional_text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping | list):
        raise InputError(f"{where}: expected a string, got {type(value).__name__}")
    return str(value)


def entity_row(entity: Any, where: str) -> dict[str, Any] | None:
    """One entity as a row; None for an empty YAML document. `where` names file and line."""
    if entity is None:
        return None
    if not isinstance(entity, Mapping):
        raise InputError(f"{where}: expected an entity mapping, got {type(entity).__name__}")
    kind = entity.get("kind")
    if not isinstance(kind, str) or not kind:
        raise InputError(f"{where}: missing field 'kind'")
    metadata = entity.get("metadata")
    if not isinstance(metadata, Mapping) or not isinstance(metadata.get("name"), str) \
            or not metadata["name"]:
        raise InputError(f"{where}: {kind} has no 'metadata.name'")
    name = metadata["name"]
    spec = entity.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: {kind} {name}: 'spec' must be a mapping")
    annotations = _string_map(metadata.get("annotations"), f"{where}: {name}.metadata.annotations")
    labels = _string_map(metadata.get("labels"), f"{where}: {name}.metadata.labels")
    return {
        "kind": kind,
        "entity_namespace": _optional_text(metadata.get("namespace"),
                                           f"{where}: {name}.metadata.namespace") or "default",
        "entity_name": name,
        "owner": _optional_text(spec.get("owner"), f"{where}: {name}.spec.owner"),
        "system": _optional_text(spec.get("system"), f"{where}: {name}.spec.system"),
        "lifecycle": _optional_text(spec.get("lifecycle"), f"{where}: {name}.spec.lifecycle"),
        "entity_type": _optional_text(spec.get("type"), f"{where}: {name}.spec.type"),
        "kubernetes_id": annotations.get("backstage.io/kubernetes-id"),
        "kubernetes_label_selector": annotations.get("backstage.io/kubernetes-label-selector"),
        "annotations": json.dumps(annotations, sort_keys=True),
        "labels": json.dumps(labels, sort_keys=True),
    }


def _documents(path: Path) -> Iterable[tuple[Any, str]]:
    """(document, 'file:line') for each YAML document of a file, naming syntax errors."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            yield loader.construct_document(node), f"{path}:{node.start_mark.line + 1}"
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}{line}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def descriptor_files(path: Path) -> list[Path]:
    """The YAML files under a folder (sorted, hidden folders skipped), or the file itself."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    return sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))


def entities_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows → the raw table's frame, one row per (kind, namespace, name): the last one wins."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.drop_duplicates(["kind", "entity_namespace", "entity_name"], keep="last") \
        .reset_index(drop=True)


def read_catalog_path(path: str | Path, *, collected_at: datetime,
                      source: str = "catalog") -> LoadBatch:
    """Every entity of the descriptor files under `path` as one catalog snapshot."""
    path = Path(path)
    rows = []
    for file in descriptor_files(path):
        for document, where in _documents(file):
            row = entity_row(document, where)
            if row is not None:
                rows.append(row)
    return LoadBatch("catalog", source, to_naive_utc(collected_at),
                     {TABLE: entities_frame(rows)})
