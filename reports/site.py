"""The reports folder on disk: week folders with their manifest, shared plotly.js, index page.

```
<out>/index.html                 latest week first, then the archive by ISO week
<out>/plotly.min.js              one copy, from the installed plotly package
<out>/<YYYY-Www>/leadership.html
<out>/<YYYY-Www>/ga.html          GA readiness, linked from the leadership report
<out>/<YYYY-Www>/teams/<safe name>.html and .csv
<out>/<YYYY-Www>/manifest.json   what the week holds (team names as written, their files)
```
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fleetscope.reports.names import esc

WEEK_DIR = re.compile(r"^\d{4}-W\d{2}$")
MANIFEST = "manifest.json"
LEADERSHIP = "leadership.html"
GA_PAGE = "ga.html"
PLOTLY_JS = "plotly.min.js"
QUALITY_PAGE = "quality.html"  # written by `fleetscope validate` (pipelines.quality.page)
CSS_FILE = Path(__file__).resolve().parent / "templates" / "fleetscope" / "fleetscope.css"


def write_text_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a reader never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be served and shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_plotly_js(out_dir: Path) -> Path:
    """Put the installed plotly.min.js beside the reports (once; refreshed when it differs)."""
    import plotly

    source = Path(plotly.__file__).resolve().parent / "package_data" / PLOTLY_JS
    target = out_dir / PLOTLY_JS
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return target


@dataclass
class WeekManifest:
    """What one week's folder holds; team pages are keyed by the team name as written."""

    week: str
    generated_at: str = ""
    leadership: bool = False
    ga: bool = False
    teams: dict[str, str] = field(default_factory=dict)  # team name -> safe file stem

    @classmethod
    def read(cls, week_dir: Path) -> WeekManifest:
        path = week_dir / MANIFEST
        if not path.exists():
            return cls(week=week_dir.name)
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(week=raw.get("week", week_dir.name), generated_at=raw.get("generated_at", ""),
                   leadership=bool(raw.get("leadership")), ga=bool(raw.get("ga")),
                   teams=dict(raw.get("teams", {})))

    def write(self, week_dir: Path) -> None:
        write_text_atomic(week_dir / MANIFEST, json.dumps(
            {"week": self.week, "generated_at": self.generated_at,
             "leadership": self.leadership, "ga": self.ga,
             "teams": dict(sorted(self.teams.items()))},
            indent=1))


def week_manifests(out_dir: Path) -> list[WeekManifest]:
    """Every week folder under `out_dir`, latest first."""
    if not out_dir.is_dir():
        return []
    found = [WeekManifest.read(p) for p in out_dir.iterdir()
             if p.is_dir() and WEEK_DIR.match(p.name)]
    return sorted(found, key=lambda m: m.week, reverse=True)


def _team_links(manifest: WeekManifest) -> str:
    items = [f'<li><a href="{esc(manifest.week)}/teams/{esc(stem)}.html">{esc(name)}</a> '
             f'<a class="fs-muted" href="{esc(manifest.week)}/teams/{esc(stem)}.csv">csv</a></li>'
             for name, stem in sorted(manifest.teams.items(), key=lambda kv: kv[0].lower())]
    return f'<ul class="fs-teams">{"".join(items)}</ul>' if items else (
        '<p class="fs-muted">No team reports.</p>')


def render_index(out_dir: Path, *, generated: str) -> Path:
    """Write `index.html`: the latest week's reports first, then every earlier week."""
    weeks = week_manifests(out_dir)
    css = CSS_FILE.read_text(encoding="utf-8")
    parts = ["<h1>fleetscope reports</h1>"]
    if (out_dir / QUALITY_PAGE).exists():
        parts.append(f'<p><a href="{QUALITY_PAGE}">Data quality checks</a> (latest run)</p>')
    if not weeks:
        parts.append('<p class="fs-muted">No reports yet.</p>')
    else:
        latest = weeks[0]
        parts.append(f"<h2>Latest: {esc(latest.week)}</h2>")
        if latest.leadership:
            parts.append(f'<p><a href="{esc(latest.week)}/{LEADERSHIP}"><strong>Weekly '
                         f"leadership report {esc(latest.week)}</strong></a></p>")
        if latest.ga:
            parts.append(f'<p><a href="{esc(latest.week)}/{GA_PAGE}">GA readiness '
                         f"{esc(latest.week)}</a></p>")
        parts.append(f"<h3>Team reports ({len(latest.teams)})</h3>{_team_links(latest)}")
        if len(weeks) > 1:
            parts.append("<h2>Archive</h2><ul>")
            for manifest in weeks[1:]:
                leadership = (f'<a href="{esc(manifest.week)}/{LEADERSHIP}">leadership report</a>'
                              if manifest.leadership else "no leadership report")
                if manifest.ga:
                    leadership += f', <a href="{esc(manifest.week)}/{GA_PAGE}">GA readiness</a>'
                parts.append(f"<li><strong>{esc(manifest.week)}</strong>: {leadership}; "
                             f"<details><summary>{len(manifest.teams)} team reports</summary>"
                             f"{_team_links(manifest)}</details></li>")
            parts.append("</ul>")
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">'
            f"<title>fleetscope reports</title><style>{css}</style></head>"
            f'<body class="fs-page"><nav class="fs-nav"><span>fleetscope</span>'
            f'<span class="fs-generated">{esc(generated)}</span></nav><main>'
            f'{"".join(parts)}</main></body></html>\n')
    path = out_dir / "index.html"
    write_text_atomic(path, page)
    return path
