"""The legacy Helios fleet: hosts, jobs `name:version:hash`, deployments and job history.

Each daily dump is `{"jobs": <GET /jobs>, "hosts": {host: <GET /hosts/{host}/status>},
"history": {jobId: <GET /history/jobs/{id}>}}`. Apps leave Helios as they migrate; a host left
without jobs is decommissioned a week later, and a couple of hosts go DOWN for a day or two.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fleetscope.demo.cluster import _image_at
from fleetscope.demo.objects import Clock
from fleetscope.demo.org import App, Org

HOST_CPUS = 16
HOST_MEMORY = 64 * 2**30
FILL = 0.7
DRAIN = 24.0  # a drained or empty host leaves the fleet a day later


@dataclass(eq=False)
class Placement:
    """An instance of an app on a host over [since, until)."""

    app: App
    since: float
    until: float = float("inf")


@dataclass(eq=False)
class Host:
    name: str
    cpus: int
    memory: int
    down: list[tuple[float, float]] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    retired_at: float = float("inf")   # decommissioned: gone from GET /hosts

    def is_down(self, at: float) -> bool:
        return any(a <= at < b for a, b in self.down)

    def apps_at(self, at: float) -> list[App]:
        return [p.app for p in self.placements if p.since <= at < p.until
                and at < _helios_end(p.app)]

    def load_at(self, at: float) -> float:
        return sum(_need(app) for app in self.apps_at(at))


def _helios_end(app: App) -> float:
    return app.helios_end if app.helios_end is not None else float("inf")


def _need(app: App) -> float:
    return float(declared(app)[1] or 512 * 2**20)


@dataclass(frozen=True)
class Job:
    job_id: str
    app: App
    version: str
    image: str
    since: float       # deployed from
    until: float       # replaced or undeployed at (inf: still deployed)


def declared(app: App) -> tuple[int | None, int | None]:
    """(cpuShares, memory bytes) declared in the job; BestEffort apps declare nothing."""
    if app.cpu_request is None or app.memory_request is None:
        return None, None
    return round(app.cpu_request * 1024), int(app.memory_request * 1.25)


def instances(app: App) -> int:
    return 1 if app.kind == "CronJob" else min(4, max(2, app.replicas))


def plan_hosts(rng: np.random.Generator, org: Org) -> list[Host]:
    """Place every Helios app on hosts (least-filled first), then run the fleet day by day:
    as apps leave, operators drain nearly empty hosts onto others and decommission them."""
    hosts: list[Host] = []
    helios_apps = sorted((a for a in org.apps if a.helios_start is not None),
                         key=lambda a: (a.helios_start or 0.0, a.app_id))
    for app in helios_apps:
        assert app.helios_start is not None
        for _ in range(instances(app)):
            target = _room(hosts, app, app.helios_start)
            if target is None:
                dc = ("ash", "lon")[len(hosts) % 2]
                cpus, memory_total = ((HOST_CPUS, HOST_MEMORY) if rng.random() < 0.7
                                      else (8, 32 * 2**30))
                target = Host(f"helios-{dc}-{len(hosts) + 1:03d}.example.net", cpus,
                              memory_total)
                hosts.append(target)
            target.placements.append(Placement(app, app.helios_start))
    for day in range(1, org.days):
        _consolidate(hosts, 24.0 * day + 11.0)  # maintenance window at 11:00 UTC
    hours = org.hours
    for host in [hosts[int(i)] for i in rng.choice(len(hosts), size=min(3, len(hosts)),
                                                   replace=False)]:
        at = float(rng.uniform(24, hours - 72))
        host.down.append((at, at + float(rng.uniform(20, 60))))
    return hosts


def _room(hosts: list[Host], app: App, at: float, avoid: Host | None = None) -> Host | None:
    """The least-filled live host with room for one more instance of `app`."""
    need = _need(app)
    candidates = [h for h in hosts if h is not avoid and h.retired_at > at + DRAIN
                  and app not in h.apps_at(at) and h.load_at(at) + need <= FILL * h.memory]
    if not candidates:
        return None
    return min(candidates, key=lambda h: (h.load_at(at) / h.memory, h.name))


def _consolidate(hosts: list[Host], at: float) -> None:
    """Decommission empty hosts; drain at most one nearly empty host onto the others."""
    live = [h for h in hosts if h.retired_at == float("inf")]
    for host in live:
        if not host.apps_at(at):
            host.retired_at = at + DRAIN
    live = [h for h in live if h.retired_at == float("inf")]
    load = sum(h.load_at(at) for h in live)
    capacity = sum(h.memory for h in live)
    drainable = sorted(live, key=lambda h: (h.load_at(at), h.name))
    # Drain the emptiest host when the rest of the fleet can take its jobs with room to spare.
    for host in drainable[:1]:
        if load > 0.85 * FILL * (capacity - host.memory):
            return
        moved: list[tuple[Host, Placement]] = []
        for app in host.apps_at(at):
            target = _room(hosts, app, at, avoid=host)
            if target is None:  # nowhere to go: undo the moves and keep the host
                for other, placement in moved:
                    other.placements.remove(placement)
                return
            moved.append((target, Placement(app, at)))
            target.placements.append(moved[-1][1])  # counted by the next choice
        for placement in host.placements:
            if placement.since <= at < placement.until:
                placement.until = at
        host.retired_at = at + DRAIN


def app_jobs(app: App, images: list[tuple[float, str]], hours: float) -> list[Job]:
    """Job versions of an app while it runs on Helios, one per deploy."""
    assert app.helios_start is not None
    end = app.helios_end if app.helios_end is not None else float("inf")
    changes = [(t, img) for t, img in images if app.helios_start < t < min(end, hours)]
    periods = [(app.helios_start, _image_at(images, app.helios_start)), *changes]
    jobs = []
    for i, (since, image) in enumerate(periods):
        until = periods[i + 1][0] if i + 1 < len(periods) else end
        # The version Helios shows is the commit (the short sha after the image tag's `-`).
        version = image.rsplit(":", 1)[1].rsplit("-", 1)[-1]
        digest = hashlib.sha1(f"{app.helios_name}:{version}:{image}".encode()).hexdigest()
        jobs.append(Job(f"{app.helios_name}:{version}:{digest}", app, version, image,
                        since, until))
    return jobs


class HeliosWriter:
    """Builds the Helios dump of a given hour."""

    def __init__(self, rng: np.random.Generator, org: Org,
                 images: dict[str, list[tuple[float, str]]], clock: Clock) -> None:
        self.clock = clock
        self.hosts = plan_hosts(rng, org)
        self.jobs: dict[str, list[Job]] = {
            a.app_id: app_jobs(a, images[a.app_id], org.hours)
            for a in org.apps if a.helios_start is not None}
        self.users = {a.app_id: f"ci-{a.team}" for a in org.apps}
        self._all_events: dict[str, list[dict[str, Any]]] = {}

    def _millis(self, hours: float) -> int:
        return round(self.clock.at(hours).timestamp() * 1000)

    def job_object(self, job: Job) -> dict[str, Any]:
        app = job.app
        cpu_shares, memory = declared(app)
        metadata = {"team": app.team} if app.team_label else {}
        if app.helios_component_metadata:
            metadata["backstage.io/component"] = app.app_id
        return {"id": job.job_id, "image": job.image, "hostname": None, "command": [],
                # Real jobs carry configuration (and, too often, secrets) in env; the reader
                # must never store it.
                "env": {"JAVA_OPTS": "-Xmx1g", "SERVICE_NAME": app.app_id,
                        "DB_PASSWORD": "demo-not-a-real-secret"},
                "ports": {"http": {"internalPort": 8080, "externalPort": None,
                                   "protocol": "tcp"}},
                "registration": {f"{app.app_id}/http": {"ports": {"http": {}}}},
                "gracePeriod": 10, "volumes": {}, "expires": None,
                "registrationDomain": "", "metadata": metadata,
                "resources": {"memory": memory, "memorySwap": None, "cpuShares": cpu_shares,
                              "cpuset": None},
                "created": self._millis(job.since if job.since > -1e8 else -24.0 * 400),
                "creatingUser": self.users[app.app_id]}

    def document(self, at: float) -> dict[str, Any]:
        jobs: dict[str, Any] = {}
        history: dict[str, Any] = {}
        current: dict[str, Job] = {}
        for app_id, versions in self.jobs.items():
            live = [j for j in versions if j.since <= at < j.until]
            if live:
                current[app_id] = live[0]
            # /jobs keeps the running version and the previous one for three days after it is
            # replaced or undeployed (teams clean up old versions by hand).
            for job in versions:
                if job.since <= at and at < job.until + 72.0:
                    jobs[job.job_id] = self.job_object(job)
                    history[job.job_id] = {"events": self._events(job, at)}
        hosts: dict[str, Any] = {}
        for host in self.hosts:
            if at >= host.retired_at:
                continue
            deployments, statuses = {}, {}
            for app in host.apps_at(at):
                if app.app_id not in current:
                    continue
                job = current[app.app_id]
                deployments[job.job_id] = {"jobId": job.job_id, "goal": "START",
                                           "deployerUser": self.users[app.app_id],
                                           "deployerMaster": "helios-master-1.example.net",
                                           "deploymentGroupName": None}
                container = hashlib.sha256(f"{host.name}|{job.job_id}".encode()).hexdigest()
                statuses[job.job_id] = {"goal": "START", "state": "RUNNING",
                                        "containerId": container, "throttled": "NO",
                                        "ports": {"http": {"internalPort": 8080,
                                                           "protocol": "tcp"}},
                                        "env": {"SERVICE_NAME": app.app_id}}
            down = host.is_down(at)
            hosts[host.name] = {
                "status": "DOWN" if down else "UP",
                "hostInfo": {"hostname": host.name, "uname": "Linux 5.15.0-122-generic",
                             "architecture": "amd64", "cpus": host.cpus,
                             "loadAvg": 0.0 if down else 2.4, "memoryTotalBytes": host.memory,
                             "memoryFreeBytes": int(host.memory * 0.35), "swapTotalBytes": 0,
                             "swapFreeBytes": 0, "openFileDescriptors": 4096,
                             "maxFileDescriptors": 1048576,
                             "dockerVersion": {"version": "20.10.24", "apiVersion": "1.41"}},
                "agentInfo": {"name": host.name, "version": "0.9.283",
                              "startTime": self._millis(-24.0 * 60)},
                "jobs": deployments, "statuses": statuses, "environment": {},
                "labels": {"pool": "general"}}
        return {"jobs": jobs, "hosts": hosts, "history": history}

    def _events(self, job: Job, at: float) -> list[dict[str, Any]]:
        """The job's history as the master would answer it at hour `at`."""
        events = self._all_events.get(job.job_id)
        if events is None:
            # A rollback deploys an earlier job id again: its history holds both periods.
            same = [j for j in self.jobs[job.app.app_id] if j.job_id == job.job_id]
            events = sorted((e for j in same for e in self._job_events(j)),
                            key=lambda e: (e["timestamp"], e["host"]))
            self._all_events[job.job_id] = events
        cutoff = self._millis(at)
        return [e for e in events if e["timestamp"] <= cutoff]

    def _job_events(self, job: Job) -> list[dict[str, Any]]:
        events = []
        for host in self.hosts:
            for placement in host.placements:
                if placement.app is not job.app:
                    continue
                since = max(job.since, placement.since)
                until = min(job.until, placement.until, _helios_end(job.app))
                if since >= until:
                    continue
                since = since if since > -1e8 else -24.0 * 400
                for offset, state in ((0.0, "PULLING_IMAGE"), (40 / 3600, "STARTING"),
                                      (75 / 3600, "RUNNING")):
                    events.append({"timestamp": self._millis(since + offset), "host": host.name,
                                   "status": {"state": state, "goal": "START",
                                              "containerId": None}})
                if until != float("inf"):
                    for offset, state in ((0.0, "STOPPING"), (15 / 3600, "STOPPED")):
                        events.append({"timestamp": self._millis(until + offset),
                                       "host": host.name, "status": {"state": state,
                                                                     "goal": "UNDEPLOY",
                                                                     "containerId": None}})
        events.sort(key=lambda e: (e["timestamp"], e["host"]))
        return events
