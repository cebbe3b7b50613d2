"""Plotly figures as plain {data, layout} dicts, and how a notebook displays them.

Building dicts instead of `plotly.graph_objects` skips plotly's validation and its first-figure
import cost in every kernel; `show` emits the same `application/vnd.plotly.v1+json` output that
`fig.show()` would, which JupyterLab draws and `reports.export` turns into offline HTML.
Label text is HTML-escaped because plotly interprets a few HTML tags in labels.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

PLOTLY_MIME = "application/vnd.plotly.v1+json"
COLORS = ["#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04",
          "#db2777", "#4b5563", "#65a30d"]


def _labels(values: Sequence[Any]) -> list[str]:
    return [html.escape(str(v), quote=False) for v in values]


def _values(values: Sequence[Any]) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def _dates(values: Sequence[Any]) -> list[str]:
    return [str(v)[:10] for v in values]


def _layout(title: str, *, y_title: str = "", height: int = 380, **extra: Any) -> dict:
    layout = {"title": {"text": html.escape(title, quote=False)}, "height": height,
              "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
              "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
              "legend": {"orientation": "h"}, "template": {"layout": {
                  "plot_bgcolor": "#fff", "colorway": COLORS}}}
    layout.update(extra)
    return layout


def bar(categories: Sequence[Any], series: dict[str, Sequence[Any]], *, title: str,
        y_title: str = "", horizontal: bool = False, stacked: bool = False) -> dict:
    """Grouped (or stacked) bars, one trace per series."""
    data = []
    for name, values in series.items():
        trace: dict[str, Any] = {"type": "bar", "name": html.escape(name, quote=False)}
        if horizontal:
            trace.update(x=_values(values), y=_labels(categories), orientation="h")
        else:
            trace.update(x=_labels(categories), y=_values(values))
        data.append(trace)
    extra: dict[str, Any] = {"barmode": "stack" if stacked else "group"}
    if horizontal:
        extra["yaxis"] = {"autorange": "reversed", "automargin": True}
        extra["xaxis"] = {"title": {"text": y_title}}
        # Room for every bar: a fixed height squeezes 15 categories x 2 series into slivers.
        bars = len(categories) * (1 if stacked else max(1, len(series)))
        extra["height"] = max(380, 120 + 18 * bars)
    return {"data": data, "layout": _layout(title, y_title=y_title, **extra)}


def lines(x: Sequence[Any], series: dict[str, Sequence[Any]], *, title: str,
          y_title: str = "", fill: bool = False, dashed: Sequence[str] = ()) -> dict:
    """Lines over dates, one trace per series (`dashed` names drawn dashed)."""
    data = []
    for name, values in series.items():
        trace: dict[str, Any] = {"type": "scatter", "mode": "lines+markers",
                                 "name": html.escape(name, quote=False), "x": _dates(x),
                                 "y": _values(values)}
        if fill:
            trace["stackgroup"] = "one"
        if name in dashed:
            trace["line"] = {"dash": "dash"}
        data.append(trace)
    return {"data": data, "layout": _layout(title, y_title=y_title)}


def show(figure: dict) -> None:
    """Display a figure dict in the running notebook as plotly's own mimetype."""
    from IPython.display import display

    display({PLOTLY_MIME: figure, "text/plain": f"<figure: {len(figure['data'])} traces>"},
            raw=True)


def frame_series(frame: pd.DataFrame, index: str, column: str, value: str
                 ) -> tuple[list[Any], dict[str, list[Any]]]:
    """Long frame -> (sorted index values, {column value: values aligned on the index})."""
    if frame.empty:
        return [], {}
    wide = frame.pivot_table(index=index, columns=column, values=value, aggfunc="sum",
                             fill_value=0.0).sort_index()
    return list(wide.index), {str(c): list(wide[c]) for c in wide.columns}
