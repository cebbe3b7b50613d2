"""A Helios master speaking the documented JSON over real HTTP, and builders of its payloads.

The server serves one document `{jobs, hosts, history}`: `GET /jobs`, `GET /hosts`,
`GET /hosts/{host}/status`, `POST /hosts/statuses` (unless `bulk=False`, then 404 like an old
master), `GET /history/jobs/{id}`. It counts the requests it answered; `fail` maps a path prefix
to an HTTP status to answer instead; `latency_seconds` delays every answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from fake_http import FakeServer, JsonHandler


def job(job_id: str, *, cpu_shares: int | None = None, memory: int | None = None,
        metadata: dict[str, str] | None = None, env: dict[str, str] | None = None
        ) -> dict[str, Any]:
    """A Job as `GET /jobs` returns it."""
    resources: dict[str, Any] = {}
    if cpu_shares is not None:
        resources["cpuShares"] = cpu_shares
    if memory is not None:
        resources["memory"] = memory
    return {"id": job_id, "image": f"registry/{job_id.split(':')[0]}:{job_id.split(':')[1]}",
            "env": env or {"SECRET_TOKEN": "s3cr3t"}, "ports": {}, "registration": {},
            "metadata": metadata or {}, "resources": resources, "created": 1762000000000,
            "creatingUser": "deployer", "token": "job-t0ken"}


def host_status(*, cpus: float, memory_bytes: float = 16 * 2**30, status: str = "UP",
                running: tuple[str, ...] = (), goals: dict[str, str] | None = None,
                states: dict[str, str] | None = None) -> dict[str, Any]:
    """A HostStatus: `running` jobs have goal START and state RUNNING unless overridden."""
    goals = {**{j: "START" for j in running}, **(goals or {})}
    states = {**{j: "RUNNING" for j in running}, **(states or {})}
    return {"status": status,
            "hostInfo": {"hostname": "h", "cpus": cpus, "memoryTotalBytes": memory_bytes},
            "jobs": {j: {"jobId": j, "goal": g, "deployerUser": "deployer"}
                     for j, g in goals.items()},
            "statuses": {j: {"state": s, "env": {"SECRET_TOKEN": "s3cr3t"}}
                         for j, s in states.items()},
            "environment": {"AGENT_PASSWORD": "ag3nt"}, "labels": {}}


def document(jobs: dict[str, Any], hosts: dict[str, Any],
             history: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jobs": jobs, "hosts": hosts, "history": history or {}}


class HeliosServer(FakeServer):
    """The fake master; `calls` counts answered requests, by method."""

    def __init__(self, doc: dict[str, Any], *, bulk: bool = True,
                 fail: dict[str, int] | None = None, latency_seconds: float = 0.0) -> None:
        self.doc = doc
        self.latency_seconds = latency_seconds
        self.bulk = bulk
        self.fail = fail or {}
        self.calls: dict[str, int] = {"GET": 0, "POST": 0}
        self._lock = threading.Lock()
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):
            protocol_version = "HTTP/1.1"

            def _count(self, method: str) -> bool:
                with fake._lock:
                    fake.calls[method] += 1
                if fake.latency_seconds:  # a master's think time plus a network round trip
                    time.sleep(fake.latency_seconds)
                path = urlsplit(self.path).path
                for prefix, status in fake.fail.items():
                    if path.startswith(prefix):
                        self._send(status, {"message": "injected failure"})
                        return False
                return True

            def do_GET(self) -> None:
                if not self._count("GET"):
                    return
                path = unquote(urlsplit(self.path).path)
                hosts = fake.doc["hosts"]
                if path == "/jobs":
                    self._send(200, fake.doc["jobs"])
                elif path == "/hosts":
                    self._send(200, sorted(hosts))
                elif path.startswith("/hosts/") and path.endswith("/status"):
                    host = path[len("/hosts/"):-len("/status")]
                    self._send(200, hosts.get(host))
                elif path.startswith("/history/jobs/"):
                    job_id = path[len("/history/jobs/"):]
                    self._send(200, fake.doc["history"].get(job_id, {"events": []}))
                else:
                    self._send(404, {"message": f"no route {path}"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if not self._count("POST"):
                    return
                if urlsplit(self.path).path != "/hosts/statuses" or not fake.bulk:
                    self._send(404, {"message": "not found"})
                    return
                names = json.loads(body)
                self._send(200, {h: fake.doc["hosts"].get(h) for h in names})

        return Handler

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())




@contextmanager
def serve(doc: dict[str, Any], **kwargs: Any) -> Iterator[HeliosServer]:
    server = HeliosServer(doc, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()
