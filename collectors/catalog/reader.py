"""Backstage catalog descriptor files → rows of `raw_catalog_entities`, read as Backstage does.

Descriptor files are multi-document YAML (`catalog-info.yaml`), parsed with the YAML 1.2 core
schema (`yaml12`). The catalog API returns the same entity objects as JSON, so both paths share
`entity_row` and `entities_frame`. Every kind is kept (Component, Group, System, API, ...); the
models pick the kinds they need.

Order, which decides conflicts: the files matched under `--path` in sorted path order, then the
files reached only through Location entities in the order found; documents in file order. An
entity defined twice (kind, namespace and name compared case-insensitively) keeps its first
definition, as Backstage keeps the first registered, and the conflict is reported naming both
files. Documents that are not Backstage entities are skipped and counted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fleetscope.collectors.catalog.entity import COLUMNS, entity_key, entity_row, is_entity_document
from fleetscope.collectors.catalog.locations import DEFAULT_PATTERNS, location_targets, start_files
from fleetscope.collectors.catalog.refs import entities_frame
from fleetscope.collectors.catalog.yaml12 import load_documents
from fleetscope.collectors.progress import Progress, quiet
from fleetscope.warehouse import LoadBatch, to_naive_utc

TABLE = "raw_catalog_entities"


@dataclass
class CatalogRead:
    """One read of a catalog folder: the batch to load, and what was skipped or conflicted."""

    batch: LoadBatch
    count_files: int = 0
    count_skipped_documents: int = 0  # YAML documents that are not Backstage entities
    remote_targets: list[str] = field(default_factory=list)  # Location targets not fetched
    warnings: list[str] = field(default_factory=list)  # entity conflicts, remote targets

    def summary(self) -> str:
        """One line for the log: files, entities, skipped documents, remote targets."""
        parts = [f"{self.count_files} file(s), {len(self.batch.tables[TABLE])} entities"]
        if self.count_skipped_documents:
            parts.append(
                f"{self.count_skipped_documents} document(s) skipped: not Backstage entities"
            )
        if self.remote_targets:
            parts.append(f"{len(self.remote_targets)} remote location target(s) not followed")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning(s)")
        return "; ".join(parts)


class _Walk:
    """Reads files breadth-first from the root's matches, following Location targets once."""

    def __init__(self, root: Path, files: list[Path]) -> None:
        self.root = root
        self.queue = deque(files)
        self.seen = {f.resolve() for f in files}  # a Location cycle reads each file once
        self.rows: list[dict[str, Any]] = []
        self.first_at: dict[tuple[str, str, str], str] = {}
        self.count_files = 0
        self.skipped = 0
        self.remote: list[str] = []
        self.warnings: list[str] = []

    def run(self) -> None:
        while self.queue:
            self._read(self.queue.popleft())

    def _read(self, file: Path) -> None:
        self.count_files += 1
        for document, line, index in load_documents(file):
            if document is None:
                continue  # an empty document (`---` twice)
            if not is_entity_document(document):
                self.skipped += 1
                continue
            where = f"{file}:{line}"
            row = entity_row(document, where, document=index)
            assert row is not None
            if self._keep(row, where) and row["kind"].casefold() == "location":
                self._follow(document, file, where)

    def _keep(self, row: dict[str, Any], where: str) -> bool:
        key = entity_key(row)
        first = self.first_at.get(key)
        if first is not None:
            self.warnings.append(
                f"{row['kind']} {row['entity_namespace']}/{row['entity_name']} in {where} is "
                f"already defined in {first}: the first one is kept, as in Backstage"
            )
            return False
        self.first_at[key] = where
        self.rows.append(row)
        return True

    def _follow(self, document: dict[str, Any], file: Path, where: str) -> None:
        files, remote = location_targets(document, file, self.root, where)
        for target in remote:
            self.remote.append(target)
            self.warnings.append(
                f"{where}: remote location target {target} not followed "
                "(only files under --path are read)"
            )
        for target_file in files:
            resolved = target_file.resolve()
            if resolved not in self.seen:
                self.seen.add(resolved)
                self.queue.append(target_file)


def read_catalog(
    path: str | Path,
    *,
    collected_at: datetime,
    source: str = "catalog",
    patterns: Sequence[str] = DEFAULT_PATTERNS,
) -> CatalogRead:
    """Every entity of the descriptor files under `path` (a folder, or one file) as one
    snapshot, with counts of what was skipped.

    `patterns` are the globs a folder is filtered with (relative to it, `**` for any depth);
    Location targets are followed whatever their name.
    """
    root, files = start_files(Path(path), patterns)
    walk = _Walk(root, files)
    walk.run()
    batch = LoadBatch(
        "catalog", source, to_naive_utc(collected_at), {TABLE: entities_frame(walk.rows)}
    )
    return CatalogRead(batch, walk.count_files, walk.skipped, walk.remote, walk.warnings)


def read_catalog_path(
    path: str | Path,
    *,
    collected_at: datetime,
    source: str = "catalog",
    patterns: Sequence[str] = DEFAULT_PATTERNS,
    progress: Progress = quiet,
) -> LoadBatch:
    """`read_catalog`'s batch; its warnings and summary go to `progress` (a collector never
    prints: the loader decides where lines go)."""
    read = read_catalog(path, collected_at=collected_at, source=source, patterns=patterns)
    for warning in read.warnings:
        progress(f"catalog {source}: warning: {warning}")
    progress(f"catalog {source}: read {read.summary()}")
    return read.batch


__all__ = [
    "COLUMNS",
    "TABLE",
    "CatalogRead",
    "entities_frame",
    "entity_row",
    "read_catalog",
    "read_catalog_path",
]
