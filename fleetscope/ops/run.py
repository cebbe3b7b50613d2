"""`fleetscope run`: collect every configured source, transform, validate, report — under a lock.

Exit codes (documented in docs/operations.md, for schedulers):
  0 everything succeeded; 2 bad configuration; 4 every source failed (nothing transformed);
  5 the warehouse could not be opened or written; 6 a critical data-quality check failed (reports
  not published: last week's stay); 7 another run held the lock past the timeout; 8 a model
  failed to build; 9 some sources failed (recorded in `loads`), the rest was transformed,
  validated and published. The table is `fleetscope.errors.EXIT_CODES`.

After validation passes, the run publishes the read copy that `query`, notebooks and reports
open (fleetscope.warehouse.readcopy), so analysts' connections never meet the writer's file.

Each source's load is one transaction and each model write is one transaction, so a run killed
at any point leaves the warehouse as it was after the last completed write; the next run reloads
the same snapshots and windows (loads replace) and the transform rebuilds what changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from fleetscope import console
from fleetscope.config import Config
from fleetscope.errors import FleetscopeError, ValidationFailed
from fleetscope.ops.ingest import Ingested, Loader, Source, every_source_failed, locked, partial_run
from fleetscope.ops.sources import plan_sources

if TYPE_CHECKING:
    from fleetscope.pipelines.quality import ValidationOutcome
    from fleetscope.warehouse.readcopy import PublishedCopy

T = TypeVar("T")


@dataclass
class StepResult:
    """What one step of a run did."""

    name: str
    status: str  # ok | failed | skipped
    seconds: float
    message: str = ""


@dataclass
class RunResult:
    """The steps of a run in order; `failed_sources` names the sources recorded as failed."""

    steps: list[StepResult] = field(default_factory=list)
    failed_sources: list[str] = field(default_factory=list)
    validation_status: str | None = None
    report_dir: Path | None = None


@dataclass(frozen=True)
class RunOptions:
    """How to run: where, how long to wait for the lock, which steps."""

    warehouse_path: Path
    config_dir: Path
    lock_timeout_seconds: float
    report: bool = True
    report_out: Path | None = None


def run_all(config: Config, options: RunOptions) -> RunResult:
    """One scheduled run; raises the FleetscopeError whose exit code the scheduler should see."""
    jobs = plan_sources(config, options.config_dir)
    if not jobs:
        from fleetscope.errors import ConfigError

        raise ConfigError("nothing to collect: configure kubernetes.contexts or "
                          "kubernetes.files, prometheus.sources or prometheus.files, helios.url "
                          "or helios.files, catalog.path or catalog.url, billing.sources "
                          "(docs/configuration.md)")
    result = RunResult()
    with locked(options.warehouse_path, timeout_seconds=options.lock_timeout_seconds,
                progress=console.info):
        console.info(f"run: lock held; {len(jobs)} source job(s) to collect")
        ingested = _collect(jobs, options.warehouse_path, result, config.warehouse.lake)
        nothing = every_source_failed(ingested)
        if nothing is not None:
            raise nothing
        _step(result, "transform", lambda: _transform(config, options))
        outcome = _step(result, "validate", lambda: _validate(config, options))
        result.validation_status = outcome.status
        for line in outcome.summary_lines():
            console.info(f"run: {line}")
        if outcome.status == "failed":
            raise ValidationFailed(
                f"a critical data-quality check failed ({outcome.count_failed_critical} in all); "
                f"reports were not published (the previous ones stay). See {outcome.page_path} "
                "or `fleetscope query --writer "
                "\"select * from validation_latest where not success\"`")
        _step(result, "read copy", lambda: publish(config, options.warehouse_path))
        if options.report:
            result.report_dir = _step(result, "report", lambda: _report(config, options))
            _deliver(config, options, result)
    partial = partial_run(ingested, published=options.report)
    if partial is not None:
        raise partial
    return result


def _step(result: RunResult, name: str, action: Callable[[], T]) -> T:
    started = time.perf_counter()
    console.info(f"run: {name} ...")
    try:
        value = action()
    except FleetscopeError as exc:
        result.steps.append(StepResult(name, "failed", time.perf_counter() - started, str(exc)))
        raise
    seconds = time.perf_counter() - started
    result.steps.append(StepResult(name, "ok", seconds))
    console.info(f"run: {name}: done in {seconds:.1f}s")
    return value


def _collect(jobs: list[Source], warehouse_path: Path, result: RunResult,
             lake: str = "") -> Ingested:
    """Load each source through the loader; a failure is recorded in `loads` and the run goes
    on."""
    ingested = Ingested()
    loader = Loader(warehouse_path, progress=console.info, lake=lake or None)
    for job in jobs:
        console.info(f"run: collect {job.label} ...")
        outcome = loader.load(job)
        ingested.outcomes.append(outcome)
        if outcome.error is not None:
            console.info(f"run: collect {job.label}: FAILED: {outcome.message}")
            result.failed_sources.append(job.label)
            result.steps.append(StepResult(f"collect {job.label}", "failed", outcome.seconds,
                                           outcome.message))
            continue
        result.steps.append(StepResult(f"collect {job.label}", "ok", outcome.seconds,
                                       f"{outcome.rows} rows"))
        console.info(f"run: collect {job.label}: {outcome.rows} rows in {outcome.seconds:.1f}s")
    return ingested


def _transform(config: Config, options: RunOptions) -> None:
    from fleetscope.pipelines.transform import transform_warehouse
    from fleetscope.warehouse import Warehouse

    with Warehouse(options.warehouse_path) as wh:
        transform_warehouse(wh, config, progress=console.info)


def _validate(config: Config, options: RunOptions) -> ValidationOutcome:
    from fleetscope.pipelines.quality import validate_warehouse

    return validate_warehouse(options.warehouse_path, config,
                              page_dir=_report_dir(config, options))


def publish(config: Config, warehouse_path: Path) -> PublishedCopy:
    """Publish the validated warehouse as the readers' copy (operations.md, "Who reads what")."""
    from fleetscope.warehouse.readcopy import publish_read_copy

    copy = publish_read_copy(warehouse_path, keep_hours=config.warehouse.read_copy_keep_hours)
    console.info(f"read copy: {copy.path} ({copy.size_bytes / 1e6:.1f} MB, "
                 f"{copy.seconds:.1f}s; {len(copy.removed)} old cop(ies) removed)")
    return copy


def _report(config: Config, options: RunOptions) -> Path:
    from fleetscope.reports import render_all

    out = _report_dir(config, options)
    render_all(options.warehouse_path, out, config=config)
    return out


def _deliver(config: Config, options: RunOptions, result: RunResult) -> None:
    """Publish, mail and chat (`fleetscope.ops.deliver`): a failure there is a `failed` step
    with its reason, never an error, since the reports are already rendered."""
    from fleetscope.ops.deliver import deliver

    assert result.report_dir is not None
    result.steps += deliver(config, warehouse_path=options.warehouse_path,
                            report_dir=result.report_dir, log=console.info)


def _report_dir(config: Config, options: RunOptions) -> Path:
    if options.report_out is not None:
        return options.report_out
    out = Path(config.reports.out_dir)
    return out if out.is_absolute() else Path.cwd() / out
