"""Benchmark: read a 50 MB Backstage catalog (51,870 components), pure-Python YAML against libyaml.

Writes a synthetic monorepo catalog (not committed: `benchmarks/.cache/catalog-<N>/`, reused
when present): one Group per team, one System per ten components, and components of about 1 KB
each (annotations, labels, tags, links, relations), 250 documents per file. Then, in one run:

* before: every file parsed with `yaml.SafeLoader` (PyYAML's pure-Python loader, what the reader
  used before issue 12), rows built by the same `entity_row` and `entities_frame`;
* after: `read_catalog`, as `fleetscope collect catalog --path` runs it (libyaml's C parser with
  the YAML 1.2 core schema, alias guard, duplicate-key check, Location following).

Checks that both give the same table (the generated values read the same in YAML 1.1 and 1.2)
and prints seconds and the ratio.

Run:  .venv/bin/python benchmarks/catalog_parse.py [--components 51870] [--cache DIR]

Measured on the shared 2-core machine (load average 5-6 from other work) with the defaults:
51,870 components (57,316 entities) in 209 files, 51.5 MB; before 272.4 s, after 19.1 s,
14.3x faster, same table.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parent.parent
PER_FILE = 250
WHEN = datetime(2026, 11, 20)

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-{i:05d}
  title: Service {i:05d}
  description: Handles the {word} requests of the {team} team, with retries and a circuit breaker.
  annotations:
    backstage.io/kubernetes-id: svc-{i:05d}
    backstage.io/kubernetes-label-selector: 'app.kubernetes.io/name=svc-{i:05d}'
    github.com/project-slug: acme/svc-{i:05d}
    pagerduty.com/service-id: 'P{i:06d}'
    backstage.io/techdocs-ref: dir:.
    backstage.io/source-location: url:https://github.com/acme/svc-{i:05d}/tree/main/
  labels:
    tier: '{tier}'
    language: {language}
  tags:
    - {language}
    - {word}
  links:
    - url: https://grafana.example.com/d/svc-{i:05d}
      title: Dashboard
      icon: dashboard
    - url: https://runbooks.example.com/svc-{i:05d}
      title: Runbook
spec:
  type: service
  lifecycle: production
  owner: group:default/{team}
  system: system-{system:04d}
  dependsOn:
    - resource:default/db-{system:04d}
  providesApis:
    - svc-{i:05d}-api
"""
WORDS = ("payment", "search", "checkout", "billing", "shipping", "catalog", "review", "login")
LANGUAGES = ("java", "go", "python", "kotlin", "typescript")


def _group(team: str) -> str:
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {team}\n"
        f"spec:\n  type: team\n  children: []\n"
    )


def _system(system: int, team: str) -> str:
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n"
        f"  name: system-{system:04d}\nspec:\n  owner: {team}\n"
    )


def generate(folder: Path, components: int) -> list[Path]:
    """The catalog's files (written once, then reused)."""
    teams = [f"team-{t:03d}" for t in range(max(1, components // 200))]
    systems = max(1, components // 10)
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        org = [_group(t) for t in teams] + [
            _system(s, teams[s % len(teams)]) for s in range(systems)
        ]
        (folder / "org.yaml").write_text("---\n".join(org))
        for start in range(0, components, PER_FILE):
            docs = [
                COMPONENT.format(
                    i=i,
                    team=teams[i % len(teams)],
                    word=WORDS[i % 8],
                    tier=i % 3 + 1,
                    language=LANGUAGES[i % 5],
                    system=i % systems,
                )
                for i in range(start, min(start + PER_FILE, components))
            ]
            (folder / f"components-{start // PER_FILE:04d}.yaml").write_text("---\n".join(docs))
        (folder / "done").write_text("")
    return sorted(folder.glob("*.yaml"))


def before(files: list[Path]) -> pd.DataFrame:
    """The pre-issue-12 path: PyYAML's pure-Python SafeLoader, YAML 1.1."""
    from fleetscope.collectors.catalog.entity import entity_row
    from fleetscope.collectors.catalog.refs import entities_frame

    rows = []
    for file in files:
        for index, document in enumerate(yaml.load_all(file.read_text(), Loader=yaml.SafeLoader)):
            row = entity_row(document, f"{file}:{index}")
            if row is not None:
                rows.append(row)
    return entities_frame(rows)


def after(folder: Path) -> pd.DataFrame:
    from fleetscope.collectors.catalog import read_catalog

    return read_catalog(folder, collected_at=WHEN).batch.tables["raw_catalog_entities"]


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--components", type=int, default=51_870)
    parser.add_argument("--cache", type=Path, default=REPO / "benchmarks" / ".cache")
    args = parser.parse_args(argv)
    folder = args.cache / f"catalog-{args.components}"
    files = generate(folder, args.components)
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    print(
        f"catalog: {args.components:,} components in {len(files)} files, {size_mb:.1f} MB "
        f"({folder})"
    )
    started = time.perf_counter()
    old = before(files)
    old_seconds = time.perf_counter() - started
    print(f"before (yaml.SafeLoader, pure Python): {old_seconds:.1f} s, {len(old):,} entities")
    started = time.perf_counter()
    new = after(folder)
    new_seconds = time.perf_counter() - started
    print(
        f"after (read_catalog, libyaml CParser, YAML 1.2 core): {new_seconds:.1f} s, "
        f"{len(new):,} entities"
    )
    pd.testing.assert_frame_equal(new, old)
    print("same results: yes (the two tables are equal)")
    ratio = old_seconds / new_seconds
    print(f"ratio: {ratio:.1f}x faster")
    return {
        "before_seconds": old_seconds,
        "after_seconds": new_seconds,
        "ratio": ratio,
        "entities": float(len(new)),
    }


if __name__ == "__main__":
    main()
