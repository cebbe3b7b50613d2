"""Entity references compared as Backstage compares them: case-insensitively.

`owner: group:default/Team-B` and `owner: team-b` name one team. The team a workload gets is the
owner reference's name (stg_catalog_components drops kind and namespace), so owners are unified
on that name, case-folded, and written in the catalog's spelling: the Group entity's
`metadata.name` where the catalog has that Group (else a User's), otherwise the first spelling
met in catalog order. The raw table then holds one spelling per team and no SQL has to fold
case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from fleetscope.collectors.catalog.entity import COLUMNS, entity_key

_SPELLING_KINDS = ("group", "user")  # owners are Groups or Users; a Group's spelling wins


def ref_name(ref: str) -> str:
    """The name part of `[kind:][namespace/]name` (Backstage's parseEntityRef)."""
    _, colon, rest = ref.partition(":")
    rest = rest if colon else ref
    _, slash, name = rest.partition("/")
    return name if slash else rest


def _spellings(rows: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Case-folded team name → its spelling in the catalog."""
    spelled: dict[str, str] = {}
    owner_entities = [r for r in rows if r["kind"].casefold() in _SPELLING_KINDS]
    for kind in _SPELLING_KINDS:
        for row in owner_entities:
            if row["kind"].casefold() == kind:
                spelled.setdefault(row["entity_name"].casefold(), row["entity_name"])
    return spelled


def unify_owner_spelling(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with each owner reference's name in the catalog's spelling (new dicts)."""
    spelled = _spellings(rows)
    out = []
    for row in rows:
        owner = row["owner"]
        if owner and owner.strip():
            owner = owner.strip()
            name = ref_name(owner)
            canonical = spelled.setdefault(name.casefold(), name)
            row = {**row, "owner": owner[: len(owner) - len(name)] + canonical}
        out.append(row)
    return out


def entities_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows → the raw table's frame: one row per entity (compared case-insensitively, the first
    one wins, as Backstage keeps the first registered), owners in the catalog's spelling."""
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for row in rows:
        key = entity_key(row)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return pd.DataFrame(unify_owner_spelling(unique), columns=COLUMNS)
