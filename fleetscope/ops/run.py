"""`fleetscope run`: collect every configured source, transform, validate, report — under a lock.

Exit codes (documented in docs/operations.md, for schedulers):
  0 everything succeeded; 2 bad configuration; 4 every source failed (nothing transformed);
  5 the warehouse could not be opened or written; 6 a critical data-quality check failed (reports
  not published: last week's stay); 7 another run held the lock past the timeout; 8 some sources
  failed (recorded in `loads`), the rest was transformed, validated and published.

Each source's load is one transaction and each model write is one transaction, so a run killed
at any point leaves the warehouse as it was after the last completed write; the next run reloads
the same snapshots and windows (loads replace) and the transform rebuilds what changed.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from fleetscope import console
from fleetscope.config import Config
from fleetscope.errors import CollectError, FleetscopeError, ValidationFailed
from fleetscope.ops.lock import warehouse_lock
from fleetscope.ops.sources import SourceJob, plan_sources

if TYPE_CHECKING:
    from fleetscope.pipelines.quality import ValidationOutcome

T = TypeVar("T")


class PartialRun(FleetscopeError):
    """Some sources failed to collect; everything else ran and reports were published."""

    exit_code = 8


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
                          "or helios.files, catalog.path or catalog.url (docs/configuration.md)")
    result = RunResult()
    with warehouse_lock(options.warehouse_path, timeout_seconds=options.lock_timeout_seconds,
                        on_wait=console.info):
        console.info(f"run: lock held; {len(jobs)} source job(s) to collect")
        _collect(jobs, options.warehouse_path, result)
        if len(result.failed_sources) == len(jobs):
            raise CollectError(
                f"every source failed ({', '.join(result.failed_sources)}); nothing was "
                "transformed or published. The failures are recorded in the loads table")
        _step(result, "transform", lambda: _transform(config, options))
        outcome = _step(result, "validate", lambda: _validate(config, options))
        result.validation_status = outcome.status
        for line in outcome.summary_lines():
            console.info(f"run: {line}")
        if outcome.status == "failed":
            raise ValidationFailed(
                f"a critical data-quality check failed ({outcome.count_failed_critical} in all); "
                f"reports were not published (the previous ones stay). See {outcome.page_path} "
                "or `fleetscope query \"select * from validation_latest where not success\"`")
        if options.report:
            result.report_dir = _step(result, "report", lambda: _report(config, options))
    if result.failed_sources:
        raise PartialRun(f"{len(result.failed_sources)} of {len(jobs)} source(s) failed: "
                         f"{', '.join(result.failed_sources)}; the rest was transformed, "
                         "validated" + (" and published" if options.report else ""))
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


def _collect(jobs: list[SourceJob], warehouse_path: Path, result: RunResult) -> None:
    """Collect each job; a failure is recorded in `loads` and the run goes on."""
    from fleetscope.warehouse import Warehouse, utc_now

    for job in jobs:
        started_at = utc_now()
        started = time.perf_counter()
        console.info(f"run: collect {job.label} ...")
        try:
            rows = job.collect(warehouse_path)
        except Exception as exc:  # one broken source must not stop the others
            message = str(exc) if isinstance(exc, FleetscopeError) else (
                f"{type(exc).__name__}: {exc}")
            if not isinstance(exc, FleetscopeError):
                console.info(traceback.format_exc().rstrip())
            console.info(f"run: collect {job.label}: FAILED: {message}")
            result.failed_sources.append(job.label)
            result.steps.append(StepResult(f"collect {job.label}", "failed",
                                           time.perf_counter() - started, message))
            with Warehouse(warehouse_path) as wh:
                wh.record_failure(job.kind, job.name, message, started_at=started_at)
            continue
        seconds = time.perf_counter() - started
        written = "" if rows is None else f"{rows} rows "
        result.steps.append(StepResult(f"collect {job.label}", "ok", seconds, written.strip()))
        console.info(f"run: collect {job.label}: {written}in {seconds:.1f}s")


def _transform(config: Config, options: RunOptions) -> None:
    from fleetscope.pipelines.transform import transform_warehouse
    from fleetscope.warehouse import Warehouse

    with Warehouse(options.warehouse_path) as wh:
        transform_warehouse(wh, config, progress=console.info)


def _validate(config: Config, options: RunOptions) -> ValidationOutcome:
    from fleetscope.pipelines.quality import validate_warehouse

    return validate_warehouse(options.warehouse_path, config,
                              page_dir=_report_dir(config, options))


def _report(config: Config, options: RunOptions) -> Path:
    from fleetscope.reports import render_all

    out = _report_dir(config, options)
    render_all(options.warehouse_path, out, config=config)
    return out


def _report_dir(config: Config, options: RunOptions) -> Path:
    if options.report_out is not None:
        return options.report_out
    out = Path(config.reports.out_dir)
    return out if out.is_absolute() else Path.cwd() / out
