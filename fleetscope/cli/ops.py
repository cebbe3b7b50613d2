"""Operating commands: `validate`, `run` (what a schedule calls) and `lab`."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, pass_app


@click.command("validate")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for quality.html [default: the config's reports.out_dir].")
@lock_timeout_option
@pass_app
def validate(app: AppContext, out: Path | None) -> None:
    """Run the data-quality checks (Great Expectations) over staging and marts.

    Results are stored in the warehouse table `validation_results` and written as
    quality.html next to the reports. Exits 6 when a critical check fails; otherwise publishes
    the read copy analysts query (as `run` does).

    \b
    Example:
      fleetscope validate
    """
    from fleetscope.errors import ValidationFailed
    from fleetscope.pipelines.quality import validate_warehouse

    app.hold_run_lock()
    outcome = validate_warehouse(app.warehouse_path, app.config,
                                 page_dir=out or Path(app.config.reports.out_dir))
    for line in outcome.summary_lines():
        click.echo(line)
    if outcome.status == "failed":
        raise ValidationFailed(f"{outcome.count_failed_critical} critical check(s) failed "
                               f"(see {outcome.page_path})")
    from fleetscope.ops.run import publish

    publish(app.config, app.warehouse_path)


@click.command("snapshot")
@lock_timeout_option
@pass_app
def snapshot(app: AppContext) -> None:
    """Publish the warehouse as the read copy that `query`, notebooks and reports open.

    `run`, `demo` and a passing `validate` do this themselves; use it after a manual
    `transform` you want analysts to see without validating. Old copies no reader holds open
    are removed (docs/operations.md, "Who reads what").

    \b
    Example:
      fleetscope snapshot
    """
    from fleetscope.ops.run import publish

    app.hold_run_lock()
    copy = publish(app.config, app.warehouse_path)
    click.echo(f"published {copy.path} ({copy.size_bytes / 1e6:.1f} MB in {copy.seconds:.1f}s)")


@click.command("run")
@click.option("--lock-timeout", type=float,
              help="Seconds to wait for another run's lock [default: run.lock_timeout_seconds].")
@click.option("--no-report", is_flag=True, help="Stop after validation; publish nothing.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Reports folder [default: the config's reports.out_dir].")
@pass_app
def run(app: AppContext, lock_timeout: float | None, no_report: bool, out: Path | None) -> None:
    """Collect every configured source, transform, validate and report.

    Holds a lock next to the warehouse for the whole run. Exit codes: 0 ok, 2 bad config,
    4 every source failed, 5 warehouse error, 6 a critical quality check failed (reports not
    published), 7 lock timeout, 8 a model failed, 9 some sources failed (the rest was
    published). See docs/operations.md.

    \b
    Example (cron, every day at 02:00 UTC):
      0 2 * * * cd /srv/fleetscope && fleetscope --config fleetscope.toml run
    """
    from fleetscope.ops.run import RunOptions, run_all

    config = app.config
    config_dir = app.config_path.parent if app.config_path else Path.cwd()
    options = RunOptions(
        warehouse_path=app.warehouse_path, config_dir=config_dir.resolve(),
        lock_timeout_seconds=(config.run.lock_timeout_seconds if lock_timeout is None
                              else lock_timeout),
        report=not no_report, report_out=out)
    result = run_all(config, options)
    click.echo(f"run succeeded: {len(result.steps)} steps, validation "
               f"{result.validation_status}"
               + (f", reports in {result.report_dir}" if result.report_dir else ""))
    for step in result.steps:
        if step.status != "ok":  # delivery failures do not fail the run: say them here
            click.echo(f"  {step.name}: {step.status}: {step.message}")


@click.command("lab")
@click.option("--port", type=int, default=8888, show_default=True, help="Port to listen on.")
@click.option("--ip", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option("--notebooks", type=click.Path(path_type=Path, file_okay=False),
              help="Folder to open [default: the repository's notebooks/].")
@click.option("--allow-root", is_flag=True, help="Let JupyterLab run as root (containers).")
@pass_app
def lab(app: AppContext, port: int, ip: str, no_browser: bool, notebooks: Path | None,
        allow_root: bool) -> None:
    """Open JupyterLab on the notebooks folder with a read-only warehouse connection ready.

    Every kernel starts with `con` (a read-only DuckDB connection) and `sql(...)` (a query to a
    DataFrame that opens and closes its own connection, so runs are never blocked).

    \b
    Example:
      fleetscope lab --port 8888
    """
    from fleetscope.ops.lab import run_lab

    raise SystemExit(run_lab(app.warehouse_path, port=port, ip=ip, open_browser=not no_browser,
                             notebooks_dir=notebooks, allow_root=allow_root))


COMMANDS = [validate, run, snapshot, lab]
