"""`fleetscope demo` end to end: generate the sources, load them through the real readers,
transform, validate and render the reports.

Nothing here bypasses the product: every file goes through the same reader `fleetscope collect
... --from-file` uses and into the warehouse through `Warehouse.load`, so the demo exercises the
path real data takes.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from fleetscope import console
from fleetscope.config import Config
from fleetscope.demo.generate import Generated, SourceFile, generate


@dataclass
class DemoResult:
    """What a demo run wrote and how long each stage took."""

    out: Path
    warehouse: Path
    start: date
    end: date
    files: int
    rows: int
    validation: str | None = None
    index: Path | None = None
    leadership: Path | None = None
    team_pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def default_end() -> date:
    """Today (UTC): the demo's data runs up to the end of yesterday, so it looks current."""
    return datetime.now(UTC).date()


def run_demo(out: Path, *, seed: int = 7, days: int = 75, end: date | None = None,
             warehouse: Path | None = None, config: Config | None = None,
             reports: bool = True, team_reports: bool = True) -> DemoResult:
    """Generate, load, transform, validate and report; the warehouse defaults to OUT."""
    config = config or Config()
    end = end or default_end()
    out.mkdir(parents=True, exist_ok=True)
    fresh = warehouse is None
    warehouse = warehouse or out / "warehouse.duckdb"
    if fresh:  # the demo's own warehouse starts empty so reruns with another seed stay clean
        for stale in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            stale.unlink(missing_ok=True)
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    with console.step(f"generating {days} days of a synthetic organisation (seed {seed})"):
        generated = generate(out, seed=seed, days=days, end=end)
    seconds["generate"] = time.perf_counter() - started
    result = DemoResult(out=out, warehouse=warehouse, start=generated.start, end=generated.end,
                        files=len(generated.files), rows=0, seconds=seconds)

    started = time.perf_counter()
    result.rows = load_sources(generated, warehouse, config)
    seconds["load"] = time.perf_counter() - started

    started = time.perf_counter()
    with console.step("transforming"):
        from pipelines.transform import transform_warehouse
        from warehouse import Warehouse

        with Warehouse(warehouse) as wh:
            transform_warehouse(wh, config, full_refresh=True)
    seconds["transform"] = time.perf_counter() - started
    if not reports:
        return result

    report_dir = out / "reports"
    started = time.perf_counter()
    with console.step("validating"):
        from pipelines.quality import validate_warehouse

        outcome = validate_warehouse(warehouse, config, page_dir=report_dir)
        result.validation = outcome.status
        for line in outcome.summary_lines():
            console.info(line)
    seconds["validate"] = time.perf_counter() - started

    started = time.perf_counter()
    with console.step("rendering reports"):
        from reports import render_all

        rendered = render_all(warehouse, report_dir, config=config,
                              teams=None if team_reports else [], leadership=True)
        result.index = rendered.index
        result.leadership = rendered.leadership
        result.team_pages = len(rendered.team_pages)
    seconds["report"] = time.perf_counter() - started
    return result


def load_sources(generated: Generated, warehouse: Path, config: Config) -> int:
    """Read every generated file with its real reader and load it; returns the rows written."""
    from collectors.catalog.reader import read_catalog_path
    from collectors.helios.reader import read_dump_file as read_helios
    from collectors.kubernetes.reader import read_list_file
    from collectors.prometheus.reader import read_dump_file as read_prometheus
    from warehouse import LoadBatch, Warehouse

    catalog: dict[Path, LoadBatch] = {}

    def read(source: SourceFile) -> LoadBatch:
        if source.kind == "kubernetes":
            return read_list_file(source.path, cluster=source.name,
                                  collected_at=source.collected_at)
        if source.kind == "prometheus":
            return read_prometheus(source.path, cluster=source.name)
        if source.kind == "helios":
            return read_helios(source.path, source=config.helios.source,
                               collected_at=source.collected_at)
        # The catalog folder is parsed once and loaded as one snapshot per day.
        if source.path not in catalog:
            catalog[source.path] = read_catalog_path(source.path,
                                                     collected_at=source.collected_at)
        return dataclasses.replace(catalog[source.path], collected_at=source.collected_at)

    rows = 0
    with Warehouse(warehouse) as wh:
        for kind in ("catalog", "kubernetes", "helios", "prometheus"):
            files = [f for f in generated.files if f.kind == kind]
            for source in console.track(files, f"loading {kind} ({len(files)} files)",
                                        total=len(files)):
                rows += wh.load(read(source)).total_rows
    return rows
