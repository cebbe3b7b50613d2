"""The live Helios collector: the master's REST API → the offline document → a LoadBatch.

About 2,000 hosts must not cost 2,000 sequential calls: host statuses come from
`POST /hosts/statuses` in chunks; a master without that endpoint (404/405) is asked host by host
with bounded concurrency. Job histories (`GET /history/jobs/{id}`) have no bulk endpoint and
are fetched with the same bounded concurrency. Connections are kept alive, one per worker
thread. The warehouse is not open while this runs.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fleetscope.collectors.helios.reader import read_dump
from fleetscope.errors import CollectError
from fleetscope.warehouse import LoadBatch

STATUS_CHUNK = 500          # hosts per POST /hosts/statuses
RETRIES = 3                 # attempts after the first, on connection errors and 5xx/429
_RETRY_STATUSES = {429, 500, 502, 503, 504}


class _NoBulkEndpoint(Exception):
    """The master does not have POST /hosts/statuses."""


class Transport:
    """JSON over HTTP(S) with one kept-alive connection per thread, retries, and a call count."""

    def __init__(self, url: str, *, timeout_seconds: float, backoff_seconds: float = 0.2) -> None:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CollectError(f"helios: invalid master URL {url!r}")
        self.base = f"{parts.scheme}://{parts.netloc}"
        self._prefix = parts.path.rstrip("/")
        self._scheme, self._host = parts.scheme, parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 5801)
        self._timeout = timeout_seconds
        self._backoff = backoff_seconds
        self._local = threading.local()
        self._lock = threading.Lock()
        self.calls = 0

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = (http.client.HTTPSConnection if self._scheme == "https"
                   else http.client.HTTPConnection)
            conn = cls(self._host, self._port, timeout=self._timeout)
            self._local.conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def request(self, method: str, path: str, body: Any = None, *,
                allow_missing: bool = False) -> Any:
        """The decoded JSON answer; 404/405 raise _NoBulkEndpoint when `allow_missing`."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        where = f"helios {method} {self.base}{self._prefix}{path}"
        for attempt in range(RETRIES + 1):
            with self._lock:
                self.calls += 1
            try:
                conn = self._connection()
                conn.request(method, self._prefix + path, body=data, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                if attempt == RETRIES:
                    raise CollectError(f"{where}: {type(exc).__name__}: {exc}") from None
                time.sleep(self._backoff * 2**attempt)
                continue
            status = response.status
            if status == 200:
                try:
                    return json.loads(payload)
                except ValueError:
                    raise CollectError(f"{where}: the answer is not JSON") from None
            if allow_missing and status in (404, 405):
                raise _NoBulkEndpoint
            if status in _RETRY_STATUSES and attempt < RETRIES:
                time.sleep(self._backoff * 2**attempt)
                continue
            hint = " (check the master's access rules)" if status in (401, 403) else ""
            raise CollectError(f"{where}: HTTP {status}{hint}")
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class LiveResult:
    """A live collection: the batch to load and what it took."""

    batch: LoadBatch
    document: dict[str, Any]
    host_count: int
    job_count: int
    http_calls: int
    seconds: float


def _statuses(transport: Transport, hosts: list[str], pool: ThreadPoolExecutor
              ) -> dict[str, Any]:
    chunks = [hosts[i:i + STATUS_CHUNK] for i in range(0, len(hosts), STATUS_CHUNK)]
    try:
        found: dict[str, Any] = {}
        for answer in pool.map(lambda chunk: transport.request(
                "POST", "/hosts/statuses", chunk, allow_missing=True), chunks):
            if not isinstance(answer, dict):
                raise CollectError("helios POST /hosts/statuses: expected an object of "
                                   "host → status")
            found.update(answer)
        return {host: found.get(host) for host in hosts}
    except _NoBulkEndpoint:
        statuses = pool.map(lambda host: transport.request(
            "GET", f"/hosts/{quote(host, safe='')}/status"), hosts)
        return dict(zip(hosts, statuses, strict=True))


def fetch_document(url: str, *, concurrency: int = 16, timeout_seconds: float = 30.0,
                   transport: Transport | None = None) -> dict[str, Any]:
    """Jobs, every host's status and every job's history, as the offline document."""
    transport = transport or Transport(url, timeout_seconds=timeout_seconds)
    jobs = transport.request("GET", "/jobs")
    hosts = transport.request("GET", "/hosts")
    if not isinstance(jobs, dict):
        raise CollectError(f"helios GET {transport.base}/jobs: expected an object of jobs")
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise CollectError(f"helios GET {transport.base}/hosts: expected a list of host names")
    with ThreadPoolExecutor(max_workers=max(1, concurrency),
                            thread_name_prefix="helios") as pool:
        statuses = _statuses(transport, hosts, pool)
        job_ids = sorted(jobs)
        histories = pool.map(lambda job_id: transport.request(
            "GET", f"/history/jobs/{quote(job_id, safe='')}"), job_ids)
        history = dict(zip(job_ids, histories, strict=True))
    return {"jobs": jobs, "hosts": statuses, "history": history}


def collect_live(url: str, *, source: str, concurrency: int = 16,
                 timeout_seconds: float = 30.0, dump: Path | None = None) -> LiveResult:
    """Collect one snapshot from the master; `dump` also writes the offline document."""
    started = time.perf_counter()
    collected_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    transport = Transport(url, timeout_seconds=timeout_seconds)
    document = fetch_document(url, concurrency=concurrency, transport=transport)
    batch = read_dump(document, source=source, collected_at=collected_at,
                      origin=f"helios {transport.base}")
    if dump is not None:
        # Credentials are dropped from the dump too (job env and token, agent environment).
        clean = _without_secrets(document)
        clean["collected_at"] = collected_at.isoformat() + "Z"
        dump.parent.mkdir(parents=True, exist_ok=True)
        dump.write_text(json.dumps(clean), encoding="utf-8")
    return LiveResult(batch, document, len(document["hosts"]), len(document["jobs"]),
                      transport.calls, time.perf_counter() - started)


def _without_secrets(document: dict[str, Any]) -> dict[str, Any]:
    """The document without job `env`/`token`, task copies of jobs, or agent `environment`."""
    jobs = {job_id: {k: v for k, v in job.items() if k not in ("env", "token")}
            if isinstance(job, dict) else job for job_id, job in document["jobs"].items()}
    hosts = {}
    for host, status in document["hosts"].items():
        if isinstance(status, dict):
            status = {k: v for k, v in status.items() if k != "environment"}
        if isinstance(status, dict) and isinstance(status.get("statuses"), dict):
            status = {**status, "statuses": {
                job_id: ({k: v for k, v in task.items() if k not in ("env", "job")}
                         if isinstance(task, dict) else task)
                for job_id, task in status["statuses"].items()}}
        hosts[host] = status
    history = {}
    for job_id, body in (document.get("history") or {}).items():
        events = body.get("events") if isinstance(body, dict) else None
        if isinstance(events, list):
            body = {**body, "events": [
                {**e, "status": {k: v for k, v in e["status"].items() if k not in ("env", "job")}}
                if isinstance(e, dict) and isinstance(e.get("status"), dict) else e
                for e in events]}
        history[job_id] = body
    return {"jobs": jobs, "hosts": hosts, "history": history}
