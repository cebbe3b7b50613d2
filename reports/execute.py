"""Run many parameterized notebooks fast: papermill parameterizes, nbclient executes on kernels
that are started once and reused, nbconvert exports in-process.

A new kernel per notebook (what `papermill` does) costs about 2.3 s each here; a reused kernel
about 0.4 s (notes/notebooks-and-reports.md). A reused kernel keeps its state, so every run
starts by deleting the previous notebook's variables (imported modules stay loaded, which is
the point).
"""

from __future__ import annotations

import asyncio
import atexit
import copy
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from fleetscope.errors import FleetscopeError

RESET_TAG = "fleetscope-reset"
# Drops the previous notebook's variables. Not `%reset -f`: that also runs a full gc.collect()
# (about 25 ms a notebook here) and clears nothing the reports depend on beyond this.
RESET_SOURCE = """\
for _fs_name in [n for n in get_ipython().user_ns
                 if n not in get_ipython().user_ns_hidden and not n.startswith("_")]:
    del get_ipython().user_ns[_fs_name]"""


class RenderError(FleetscopeError):
    """A report notebook failed; names the notebook, its parameters and the error."""


@dataclass
class Job:
    """One notebook run: which notebook, its parameters, what to do with the executed result."""

    notebook: Path
    parameters: dict[str, Any]
    label: str
    on_done: Callable[[NotebookNode], None]
    seconds: float = field(default=0.0, init=False)


_templates: dict[Path, NotebookNode] = {}


def _template(path: Path) -> NotebookNode:
    if path not in _templates:
        # papermill's loader also gives every cell the `tags` list its parameterizer expects.
        _templates[path] = load_notebook_node(str(path))
    return _templates[path]


def prepare(path: Path, parameters: dict[str, Any]) -> NotebookNode:
    """The notebook with papermill's injected-parameters cell, after a namespace reset cell."""
    nb = parameterize_notebook(copy.deepcopy(_template(path)), parameters)
    reset = nbformat.v4.new_code_cell(RESET_SOURCE, metadata={"tags": [RESET_TAG]})
    nb.cells.insert(0, reset)
    return nb


def _strip_reset(nb: NotebookNode) -> NotebookNode:
    nb.cells = [c for c in nb.cells if RESET_TAG not in c.get("metadata", {}).get("tags", [])]
    return nb


async def _worker(queue: asyncio.Queue[Job], *, timeout: float, cwd: Path) -> None:
    from jupyter_client.manager import AsyncKernelManager

    # IPC sockets in a private folder: no TCP port to guard (and no kernel warning about one).
    sockets = tempfile.mkdtemp(prefix="fleetscope-kernel-")
    km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                            ip=str(Path(sockets) / "kernel"))
    # No IPython history: every kernel would otherwise write each cell to the same SQLite file.
    await km.start_kernel(cwd=str(cwd), extra_arguments=["--HistoryManager.enabled=False"])
    kc = km.client()
    kc.start_channels()
    loop = asyncio.get_running_loop()
    try:
        await kc.wait_for_ready(timeout=120)
        while True:
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = loop.time()
            nb = prepare(job.notebook, job.parameters)
            client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3",
                                    resources={"metadata": {"path": str(cwd)}})
            client.kc = kc  # not a trait: set after construction, or nbclient opens a new one
            try:
                await client.async_execute()
            except CellExecutionError as exc:
                raise RenderError(f"{job.notebook.name} for {job.label} failed: "
                                  f"{exc.ename}: {exc.evalue}") from None
            except CellTimeoutError as exc:
                raise RenderError(f"{job.notebook.name} for {job.label} timed out: "
                                  f"{_last_line(str(exc))}") from None
            except DeadKernelError as exc:
                raise RenderError(f"{job.notebook.name} for {job.label}: the kernel died "
                                  f"({exc})") from None
            finally:
                # nbclient registers a cleanup per client; with a shared kernel they only pile up.
                atexit.unregister(client._cleanup_kernel)
            # Exporting is CPU work in this process: off the event loop, so that the other
            # kernels keep getting their next cells meanwhile.
            await asyncio.to_thread(job.on_done, _strip_reset(nb))
            job.seconds = loop.time() - started
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text


async def _run(jobs: Sequence[Job], workers: int, timeout: float, cwd: Path) -> None:
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    count = max(1, min(workers, len(jobs)))
    tasks = [asyncio.create_task(_worker(queue, timeout=timeout, cwd=cwd)) for _ in range(count)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def run_jobs(jobs: Sequence[Job], *, workers: int = 2, timeout: float = 600.0,
             cwd: Path | None = None) -> None:
    """Execute every job on `workers` reused kernels; the first failure stops the run."""
    if not jobs:
        return
    asyncio.run(_run(jobs, workers, timeout, cwd or Path.cwd()))
