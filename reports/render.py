"""`render_all`: the week's leadership report, every team's report and CSV, the index page."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fleetscope.config import Config
from fleetscope.errors import FleetscopeError
from fleetscope.reports.names import safe_file_name
from fleetscope.reports.site import (
    LEADERSHIP,
    QUALITY_PAGE,
    WeekManifest,
    copy_plotly_js,
    render_index,
    write_text_atomic,
)
from fleetscope.reports.weeks import IsoWeek, default_week

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from fleetscope.reports.metrics import Connection


@dataclass
class RenderResult:
    """What a render wrote, and how long it took."""

    week: IsoWeek
    out_dir: Path
    index: Path
    leadership: Path | None
    team_pages: dict[str, Path] = field(default_factory=dict)
    team_csvs: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


def _plan(warehouse_path: Path, week: str | IsoWeek | None,
          teams: list[str] | None) -> tuple[IsoWeek, list[str]]:
    """The week to render and the teams that have a page (all of them unless named)."""
    from fleetscope.reports import metrics
    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(warehouse_path)
    try:
        if not metrics.table_exists(con, "mart_team_cost_daily"):
            raise FleetscopeError(f"{warehouse_path}: mart_team_cost_daily does not exist; run "
                                  "`fleetscope transform` first")
        span = metrics.data_range(con)
        if week is None:
            if span is None:
                raise FleetscopeError(
                    f"{warehouse_path}: mart_team_cost_daily has no cost data yet; collect "
                    "and run `fleetscope transform` first, or pass --week")
            the_week = default_week(*span)
        else:
            the_week = week if isinstance(week, IsoWeek) else IsoWeek.parse(week)
        known = _known_teams(con) if span else []
    finally:
        con.close()
    if teams is None:
        return the_week, known
    unknown = [t for t in teams if t not in known]
    if unknown:
        shown = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "")
        raise FleetscopeError(f"--team {unknown[0]!r}: no such team in {warehouse_path} "
                              f"(known: {shown or 'none'})")
    return the_week, list(dict.fromkeys(teams))


def _known_teams(con: Connection) -> list[str]:
    from fleetscope.reports import metrics

    sql = ["select team from mart_team_cost_daily"]
    if metrics.table_exists(con, "mart_app_migration_status"):
        sql.append("select team from mart_app_migration_status")
    rows = con.execute(
        f"select distinct team from ({' union '.join(sql)}) t "
        "where team is not null and team not in (?, ?) order by team",
        [metrics.IDLE, metrics.ALL]).fetchall()
    return [r[0] for r in rows]


def render_all(warehouse_path: str | Path, out_dir: str | Path, *,
               week: str | IsoWeek | None = None, teams: list[str] | None = None,
               config: Config | None = None, workers: int | None = None,
               leadership: bool | None = None) -> RenderResult:
    """Render the week's leadership report (unless only `teams` are asked for), the team
    reports with their CSVs, and the index; return what was written."""
    from fleetscope.notebooks import LEADERSHIP_NOTEBOOK, TEAM_NOTEBOOK
    from fleetscope.reports.execute import Job, run_jobs
    from fleetscope.reports.export import export_html, make_exporter

    started = time.perf_counter()
    config = config or Config()
    warehouse_path = Path(warehouse_path).resolve()
    out_dir = Path(out_dir).resolve()
    the_week, team_names = _plan(warehouse_path, week, teams)
    with_leadership = (teams is None) if leadership is None else leadership
    week_dir = out_dir / the_week.label
    (week_dir / "teams").mkdir(parents=True, exist_ok=True)
    copy_plotly_js(out_dir)
    generated = f"generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    exporter = make_exporter()
    rc = config.reports
    common = {"warehouse": str(warehouse_path), "week": the_week.label,
              "currency": config.pricing.currency,
              "engineer_cost_per_year": rc.engineer_cost_per_year,
              "notable_change_pct": rc.notable_change_pct}
    result = RenderResult(week=the_week, out_dir=out_dir, index=out_dir / "index.html",
                          leadership=None)
    jobs: list[Job] = []

    def writer(path: Path, title: str, depth: int) -> Callable[[NotebookNode], None]:
        up = "../" * depth

        def done(nb: NotebookNode) -> None:
            write_text_atomic(path, export_html(
                exporter, nb, title=title, plotly_js_href=f"{up}plotly.min.js",
                index_href=f"{up}index.html", generated=generated))
        return done

    if with_leadership:
        page = week_dir / LEADERSHIP
        # `fleetscope validate` publishes quality.html at the top of the same folder.
        quality_href = f"../{QUALITY_PAGE}" if (out_dir / QUALITY_PAGE).exists() else ""
        jobs.append(Job(LEADERSHIP_NOTEBOOK, {
            **common, "max_staleness_hours": config.validate.max_staleness_hours,
            "quality_href": quality_href},
            f"week {the_week.label}", writer(page, f"Leadership report {the_week.label}", 1)))
        result.leadership = page
    stems: dict[str, str] = {}
    for team in team_names:
        stem = safe_file_name(team)
        stems[team] = stem
        page = week_dir / "teams" / f"{stem}.html"
        csv = page.with_suffix(".csv")
        jobs.append(Job(TEAM_NOTEBOOK, {**common, "team": team, "csv_path": str(csv),
                                        "csv_href": csv.name},
                        f"team {team!r}", writer(page, f"{team}: {the_week.label}", 2)))
        result.team_pages[team] = page
        result.team_csvs[team] = csv
    run_jobs(jobs, workers=workers or rc.workers, cwd=week_dir)

    manifest = WeekManifest.read(week_dir)
    manifest.generated_at = generated
    manifest.leadership = manifest.leadership or with_leadership
    manifest.teams.update(stems)
    manifest.write(week_dir)
    render_index(out_dir, generated=generated)
    result.seconds = time.perf_counter() - started
    return result
