"""`fleetscope collect dirt`: the DiRT log, a YAML file of disaster-recovery exercises."""

from __future__ import annotations

from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, pass_app


@click.command("dirt")
@click.option(
    "--path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The DiRT log (YAML) [default: the config's dirt.path].",
)
@lock_timeout_option
@pass_app
def collect_dirt(app: AppContext, path: Path | None) -> None:
    """Load the DiRT log: per exercise its date, cluster, scenario, what was validated, the
    outcome (pass, partial, fail), time to recover, playbook link and follow-ups.

    The file is checked strictly (docs/sources.md, "DiRT log"): an unknown key, a missing one, a
    bad date or a value outside its set stops the load with the file, line and field. The file is
    a snapshot: loading it again replaces every exercise it loaded before.

    \b
    Examples:
      fleetscope collect dirt --path dirt/exercises.yaml
      fleetscope collect dirt --path dirt/exercises.yaml --lock-timeout 60
    """
    from fleetscope.ops.sources_dirt import dirt_file

    configured = app.config.dirt.path
    if path is None and configured is None:
        raise click.UsageError("give --path or configure dirt.path")
    app.collect([dirt_file(path or app.config_dir / (configured or ""))])


__all__ = ["collect_dirt"]
