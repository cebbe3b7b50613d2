"""Write a throwaway model (SQL and its YAML) under a models folder, for runner tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def write_model(models_dir: Path, layer: str, name: str, sql: str, *,
                depends_on: tuple[str, ...] = (), **config: Any) -> Path:
    """`<models_dir>/<layer>/<name>.sql` and `.yml` (config defaults to a view in staging, a
    table elsewhere); returns the YAML's path."""
    folder = models_dir / layer
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.sql").write_text(sql, encoding="utf-8")
    config.setdefault("materialized", "view" if layer == "staging" else "table")
    spec = {"version": 2, "models": [{"name": name, "config": config,
                                      "depends_on": list(depends_on)}]}
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path
