"""Benchmark: collect 2,000 Helios hosts from the test master, against a sequential baseline.

Serves a synthetic Helios installation (tests/helios_fake_api.py: real HTTP, every answer
delayed by `--latency` seconds to stand for the master's think time and a network round trip),
then measures

* fleetscope: `collect_live` as `fleetscope collect helios --url` runs it (bulk
  `POST /hosts/statuses` in chunks of 500, job histories with bounded concurrency);
* the same collector against a master without the bulk endpoint (host by host, concurrency 16);
* baseline: host by host, one request at a time (concurrency 1), i.e. 2,000 sequential calls.

Prints seconds, HTTP calls and the ratio of each to the baseline.

Run:  .venv/bin/python benchmarks/helios_collect.py [--hosts 2000] [--jobs 40] [--latency 0.005]

Measured 2026-11-26 on the shared 2-core machine (load average ~6.8 from other work) with the
defaults: bulk 46 HTTP calls in 1.18-1.23 s; per host with concurrency 16: 2,046 calls in
1.06-1.27 s; sequential baseline: 2,044 calls in 15.3-16.0 s (12-14x). On localhost both
collector modes are bound by JSON work on 2 busy cores; the bulk mode's 46 calls are what keep it
flat as the round trip to a real master grows (2,000 calls / 16 x RTT for the per-host mode).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the test master lives with the tests


def _document(hosts: int, jobs: int) -> dict:
    from helios_fake_api import document, host_status, job

    job_ids = [f"svc{j}:1.{j}:{j:08x}" for j in range(jobs)]
    history = {j: {"events": [{"timestamp": 1763600400000 + i * 60000, "host": "host-0000",
                               "status": {"state": state}}
                              for i, state in enumerate(("PULLING_IMAGE", "CREATING",
                                                         "STARTING", "RUNNING"))]}
               for j in job_ids}
    return document(
        {j: job(j, cpu_shares=512, memory=2**30) for j in job_ids},
        {f"host-{i:04d}": host_status(cpus=16, memory_bytes=64 * 2**30,
                                      running=(job_ids[i % jobs], job_ids[(i + 1) % jobs]))
         for i in range(hosts)},
        history)


def _run(doc: dict, *, bulk: bool, concurrency: int, latency: float) -> tuple[float, int, int]:
    from helios_fake_api import serve

    from fleetscope.collectors.helios.client import collect_live

    with serve(doc, bulk=bulk, latency_seconds=latency) as server:
        started = time.perf_counter()
        result = collect_live(server.url, source="helios", concurrency=concurrency)
        seconds = time.perf_counter() - started
    return seconds, result.http_calls, len(result.batch.tables["raw_helios_deployments"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.005)
    args = parser.parse_args()
    doc = _document(args.hosts, args.jobs)
    runs = {
        "bulk POST /hosts/statuses": _run(doc, bulk=True, concurrency=16, latency=args.latency),
        "per host, concurrency 16": _run(doc, bulk=False, concurrency=16, latency=args.latency),
        "baseline: per host, sequential": _run(doc, bulk=False, concurrency=1,
                                               latency=args.latency),
    }
    base = runs["baseline: per host, sequential"][0]
    print(f"{args.hosts} hosts, {args.jobs} jobs, {args.latency * 1000:.0f} ms per answer")
    for name, (seconds, calls, deployments) in runs.items():
        print(f"  {name:32s} {seconds:7.2f} s  {calls:5d} HTTP calls  "
              f"{deployments} deployments  {base / seconds:5.1f}x the baseline")


if __name__ == "__main__":
    main()
