"""The kernel-reusing executor: parameters injected by papermill, no state carried between
notebooks, a failing cell named."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from fleetscope.reports.execute import Job, RenderError, run_jobs


def _notebook(path: Path, *cells: str) -> Path:
    nb = new_notebook(cells=[new_code_cell('name = "default"', metadata={"tags": ["parameters"]}),
                             *[new_code_cell(c) for c in cells]],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    nbformat.write(nb, path)
    return path


def _text(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_reused_kernel_starts_clean(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "probe.ipynb",
                     "print('saw', name, 'leftover' in dir())\nleftover = name")
    done: list = []
    jobs = [Job(path, {"name": n}, n, done.append) for n in ("a", "b", "c")]
    run_jobs(jobs, workers=1)
    # Each run saw its own parameter and none saw the variable the previous run left behind.
    assert [_text(nb).strip() for nb in done] == ["saw a False", "saw b False", "saw c False"]
    # The reset cell is not part of the executed notebook handed back.
    assert all("_fs_name" not in c.source for nb in done for c in nb.cells)
    assert all(job.seconds > 0 for job in jobs)


def test_failing_cell_is_named(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "broken.ipynb", "raise ValueError(f'no data for {name}')")
    with pytest.raises(RenderError, match=r"broken.ipynb for team 'x' failed: "
                                          r"ValueError: no data for x"):
        run_jobs([Job(path, {"name": "x"}, "team 'x'", lambda nb: None)], workers=2)


def test_leadership_notebook_runs_under_plain_papermill(tmp_path: Path) -> None:
    """The notebook as analysts and schedulers run it: papermill, a kernel of its own."""
    import papermill
    from test_report_fixture import build_warehouse

    from fleetscope.notebooks import LEADERSHIP_NOTEBOOK

    source = nbformat.read(LEADERSHIP_NOTEBOOK, as_version=4)
    tagged = [c for c in source.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "week = " in tagged[0].source
    warehouse = build_warehouse(tmp_path / "wh.duckdb")
    nb = papermill.execute_notebook(
        str(LEADERSHIP_NOTEBOOK), str(tmp_path / "out.ipynb"), progress_bar=False,
        parameters={"warehouse": str(warehouse), "week": "2026-W47"})
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                   for o in c.get("outputs", []))
    assert "Leadership report 2026-W47" in html and "12,700 USD" in html
