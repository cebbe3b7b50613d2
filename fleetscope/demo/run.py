"""`fleetscope demo` end to end: generate the sources, load them through the real readers,
transform, validate and render the reports.

Nothing here bypasses the product: every file goes through the same reader `fleetscope collect
... --from-file` uses and into the warehouse through the same loader, so the demo exercises the
path real data takes: the loader of `fleetscope collect` (fleetscope.ops.ingest).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import resource
import time
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from fleetscope import console
from fleetscope.config import Config
from fleetscope.demo.generate import Generated, SourceFile, generate
from fleetscope.errors import FleetscopeError
from fleetscope.ops.ingest import Extract, Loader, Progress, Source, locked
from fleetscope.ops.run import publish
from fleetscope.warehouse.readcopy import discard_read_copies

if TYPE_CHECKING:
    from fleetscope.warehouse import LoadBatch


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
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the parsing workers)."""
    own, children = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _Stages:
    """Wall and CPU time of each stage, for the summary line and the benchmark."""

    def __init__(self, result: DemoResult) -> None:
        self.result = result

    @contextmanager
    def __call__(self, name: str, message: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), _cpu()
        with console.step(message):
            yield
        self.result.seconds[name] = time.perf_counter() - wall
        self.result.cpu_seconds[name] = _cpu() - cpu


def default_end() -> date:
    """Today (UTC): the demo's data runs up to the end of yesterday, so it looks current."""
    return datetime.now(UTC).date()


def run_demo(out: Path, *, seed: int = 7, days: int = 75, end: date | None = None,
             warehouse: Path | None = None, config: Config | None = None,
             reports: bool = True, team_reports: bool = True) -> DemoResult:
    """Generate, load, transform, validate and report; the warehouse defaults to OUT."""
    config = config or Config()
    end = end or default_end()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".fleetscope-demo"
        probe.write_text("")  # fail now, not after minutes of work, if OUT is not writable
        probe.unlink()
    except OSError as exc:
        raise FleetscopeError(f"--out {out}: cannot write there ({exc.strerror or exc})") \
            from None
    fresh = warehouse is None
    warehouse = warehouse or out / "warehouse.duckdb"
    if fresh:  # the demo's own warehouse starts empty so reruns with another seed stay clean
        for stale in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
            stale.unlink(missing_ok=True)
        discard_read_copies(warehouse)
    result = DemoResult(out=out, warehouse=warehouse, start=end - timedelta(days=days),
                        end=end, files=0, rows=0)
    stage = _Stages(result)
    with stage("generate", f"generating {days} days of a synthetic organisation (seed {seed})"):
        generated = generate(out, seed=seed, days=days, end=end)
        result.files = len(generated.files)
    with stage("load", f"loading {len(generated.files)} source files"):
        result.rows = load_sources(generated, warehouse, config)
    with stage("transform", "transforming"):
        from fleetscope.pipelines.transform import transform_warehouse
        from fleetscope.warehouse import Warehouse

        with Warehouse(warehouse) as wh:
            transform_warehouse(wh, config, full_refresh=True)
    if not reports:
        return result
    report_dir = out / "reports"
    with stage("validate", "validating"):
        from fleetscope.pipelines.quality import validate_warehouse

        outcome = validate_warehouse(warehouse, config, page_dir=report_dir)
        result.validation = outcome.status
        for line in outcome.summary_lines():
            console.info(line)
    if outcome.status != "failed":
        with stage("read copy", "publishing the read copy"):
            publish(config, warehouse)
    with stage("report", "rendering reports"):
        from fleetscope.reports import render_all

        rendered = render_all(warehouse, report_dir, config=config,
                              teams=None if team_reports else [], leadership=True)
        result.index = rendered.index
        result.leadership = rendered.leadership
        result.team_pages = len(rendered.team_pages)
    return result


def _read(source: SourceFile, helios_source: str) -> LoadBatch:
    """Parse one generated file with the reader `fleetscope collect ... --from-file` uses."""
    from fleetscope.collectors.helios.reader import read_dump_file as read_helios
    from fleetscope.collectors.kubernetes.reader import read_list_file
    from fleetscope.collectors.prometheus.reader import read_dump_file as read_prometheus

    if source.kind == "kubernetes":
        return read_list_file(source.path, cluster=source.name, collected_at=source.collected_at)
    if source.kind == "prometheus":
        return read_prometheus(source.path, cluster=source.name)
    if source.kind == "helios":
        return read_helios(source.path, source=helios_source, collected_at=source.collected_at)
    raise ValueError(f"no reader for {source.kind}")  # pragma: no cover


def _load_order(files: list[SourceFile]) -> list[SourceFile]:
    """Day by day, inventories before usage: parsing (Prometheus-heavy) and loading
    (inventory-heavy) then keep both processes busy."""
    rank = {"kubernetes": 0, "helios": 1, "prometheus": 2}
    return sorted((f for f in files if f.kind in rank),
                  key=lambda f: (_day(f), rank[f.kind], f.name))


def _day(source: SourceFile) -> date:
    """The day a file describes (a Prometheus window is stamped with its end)."""
    if source.kind == "prometheus":
        return (source.collected_at - timedelta(seconds=1)).date()
    return source.collected_at.date()


def load_sources(generated: Generated, warehouse: Path, config: Config, *,
                 workers: int = 2) -> int:
    """Read every generated file with its real reader and load it through the one loader, under
    the run lock; returns the rows written.

    Files are parsed in `workers` forked processes (a bounded number ahead) while this process
    writes to the warehouse, the only writer. A failure stops the demo (its data is made to load).
    """
    ordered = _load_order(generated.files)
    context = multiprocessing.get_context("fork")
    # The pool is forked before the warehouse is opened: children never hold the DuckDB file.
    with ProcessPoolExecutor(workers, mp_context=context) as pool, \
            locked(warehouse, timeout_seconds=config.run.lock_timeout_seconds,
                   progress=console.info), \
            Loader(warehouse, progress=_quiet, hold_open=True) as loader:
        ahead = _ReadAhead(pool, ordered, config.helios.source, size=2 * workers + 2)
        catalog = [f for f in generated.files if f.kind == "catalog"]
        sources = [_catalog_source(catalog)] if catalog else []
        # One transaction per day of files: each load keeps its own `loads` row, and
        # committing 7 loads at once saves most of the per-commit cost.
        days: dict[date, list[SourceFile]] = {}
        for file in ordered:
            days.setdefault(_day(file), []).append(file)
        sources += [Source("demo", f"{day}", f"demo files of {day}", ahead.extract(len(group)),
                           atomic=True) for day, group in days.items()]
        sources += _delivery_sources(pool, generated.files)
        # The bill last: after the inventories whose nodes and volumes its lines name.
        sources += _bill_sources(generated.files, config)
        rows = 0
        for source in console.track(sources, f"loading {len(ordered)} Kubernetes, Helios and "
                                    "Prometheus files", total=len(sources)):
            outcome = loader.load(source)
            if outcome.error is not None:
                raise outcome.error
            rows += outcome.rows
    return rows


def _bill_sources(files: list[SourceFile], config: Config) -> list[Source]:
    """The demo's FOCUS bill, read by the reader of `fleetscope collect billing` (one load per
    billing period, as a real export folder is)."""
    from fleetscope.ops.sources import billing_focus

    bills = [f for f in files if f.kind == "billing"]
    folders = sorted({f.path.parent for f in bills})
    return [billing_focus(folder, name=bills[0].name, currency=config.pricing.currency)
            for folder in folders]


def _quiet(message: str) -> None:
    """The demo shows one progress bar, not a line per file."""


class _ReadAhead:
    """Files parsed in the pool, a bounded number ahead of the loader, in load order."""

    def __init__(self, pool: ProcessPoolExecutor, files: list[SourceFile], helios_source: str,
                 *, size: int) -> None:
        self.pool, self.helios_source, self.size = pool, helios_source, size
        self.pending = iter(files)
        self.ahead: deque[Future[LoadBatch]] = deque()
        self._refill()

    def _refill(self) -> None:
        while len(self.ahead) < self.size:
            source = next(self.pending, None)
            if source is None:
                return
            self.ahead.append(self.pool.submit(_read, source, self.helios_source))

    def extract(self, count: int) -> Extract:
        """The next `count` parsed files, as a source's extract."""
        def batches(state: Mapping[str, str], progress: Progress) -> Iterator[LoadBatch]:
            for _ in range(count):
                batch = self.ahead.popleft().result()
                self._refill()
                yield batch

        return batches


def _read_git(repos: list[tuple[Path, str | None]], collected_at: datetime) -> LoadBatch:
    """Every commit of the demo's repositories, read with the `collect git --repo` collector."""
    from fleetscope.collectors.git import read_local_repos

    return read_local_repos(repos, collected_at=collected_at)


def _delivery_sources(pool: ProcessPoolExecutor, files: list[SourceFile]) -> list[Source]:
    """The git repositories (read in the pool, in two halves, while the days load), the
    incidents file and the DiRT log, read by the collectors `collect git --repo`, `collect
    incidents` and `collect dirt` use."""
    git = [f for f in files if f.kind == "git"]
    repos: list[tuple[Path, str | None]] = [(f.path, f.name) for f in git]
    halves = [repos[i::2] for i in range(2) if repos[i::2]]
    futures = [pool.submit(_read_git, half, git[0].collected_at) for half in halves]

    def commits(state: Mapping[str, str], progress: Progress) -> Iterator[LoadBatch]:
        for future in futures:
            yield future.result()
        console.info(f"loaded git: {len(repos)} repositories")

    sources = [Source("git", "git", f"git {len(repos)} demo repos", commits, atomic=True)
               ] if repos else []
    return sources + [_incidents_source(f) for f in files if f.kind == "incidents"] + \
        [_dirt_source(f) for f in files if f.kind == "dirt"]


def _incidents_source(file: SourceFile) -> Source:
    """The incidents CSV, stamped with the window's end like the other files (not today, which
    would stretch the demo's days up to the real clock)."""
    def read(state: Mapping[str, str], progress: Progress) -> Iterator[LoadBatch]:
        from fleetscope.collectors.incidents import read_incidents_file

        yield read_incidents_file(file.path, source=file.name, collected_at=file.collected_at)

    return Source("incidents", file.name, f"incidents {file.path.name}", read, offline=True)


def _dirt_source(file: SourceFile) -> Source:
    """The DiRT log, read by the reader of `fleetscope collect dirt` and stamped like the
    incidents (`ops.sources_dirt.dirt_file` stamps now, which would stretch the window)."""
    def read(state: Mapping[str, str], progress: Progress) -> Iterator[LoadBatch]:
        from fleetscope.collectors.dirt import read_dirt_file

        yield read_dirt_file(file.path, collected_at=file.collected_at)

    return Source("dirt", str(file.path.resolve()), f"dirt {file.path.name}", read, offline=True)


def _catalog_source(catalog: list[SourceFile]) -> Source:
    """The catalog folder, parsed once and loaded as each of its weekly snapshots."""
    def snapshots(state: Mapping[str, str], progress: Progress) -> Iterator[LoadBatch]:
        from fleetscope.collectors.catalog.reader import read_catalog_path

        batch = read_catalog_path(catalog[0].path, collected_at=catalog[0].collected_at)
        for source in catalog:
            yield dataclasses.replace(batch, collected_at=source.collected_at)
        console.info(f"loaded catalog: {len(catalog)} weekly snapshots")

    return Source("catalog", "catalog", "demo catalog", snapshots)
