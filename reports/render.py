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
    GA_PAGE,
    LEADERSHIP,
    QUALITY_PAGE,
    WeekManifest,
    copy_plotly_js,
    render_index,
    write_text_atomic,
)
from fleetscope.reports.weeks import IsoWeek, default_week

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

    from fleetscope.reports.execute import Job
    from fleetscope.reports.metrics import Connection


@dataclass
class RenderResult:
    """What a render wrote, and how long it took."""

    week: IsoWeek
    out_dir: Path
    index: Path
    leadership: Path | None
    ga: Path | None = None
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
        "where team is not null and team not in (?, ?, ?) order by team",
        [metrics.IDLE, metrics.UNMOUNTED, metrics.ALL]).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class _Pages:
    """Where one week's pages go and what every notebook of the week is given."""

    out_dir: Path
    week_dir: Path
    generated: str
    common: dict[str, object]
    exporter: HTMLExporter  # built once: its templates load once for every page

    def writer(self, path: Path, title: str, depth: int) -> Callable[[NotebookNode], None]:
        """Export an executed notebook to `path`, `depth` folders below the index."""
        from fleetscope.reports.export import export_html

        up = "../" * depth

        def done(nb: NotebookNode) -> None:
            write_text_atomic(path, export_html(
                self.exporter, nb, title=title, plotly_js_href=f"{up}plotly.min.js",
                index_href=f"{up}index.html", generated=self.generated))
        return done


def render_all(warehouse_path: str | Path, out_dir: str | Path, *,
               week: str | IsoWeek | None = None, teams: list[str] | None = None,
               config: Config | None = None, workers: int | None = None,
               leadership: bool | None = None) -> RenderResult:
    """Render the week's leadership report (unless only `teams` are asked for), the team
    reports with their CSVs, and the index; return what was written."""
    from fleetscope.reports.execute import run_jobs
    from fleetscope.reports.export import make_exporter
    from fleetscope.warehouse.readcopy import read_path

    started = time.perf_counter()
    config = config or Config()
    # One read copy for every page: a publish while rendering must not mix two runs' data.
    warehouse_path = read_path(Path(warehouse_path).resolve())
    out_dir = Path(out_dir).resolve()
    the_week, team_names = _plan(warehouse_path, week, teams)
    with_leadership = (teams is None) if leadership is None else leadership
    week_dir = out_dir / the_week.label
    (week_dir / "teams").mkdir(parents=True, exist_ok=True)
    copy_plotly_js(out_dir)
    rc = config.reports
    pages = _Pages(out_dir, week_dir, f"generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", {
        "warehouse": str(warehouse_path), "week": the_week.label,
        "currency": config.pricing.currency, "engineer_cost_per_year": rc.engineer_cost_per_year,
        "notable_change_pct": rc.notable_change_pct}, make_exporter())
    result = RenderResult(week=the_week, out_dir=out_dir, index=out_dir / "index.html",
                          leadership=None)
    # The GA readiness page goes with the leadership report, which links it.
    jobs = ([_leadership_job(pages, config, result), _ga_job(pages, result)]
            if with_leadership else [])
    jobs += [_team_job(pages, team, result) for team in team_names]
    run_jobs(jobs, workers=workers or rc.workers, cwd=week_dir)

    manifest = WeekManifest.read(week_dir)
    manifest.generated_at = pages.generated
    manifest.leadership = manifest.leadership or with_leadership
    manifest.ga = manifest.ga or with_leadership
    manifest.teams.update({team: result.team_pages[team].stem for team in team_names})
    manifest.write(week_dir)
    render_index(out_dir, generated=pages.generated)
    result.seconds = time.perf_counter() - started
    return result


def _leadership_job(pages: _Pages, config: Config, result: RenderResult) -> Job:
    from fleetscope.notebooks import LEADERSHIP_NOTEBOOK
    from fleetscope.reports.execute import Job

    page = pages.week_dir / LEADERSHIP
    result.leadership = page
    week = pages.common["week"]
    # `fleetscope validate` publishes quality.html at the top of the same folder.
    quality_href = f"../{QUALITY_PAGE}" if (pages.out_dir / QUALITY_PAGE).exists() else ""
    return Job(LEADERSHIP_NOTEBOOK, {
        **pages.common, "max_staleness_hours": config.validate.max_staleness_hours,
        "quality_href": quality_href, "ga_href": GA_PAGE},
        f"week {week}", pages.writer(page, f"Leadership report {week}", 1))


def _ga_job(pages: _Pages, result: RenderResult) -> Job:
    from fleetscope.notebooks import GA_NOTEBOOK
    from fleetscope.reports.execute import Job

    page = pages.week_dir / GA_PAGE
    result.ga = page
    week = pages.common["week"]
    return Job(GA_NOTEBOOK, {"warehouse": pages.common["warehouse"], "week": week},
               f"GA readiness {week}", pages.writer(page, f"GA readiness {week}", 1))


def _team_job(pages: _Pages, team: str, result: RenderResult) -> Job:
    from fleetscope.notebooks import TEAM_NOTEBOOK
    from fleetscope.reports.execute import Job

    page = pages.week_dir / "teams" / f"{safe_file_name(team)}.html"
    csv = page.with_suffix(".csv")
    result.team_pages[team] = page
    result.team_csvs[team] = csv
    return Job(TEAM_NOTEBOOK, {**pages.common, "team": team, "csv_path": str(csv),
                               "csv_href": csv.name},
               f"team {team!r}", pages.writer(page, f"{team}: {pages.common['week']}", 2))
