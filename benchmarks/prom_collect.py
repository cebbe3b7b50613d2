"""Benchmark: collect 2,000 pods x 7 days from a real, preloaded Prometheus.

Compares the collector (namespace groups and time chunks sized to `max_series_per_query`) with
the baseline of one unsplit `query_range` per query over the whole window, each in its own
process so that peak memory (max RSS) is that run's own. Both must produce the same rows.

    .venv/bin/python benchmarks/prom_collect.py [--pods 2000] [--days 7] [--step-minutes 60]

The history is written as OpenMetrics and backfilled with promtool once per parameter set
(cached under $TMPDIR/fleetscope-bench-prom-*); samples every `--step-minutes`, which the
collector learns from the data (no `scrape_interval_seconds`). Needs Debian's `prometheus`
package.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the test helper that runs a real Prometheus

START = datetime(2026, 10, 5, tzinfo=UTC)
NAMESPACES = 40
NODES = 50


def write_history(path: Path, *, pods: int, days: int, step_minutes: int) -> None:
    """Counters, gauges, requests and node capacity for `pods` one-container pods."""
    t0 = int(START.timestamp())
    times = [t0 + 60 * step_minutes * i for i in range(days * 24 * 60 // step_minutes + 1)]
    step_s = 60 * step_minutes

    def pod_labels(i: int) -> str:
        return (f'namespace="ns-{i % NAMESPACES:02d}",pod="app-{i:05d}",container="main",'
                f'node="node-{i % NODES:02d}"')

    with path.open("w") as out:
        out.write("# TYPE container_cpu_usage_seconds_total gauge\n")
        for i in range(pods):
            cores = 0.05 + (i % 20) * 0.05
            labels = pod_labels(i)
            out.writelines(f"container_cpu_usage_seconds_total{{{labels}}} "
                           f"{cores * step_s * k:.3f} {t}\n" for k, t in enumerate(times))
        out.write("# TYPE container_memory_working_set_bytes gauge\n")
        for i in range(pods):
            labels = pod_labels(i)
            value = (64 + i % 512) * 2**20
            out.writelines(f"container_memory_working_set_bytes{{{labels}}} {value} {t}\n"
                           for t in times)
        out.write("# TYPE kube_pod_container_resource_requests gauge\n")
        for i in range(pods):
            labels = pod_labels(i)
            for resource_name, value in (("cpu", 0.25), ("memory", 256 * 2**20)):
                out.writelines(f'kube_pod_container_resource_requests{{{labels},'
                               f'resource="{resource_name}"}} {value} {t}\n' for t in times)
        out.write("# TYPE kube_pod_container_status_running gauge\n")
        for i in range(pods):
            labels = pod_labels(i).rsplit(",node=", 1)[0]
            out.writelines(f"kube_pod_container_status_running{{{labels}}} 1 {t}\n"
                           for t in times)
        out.write("# TYPE kube_node_status_capacity gauge\n")
        for n in range(NODES):
            for resource_name, value in (("cpu", 16), ("memory", 64 * 2**30)):
                out.writelines(f'kube_node_status_capacity{{node="node-{n:02d}",'
                               f'resource="{resource_name}"}} {value} {t}\n' for t in times)
        out.write("# EOF\n")


def prepare(pods: int, days: int, step_minutes: int) -> Path:
    """A backfilled data dir for these parameters (built once, then reused)."""
    from prometheus_server import backfill

    base = Path(tempfile.gettempdir()) / f"fleetscope-bench-prom-{pods}x{days}d-{step_minutes}m"
    data = base / "data"
    if (base / "ready").exists():
        return data
    base.mkdir(parents=True, exist_ok=True)
    openmetrics = base / "history.om"
    started = time.perf_counter()
    write_history(openmetrics, pods=pods, days=days, step_minutes=step_minutes)
    written = time.perf_counter()
    backfill(openmetrics, data)
    openmetrics.unlink()
    (base / "ready").write_text("ok")
    print(f"history: written in {written - started:.1f}s, backfilled in "
          f"{time.perf_counter() - written:.1f}s ({data})", file=sys.stderr)
    return data


def run_one(url: str, mode: str, days: int, step_minutes: int, budget: int) -> dict:
    """Collect the window in this process; what it took."""
    from fleetscope.collectors.prometheus.collector import WindowCollector
    from fleetscope.collectors.prometheus.live import client_for
    from fleetscope.collectors.prometheus.reader import read_dump
    from fleetscope.config import PrometheusSource, parse_config

    config = parse_config({"prometheus": {"max_series_per_query": budget}}).prometheus
    source = PrometheusSource(url=url, cluster="bench", timeout_seconds=600)
    collector = WindowCollector(client_for(source, config), config, cluster="bench",
                                split=(mode == "split"))
    start = START.replace(tzinfo=None)
    end = start + timedelta(days=days)
    started = time.perf_counter()
    document = collector.document(start, end)
    batch = read_dump(document, cluster="bench", origin="bench")
    seconds = time.perf_counter() - started
    containers = batch.tables["raw_prom_container_hours"]
    return {"mode": mode, "seconds": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "requests": collector.stats.requests,
            "largest_response_points": collector.stats.largest_response_points,
            "bytes_received": collector.stats.bytes_received,
            "rows": len(containers),
            "core_hours": round(float(containers["cpu_usage_cores"].sum()), 3),
            "node_rows": len(batch.tables["raw_prom_node_hours"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=2000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--step-minutes", type=int, default=60)
    parser.add_argument("--budget", type=int, default=200_000,
                        help="max_series_per_query for the split run")
    parser.add_argument("--run", choices=["split", "unsplit"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_one(args.url, args.run, args.days, args.step_minutes,
                                 args.budget)))
        return

    from prometheus_server import running_prometheus

    data = prepare(args.pods, args.days, args.step_minutes)
    with running_prometheus(data) as server:
        results = {}
        for mode in ("unsplit", "split"):
            out = subprocess.run(
                [sys.executable, __file__, "--run", mode, "--url", server.url,
                 "--days", str(args.days), "--step-minutes", str(args.step_minutes),
                 "--budget", str(args.budget)],
                check=True, capture_output=True, text=True, cwd=REPO)
            results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    base, split = results["unsplit"], results["split"]
    print(f"{args.pods} pods x {args.days} days, samples every {args.step_minutes} min, "
          f"max_series_per_query {args.budget}")
    print(f"{'':28}{'time s':>9}{'peak RSS MB':>13}{'requests':>10}{'largest resp':>14}"
          f"{'MB recv':>9}{'rows':>9}")
    for name, r in (("baseline (1 query/metric)", base), ("collector (split)", split)):
        print(f"{name:28}{r['seconds']:>9.2f}{r['peak_rss_mb']:>13.0f}{r['requests']:>10}"
              f"{r['largest_response_points']:>14}{r['bytes_received'] / 2**20:>9.1f}"
              f"{r['rows']:>9}")
    print(f"ratio collector/baseline: time {split['seconds'] / base['seconds']:.2f}x, "
          f"peak memory {split['peak_rss_mb'] / base['peak_rss_mb']:.2f}x, largest response "
          f"{split['largest_response_points'] / max(base['largest_response_points'], 1):.2f}x")
    same = all(base[k] == split[k] for k in ("rows", "core_hours", "node_rows"))
    print(f"same rows and core-hours: {'yes' if same else 'NO'} "
          f"({split['rows']} rows, {split['core_hours']} core-hours)")


if __name__ == "__main__":
    main()
