"""Executed notebook -> one HTML page with the code hidden and plotly charts that draw offline.

Notebooks display charts as the small `application/vnd.plotly.v1+json` output (what JupyterLab
shows natively). nbconvert cannot render that mimetype, so a preprocessor turns each one into a
`<div>` plus a `Plotly.newPlot` call; the page loads one `plotly.min.js` kept beside the reports
instead of embedding 4.6 MB of it per page (notes/notebooks-and-reports.md).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from nbformat import NotebookNode

_EXPORT_LOCK = threading.Lock()
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
NOTEBOOK_ONLY = "notebook-only"


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no `</script>`, `<!--` or `&` can break out."""
    text = json.dumps(value, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class PlotlyToHtml(Preprocessor):
    """Replace every plotly JSON output with an HTML div drawn by the shared plotly.js."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        count = 0
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data")
                if not data or PLOTLY_MIME not in data:
                    continue
                count += 1
                output["data"] = {"text/html": chart_html(data[PLOTLY_MIME], f"fs-chart-{count}")}
        return nb, resources


def chart_html(figure: dict, element_id: str) -> str:
    """A div and the script that draws `figure` ({data, layout}) into it."""
    height = int(figure.get("layout", {}).get("height") or 380)
    config = {"displaylogo": False, "responsive": True}
    return (f'<div id="{element_id}" class="fs-chart" style="height:{height}px"></div>\n'
            f"<script>Plotly.newPlot({script_json(element_id)}, "
            f"{script_json(figure.get('data', []))}, {script_json(figure.get('layout', {}))}, "
            f"{script_json(config)});</script>")


class ReportExporter(HTMLExporter):
    """HTMLExporter without its BeautifulSoup pass over the finished page.

    That pass only adds `alt` to images and `tabindex` to cells (the pages have neither images
    nor visible code) and was a third of the export time; the template still does the rest.
    """

    def from_notebook_node(  # type: ignore[override]  # as HTMLExporter's own override
            self, nb: NotebookNode, resources: dict | None = None, **kw: Any
    ) -> tuple[str, dict]:
        self.register_filter("highlight_code", lambda text, *a, **k: text)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self,
            resources=self._init_resources(resources)))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


def make_exporter() -> HTMLExporter:
    """An HTML exporter with code and prompts hidden; build once and reuse (templates load once)."""
    exporter = ReportExporter(template_name="fleetscope",
                            extra_template_basedirs=[str(TEMPLATES_DIR)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    # Cells tagged `notebook-only` (how to use the notebook) are for JupyterLab, not the page.
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY}),
                                   enabled=True)
    exporter.register_preprocessor(PlotlyToHtml(), enabled=True)
    return exporter


def export_html(exporter: HTMLExporter, nb: NotebookNode, *, title: str, plotly_js_href: str,
                index_href: str, generated: str) -> str:
    """Render an executed notebook to a complete HTML page."""
    nb.metadata["title"] = title  # the template prefers it to resources' name (escaped there)
    resources = {
        "metadata": {"name": title},
        "inlining": {"css": []},
        "fleetscope": {"plotly_js_href": plotly_js_href, "index_href": index_href,
                       "generated": generated},
    }
    with _EXPORT_LOCK:  # an exporter (its Jinja environment, its filters) is not thread-safe
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body
