"""One Backstage entity (a parsed YAML document or an API item) → one row of the raw table.

Identity fields (`kind`, `metadata.name`, `metadata.namespace`) must be strings, as Backstage
validates them: `name: 2024` is refused with the field named. Descriptive fields (`spec.owner`,
`spec.system`, `spec.lifecycle`, `spec.type`, annotation and label values) accept any scalar and
keep it as written (`system: 1.10` → "1.10"), where Backstage would refuse the entity; see
docs/sources.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fleetscope.collectors.catalog.yaml12 import scalar_text
from fleetscope.errors import InputError

COLUMNS = [
    "kind",
    "entity_namespace",
    "entity_name",
    "owner",
    "system",
    "lifecycle",
    "entity_type",
    "kubernetes_id",
    "kubernetes_label_selector",
    "annotations",
    "labels",
]
BACKSTAGE_GROUP = "backstage.io"


def is_entity_document(document: Any) -> bool:
    """Whether Backstage would read this document as an entity.

    `apiVersion: backstage.io/...` (or a sub-group such as `scaffolder.backstage.io/...`) makes
    an entity; so does a `kind` without any `apiVersion` (hand-written catalogs that fleetscope
    always read). Anything else (an OpenAPI spec, mkdocs.yaml, a Kubernetes manifest, a list)
    is not a catalog entity and is skipped.
    """
    if not isinstance(document, Mapping):
        return False
    api_version = document.get("apiVersion")
    if api_version is None:
        return document.get("kind") is not None
    group = scalar_text(api_version).split("/", 1)[0]
    return group == BACKSTAGE_GROUP or group.endswith("." + BACKSTAGE_GROUP)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {scalar_text(value)}"
    if isinstance(value, int | float):
        return f"the number {scalar_text(value)}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!s}"


def _string_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: expected a mapping, got {type(value).__name__}")
    return {scalar_text(k): ("" if v is None else scalar_text(v)) for k, v in value.items()}


def _optional_text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping | list):
        raise InputError(f"{where}: expected a string, got {type(value).__name__}")
    return scalar_text(value)


def _identity(entity: Mapping[str, Any], where: str, document: int | None) -> tuple[str, str, str]:
    """(kind, namespace, name), each required to be a string, as Backstage validates them."""
    typed = where if document is None else f"{where}: document {document}"
    kind = entity.get("kind")
    if kind is None or kind == "":
        raise InputError(f"{where}: missing field 'kind'")
    if not isinstance(kind, str):
        raise InputError(f"{typed}: field 'kind' must be a string, got {_describe(kind)}")
    metadata = entity.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if name is None or name == "":
        raise InputError(f"{where}: {kind} has no 'metadata.name'")
    if not isinstance(name, str):
        raise InputError(
            f"{typed}: {kind} field 'metadata.name' must be a string, got "
            f'{_describe(name)} (quote it: name: "{scalar_text(name)}")'
        )
    assert isinstance(metadata, Mapping)
    namespace = metadata.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        raise InputError(
            f"{typed}: {kind} {name}: field 'metadata.namespace' must be a string, "
            f"got {_describe(namespace)}"
        )
    return kind, namespace or "default", name


def entity_row(entity: Any, where: str, *, document: int | None = None) -> dict[str, Any] | None:
    """One entity as a row; None for an empty YAML document.

    `where` names the file and line (or the API item); `document` is the document's 1-based
    index in its file, named in errors about a field.
    """
    if entity is None:
        return None
    if not isinstance(entity, Mapping):
        raise InputError(f"{where}: expected an entity mapping, got {type(entity).__name__}")
    kind, namespace, name = _identity(entity, where, document)
    metadata = entity["metadata"]
    spec = entity.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: {kind} {name}: 'spec' must be a mapping")
    annotations = _string_map(metadata.get("annotations"), f"{where}: {name}.metadata.annotations")
    labels = _string_map(metadata.get("labels"), f"{where}: {name}.metadata.labels")
    return {
        "kind": kind,
        "entity_namespace": namespace,
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


def entity_key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """The entity's identity as Backstage compares it: kind, namespace and name, case-folded."""
    return (
        row["kind"].casefold(),
        row["entity_namespace"].casefold(),
        row["entity_name"].casefold(),
    )
