"""Write the synthetic organisation's source files under `OUT/sources/`.

Layout (each in the offline format its reader takes, see docs/architecture.md):
`kubernetes/<cluster>/<date>.json` (a List, snapshot at 23:30 UTC), `prometheus/<cluster>/
<date>.json` (the day's hourly series), `helios/<date>.json` (snapshot at 23:30 UTC),
`catalog/*.yaml` (Backstage descriptors, loaded as weekly snapshots), `git/<org>/<app>/` (a bare
repository per app, see `history`), `incidents/incidents.csv` and `dirt/dirt.yaml` (the DiRT
log). The snapshots also hold Velero's and the smoke tests' objects (`operations`), the
Prometheus dumps the scheduling and golden-signal series (`scheduling`); `plan_ga` says what
goes wrong when. The same seed, days and end
date write byte-identical files (and repositories with the same shas).
"""

from __future__ import annotations

import gc
import multiprocessing
import shutil
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import yaml

from fleetscope.demo.billing import write_bill
from fleetscope.demo.catalog import catalog_files
from fleetscope.demo.cluster import simulate
from fleetscope.demo.dirt import write_dirt
from fleetscope.demo.helios import HeliosWriter
from fleetscope.demo.history import GIT_ORG, plan_histories, write_repos
from fleetscope.demo.incidents import write_incidents
from fleetscope.demo.metrics import container_rows, daily_results, merge_rows, node_rows
from fleetscope.demo.model import POOLS, Simulation
from fleetscope.demo.objects import Clock, SnapshotWriter
from fleetscope.demo.operations import OperationsWriter
from fleetscope.demo.org import Org, build_org
from fleetscope.demo.plan_ga import GaPlan
from fleetscope.demo.scheduling import add_crunch, scheduling_results

SNAPSHOT_HOUR = 23.5  # inventories are collected daily at 23:30 UTC
SOURCE_KINDS = ("kubernetes", "prometheus", "helios", "catalog", "billing", "git", "incidents",
                "dirt")
BILL_SOURCE = "aws"  # the demo bill's source name in the warehouse


@dataclass(frozen=True)
class SourceFile:
    """One written file (or folder, for the catalog) and how to load it."""

    kind: str             # kubernetes | prometheus | helios | catalog | billing | git | incidents
                          # | dirt
    path: Path
    name: str             # cluster, or the source name (a repository's `org/app`)
    collected_at: datetime  # naive UTC; for Prometheus the end of the window


@dataclass
class Generated:
    org: Org
    sim: Simulation
    start: date
    end: date
    files: list[SourceFile]


def _write_json(path: Path, document: object) -> None:
    path.write_bytes(orjson.dumps(document))


# The simulation, shared with forked worker processes without pickling it.
_SHARED: dict[str, Simulation] = {}


def _prometheus_job(sources: Path, cluster: str, index: int, seed: int, start_at: datetime,
                    days: int) -> list[SourceFile]:
    return _write_prometheus(sources, _SHARED["sim"], cluster, index, seed, start_at, days)


def _submit_prometheus(pool: ProcessPoolExecutor, sources: Path, seed: int, start_at: datetime,
                       days: int) -> list[Future[list[SourceFile]]]:
    """Each cluster's series to the pool, whose workers fork at the first submit, with the
    parent's objects out of the children's garbage collection. A forked child that collects
    garbage it inherited runs native destructors on copies of the parent's state: an unclosed
    DuckDB connection left in a reference cycle by an earlier caller segfaulted the workers
    (tests/test_demo_ga.py after test_lake_roundtrip.py in one process). The parent collects its
    garbage itself, and freezes the rest while forking (the gc module's advice for fork without
    exec)."""
    gc.collect()
    gc.freeze()
    try:
        return [pool.submit(_prometheus_job, sources, cluster, index, seed, start_at, days)
                for index, cluster in enumerate(POOLS)]
    finally:
        gc.unfreeze()


def generate(out: Path, *, seed: int, days: int, end: date, workers: int = 2) -> Generated:
    """Generate and write every source file; `end` is the first day after the window.

    With `workers` > 0 the Prometheus series (most of the work) are written by forked worker
    processes while this one writes the inventories; the files are the same either way.
    """
    start = end - timedelta(days=days)
    start_at = datetime(start.year, start.month, start.day, tzinfo=UTC)
    clock = Clock(start_at)
    sources = out / "sources"
    for kind in SOURCE_KINDS:  # only what this generator writes: never the user's other files
        shutil.rmtree(sources / kind, ignore_errors=True)
    org = build_org(seed, days, first_weekday=start.weekday())
    histories = plan_histories(seed, org, start_at)
    for app in org.apps:  # the shas tag the images the simulation deploys
        app.releases = histories[app.app_id].releases
    sim = simulate(org, seed)
    plan = GaPlan.for_window(days)
    add_crunch(sim, plan, seed)  # before the workers fork: they read the pods too
    files: list[SourceFile] = []

    def snapshot_time(day: int) -> datetime:
        return clock.at(24.0 * day + SNAPSHOT_HOUR).replace(tzinfo=None)

    _SHARED["sim"] = sim
    pool = (ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            if workers > 0 else None)
    git = ThreadPoolExecutor(1)  # its thread starts at submit, after the fork below
    try:
        metrics = _submit_prometheus(pool, sources, seed, start_at, days) if pool else []
        repos = git.submit(write_repos, sources / "git", histories)  # git is mostly waiting
        for index, cluster in enumerate(POOLS):
            folder = sources / "kubernetes" / cluster
            folder.mkdir(parents=True)
            writer = SnapshotWriter(sim, cluster, clock)
            operations = OperationsWriter(sim, cluster, clock, plan)
            for day in range(days):
                path = folder / f"{start + timedelta(days=day)}.json"
                document = writer.document(24.0 * day + SNAPSHOT_HOUR)
                document["items"] += operations.items(24.0 * day + SNAPSHOT_HOUR)
                _write_json(path, document)
                files.append(SourceFile("kubernetes", path, cluster, snapshot_time(day)))
            if pool is None:
                files.extend(_write_prometheus(sources, sim, cluster, index, seed, start_at,
                                               days))
        _write_helios_and_catalog(sources, org, sim, seed, clock, start, days, files)
        files.extend(SourceFile("billing", path, BILL_SOURCE, datetime(end.year, end.month,
                                                                         end.day))
                     for path, _ in write_bill(sources / "billing", sim, start=start, days=days,
                                               seed=seed, snapshot_hour=SNAPSHOT_HOUR))
        files += _delivery_files(sources, org, seed, clock, snapshot_time(days - 1), repos)
        for future in metrics:
            files.extend(future.result())
    finally:
        git.shutdown()
        if pool is not None:
            pool.shutdown()
        _SHARED.clear()
    return Generated(org, sim, start, end, files)


def _delivery_files(sources: Path, org: Org, seed: int, clock: Clock, last: datetime,
                    repos: Future[list[Path]]) -> list[SourceFile]:
    """The incidents CSV, written now, and the repositories once git has written them; both
    collected with the last snapshot (a later time would add a day to the demo's window)."""
    path = sources / "incidents" / "incidents.csv"
    write_incidents(path, np.random.default_rng([seed, 6]), org, clock)
    dirt = sources / "dirt" / "dirt.yaml"
    write_dirt(dirt, clock.start.date())
    return [SourceFile("incidents", path, "incidents", last),
            SourceFile("dirt", dirt, "dirt", last),
            *(SourceFile("git", repo, f"{GIT_ORG}/{repo.name}", last) for repo in repos.result())]


def _write_helios_and_catalog(sources: Path, org: Org, sim: Simulation, seed: int,
                              clock: Clock, start: date, days: int,
                              files: list[SourceFile]) -> None:
    def snapshot_time(day: int) -> datetime:
        return clock.at(24.0 * day + SNAPSHOT_HOUR).replace(tzinfo=None)

    folder = sources / "helios"
    folder.mkdir(parents=True)
    helios = HeliosWriter(np.random.default_rng([seed, 3]), org, sim.images, clock)
    for day in range(days):
        path = folder / f"{start + timedelta(days=day)}.json"
        _write_json(path, helios.document(24.0 * day + SNAPSHOT_HOUR))
        files.append(SourceFile("helios", path, "helios", snapshot_time(day)))
    folder = sources / "catalog"
    folder.mkdir(parents=True)
    for name, docs in catalog_files(np.random.default_rng([seed, 4]), org).items():
        (folder / name).write_text(yaml.dump_all(docs, Dumper=_dumper(), sort_keys=False),
                                   encoding="utf-8")
    # The catalog changes slowly: collected weekly (and on the last day, so it is fresh); the
    # folder is read once and loaded as each of those snapshots.
    files.extend(SourceFile("catalog", folder, "catalog", snapshot_time(day))
                 for day in range(days) if day % 7 == 0 or day == days - 1)


def _dumper() -> type:
    return getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _write_prometheus(sources: Path, sim: Simulation, cluster: str, index: int, seed: int,
                      start_at: datetime, days: int) -> list[SourceFile]:
    folder = sources / "prometheus" / cluster
    folder.mkdir(parents=True)
    rng = np.random.default_rng([seed, 2, index])
    hours = days * 24
    nodes = sim.nodes[cluster]
    # The crunch's pods draw their usage from their own stream: the others' stay as they were.
    crunch = [p for p in sim.pods[cluster] if p.uid in sim.created]
    instances, rows = container_rows(rng, [p for p in sim.pods[cluster]
                                           if p.uid not in sim.created],
                                     nodes, hours, start_at.weekday())
    if crunch:
        extra, extra_rows = container_rows(np.random.default_rng([seed, 10, index]), crunch,
                                           nodes, hours, start_at.weekday())
        rows = merge_rows(rows, len(instances), extra_rows)
        instances += extra
    container_labels = [{"namespace": pod.namespace, "pod": pod.name,
                         "container": pod.containers[i].name,
                         "node": pod.node.name if pod.node else ""} for pod, i in instances]
    node_labels = [{"node": node.name} for node in nodes]
    node_days = daily_results(node_rows(nodes, hours), node_labels, start_at, days)
    written = []
    for (day, results), (_, node_results), ga_results in zip(
            daily_results(rows, container_labels, start_at, days), node_days,
            scheduling_results(sim, cluster, seed, index, start_at, days), strict=True):
        window_start = start_at + timedelta(days=day)
        window_end = window_start + timedelta(days=1)
        path = folder / f"{window_start:%Y-%m-%d}.json"
        _write_json(path, {"cluster": cluster, "start": f"{window_start:%Y-%m-%dT%H:%M:%SZ}",
                           "end": f"{window_end:%Y-%m-%dT%H:%M:%SZ}", "step_seconds": 3600,
                           "results": {**results, **node_results, **ga_results}})
        written.append(SourceFile("prometheus", path, cluster,
                                  window_end.replace(tzinfo=None)))
    return written
