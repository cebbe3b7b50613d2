"""A real Prometheus (Debian's package) for tests, preloaded with OpenMetrics through promtool.

See ../shared/notes/prometheus-in-tests.md: timestamps in seconds, each series in time order,
`--max-block-duration=1000h` for a fast backfill, a long retention so old data stays, and a
private port and data dir per server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

Sample = tuple[int, float]  # (unix seconds, value)


@dataclass
class Series:
    """One series to write: metric name, labels, samples in time order."""

    name: str
    labels: dict[str, str]
    samples: list[Sample]


def _value(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def write_openmetrics(series: Iterable[Series], path: Path) -> None:
    """OpenMetrics text, grouped by metric family as the format requires, ending in # EOF."""
    by_name: dict[str, list[Series]] = {}
    for item in series:
        by_name.setdefault(item.name, []).append(item)
    with path.open("w") as out:
        for name, items in by_name.items():
            out.write(f"# TYPE {name} gauge\n")
            for item in items:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(item.labels.items()))
                prefix = f"{name}{{{labels}}}"
                out.writelines(f"{prefix} {_value(v)} {t}\n" for t, v in item.samples)
        out.write("# EOF\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrometheusServer:
    url: str
    data_dir: Path


def require_prometheus() -> None:
    if not (shutil.which("prometheus") and shutil.which("promtool")):
        message = "Debian's prometheus package is not installed (apt-get install prometheus)"
        if os.environ.get("CI"):  # CI installs it (README's test command): missing is a failure
            pytest.fail(message)
        pytest.skip(message)


def backfill(openmetrics: Path, data_dir: Path) -> None:
    """Turn an OpenMetrics file into TSDB blocks in `data_dir`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics",
                    "--max-block-duration=1000h", str(openmetrics), str(data_dir)],
                   check=True, capture_output=True)


@contextmanager
def running_prometheus(data_dir: Path, *, extra_args: Iterable[str] = ()
                       ) -> Iterator[PrometheusServer]:
    """Start Prometheus on a free port over `data_dir`; stop it afterwards."""
    require_prometheus()
    config = data_dir.parent / f"{data_dir.name}-prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    port = free_port()
    log = (data_dir.parent / f"{data_dir.name}-prometheus.log").open("w")
    process = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
         f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=3650d",
         "--log.level=warn", *extra_args],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prometheus did not start: see {log.name}")
            time.sleep(0.05)
        yield PrometheusServer(url=url, data_dir=data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def preloaded_prometheus(series: Iterable[Series], workdir: Path, *,
                         extra_args: Iterable[str] = ()) -> Iterator[PrometheusServer]:
    """Write, backfill and serve the given series (`extra_args` go to prometheus)."""
    require_prometheus()
    workdir.mkdir(parents=True, exist_ok=True)
    openmetrics = workdir / "history.om"
    write_openmetrics(series, openmetrics)
    backfill(openmetrics, workdir / "data")
    with running_prometheus(workdir / "data", extra_args=extra_args) as server:
        yield server


# -- the hand-made scenario ------------------------------------------------------------------
# Hand-made cluster history (1-minute samples) for the real-Prometheus tests.
#
# Window [T0, T0 + 6h); every number the tests expect is worked out from these samples:
# - shop/api-1/app on n1, 00:00-03:00: 0.5 cores (counter +30 per minute), 100 MiB with a
#   scrape gap 01:10-01:40, requests 1 core / 256 MiB (over-requests).
# - shop/api-1/sidecar on n1, 00:00-03:00: 0.3 cores, 50 MiB with one 80 MiB sample at 01:40,
#   requests 0.1 core / 32 MiB (exceeds its request).
# - batch/worker-1/main on n2, 00:00-02:00: 1 core with a counter reset (restart) at 00:29-00:30.
# - batch/job-7/main on n1, pod 03:00-04:00, running 03:00-03:30 at 0.2 cores, 64 MiB, no request.
# - node n1 (4 cores, 16 GiB) 00:00-08:00 with a scrape gap 04:10-04:40; node n2 (2 cores,
#   8 GiB) 00:00-02:30 only.
# - cAdvisor's pod cgroup (`container=""`) and pause container (`POD`) series, to be ignored.
# - broken/bad-1/app on T1 = T0 + 1 day, 00:00-01:00: working set NaN.

T0 = datetime(2026, 11, 2, tzinfo=UTC)
T1 = datetime(2026, 11, 3, tzinfo=UTC)
MIB = 2**20
GIB = 2**30


def _t(base: datetime, minute: int) -> int:
    return int(base.timestamp()) + 60 * minute


def _ctr(ns: str, pod: str, container: str, node: str | None) -> dict[str, str]:
    labels = {"namespace": ns, "pod": pod, "container": container, "job": "kubelet"}
    if node:
        labels["node"] = node
    return labels


def _ksm(ns: str, pod: str, container: str, node: str | None, **extra: str) -> dict[str, str]:
    labels = {"namespace": ns, "pod": pod, "container": container, "job": "kube-state-metrics",
              **extra}
    if node:
        labels["node"] = node
    return labels


def scenario_history() -> list[Series]:
    """Every series of the scenario, samples in time order."""
    out: list[Series] = []

    def add(name: str, labels: dict[str, str], minutes: range | list[int], value: Any,
            base: datetime = T0) -> None:
        out.append(Series(name, labels, [(_t(base, m), float(value(m))) for m in minutes]))

    cpu, mem = "container_cpu_usage_seconds_total", "container_memory_working_set_bytes"
    req, run = "kube_pod_container_resource_requests", "kube_pod_container_status_running"
    cap = "kube_node_status_capacity"
    api = range(0, 180)
    # shop/api-1: two containers, plus the pod cgroup and pause container cAdvisor also reports
    add(cpu, _ctr("shop", "api-1", "app", "n1") | {"cpu": "total"}, api, lambda m: 30 * m)
    add(cpu, _ctr("shop", "api-1", "sidecar", "n1") | {"cpu": "total"}, api, lambda m: 18 * m)
    add(cpu, _ctr("shop", "api-1", "", "n1") | {"cpu": "total"}, api, lambda m: 48 * m)
    add(cpu, _ctr("shop", "api-1", "POD", "n1") | {"cpu": "total"}, api, lambda m: m)
    add(mem, _ctr("shop", "api-1", "app", "n1"), [m for m in api if not 70 <= m < 100],
        lambda m: 100 * MIB)
    add(mem, _ctr("shop", "api-1", "sidecar", "n1"), api,
        lambda m: 80 * MIB if m == 100 else 50 * MIB)
    add(mem, _ctr("shop", "api-1", "", "n1"), api, lambda m: 999 * MIB)
    for container, cores, memory in (("app", 1, 256 * MIB), ("sidecar", 0.1, 32 * MIB)):
        add(req, _ksm("shop", "api-1", container, "n1", resource="cpu", unit="core"), api,
            lambda m, c=cores: c)
        add(req, _ksm("shop", "api-1", container, "n1", resource="memory", unit="byte"), api,
            lambda m, b=memory: b)
        add(run, _ksm("shop", "api-1", container, None), api, lambda m: 1)
    # batch/worker-1: 1 core; the container restarts between 00:29 and 00:30 (counter reset)
    worker = range(0, 120)
    add(cpu, _ctr("batch", "worker-1", "main", "n2"), worker,
        lambda m: 60 * m if m < 30 else 60 * (m - 29))
    add(mem, _ctr("batch", "worker-1", "main", "n2"), worker, lambda m: 200 * MIB)
    add(req, _ksm("batch", "worker-1", "main", "n2", resource="cpu", unit="core"), worker,
        lambda m: 1)
    add(req, _ksm("batch", "worker-1", "main", "n2", resource="memory", unit="byte"), worker,
        lambda m: 128 * MIB)
    add(run, _ksm("batch", "worker-1", "main", None), worker, lambda m: 1)
    # batch/job-7: the pod exists 03:00-04:00, its container runs 03:00-03:30 then completes
    ran = range(180, 210)
    add(cpu, _ctr("batch", "job-7", "main", "n1"), ran, lambda m: 12 * (m - 180))
    add(mem, _ctr("batch", "job-7", "main", "n1"), ran, lambda m: 64 * MIB)
    add(run, _ksm("batch", "job-7", "main", None), range(180, 240),
        lambda m: 1 if m < 210 else 0)
    # nodes
    n1 = [m for m in range(0, 480) if not 250 <= m < 280]
    add(cap, {"node": "n1", "resource": "cpu", "unit": "core"}, n1, lambda m: 4)
    add(cap, {"node": "n1", "resource": "memory", "unit": "byte"}, n1, lambda m: 16 * GIB)
    add(cap, {"node": "n2", "resource": "cpu", "unit": "core"}, range(0, 150), lambda m: 2)
    add(cap, {"node": "n2", "resource": "memory", "unit": "byte"}, range(0, 150),
        lambda m: 8 * GIB)
    # a broken exporter on the next day
    add(mem, _ctr("broken", "bad-1", "app", "n1"), range(0, 60), lambda m: float("nan"),
        base=T1)
    return out
