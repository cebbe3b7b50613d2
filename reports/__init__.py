"""Reports: executes the notebooks with papermill and exports HTML that works offline.

API (what `fleetscope report`, `fleetscope run` and the demo call):

    from fleetscope.reports import render_all
    result = render_all(warehouse_path, out_dir, week=None, teams=None, config=config)

- `week`: `"2026-W47"` or an `IsoWeek`; None = the last complete week of cost data.
- `teams`: team names to render; None = every team (and then the leadership report too).
  Naming teams renders only their pages (pass `leadership=True` to add it) and refreshes the index.
- `config`: a `fleetscope.config.Config` (currency, `[reports]` engineer cost, notable change,
  workers; `[validate]` staleness); None = defaults.
- Returns `RenderResult(week, out_dir, index, leadership, team_pages, team_csvs, seconds)`.
- Raises `FleetscopeError` subclasses: unknown team or week, empty warehouse, a failed notebook
  (`reports.execute.RenderError`, naming the notebook and the team).

Output (see `reports.site`): `<out>/index.html`, `<out>/plotly.min.js`,
`<out>/<YYYY-Www>/leadership.html`, `<out>/<YYYY-Www>/teams/<safe name>.html|.csv`.
Pages load the one shared plotly.min.js by a relative path: no CDN, they open from disk.
The numbers come from `reports.metrics` and `reports.team`, called by the notebooks in
`notebooks/` (leadership_weekly.ipynb, team_weekly.ipynb), which only read the marts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fleetscope.reports.render import RenderResult, render_all

__all__ = ["RenderResult", "render_all"]


def __getattr__(name: str) -> Any:
    # Lazy: importing `reports` (e.g. from a notebook for `reports.metrics`) must not pull in
    # nbconvert and papermill.
    if name in __all__:
        from fleetscope.reports import render

        return getattr(render, name)
    raise AttributeError(name)
