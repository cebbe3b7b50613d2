"""The HTTP side: routes, the bearer token, CORS, and errors without stack traces.

Read-only by construction: only GET is answered (OPTIONS only as a CORS preflight, which
carries no token by the Fetch standard), each request opens its own read-only DuckDB connection
and closes it, so a scheduled run can still take the warehouse between requests.
"""

from __future__ import annotations

import hmac
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import duckdb

from fleetscope.errors import InputError, WarehouseError
from fleetscope.ops.cost_insights import queries
from fleetscope.ops.cost_insights.intervals import parse_intervals

PREFIX = "/api/cost-insights"
Con = duckdb.DuckDBPyConnection
Query = dict[str, str]


@dataclass(frozen=True)
class ApiSettings:
    warehouse: Path
    token: str  # the bearer token every GET must carry
    cors_origin: str = ""  # the one browser origin allowed to read the answers; "" = none


def _intervals(query: Query) -> Any:
    return parse_intervals(query.get("intervals", ""))


# (pattern, answer): the path's groups are the URL-decoded segments, passed as SQL parameters.
ROUTES: list[tuple[re.Pattern[str], Callable[[Con, list[str], Query], Any]]] = [
    (re.compile(r"/user-groups"), lambda con, p, q: queries.groups(con)),
    (re.compile(r"/last-complete-billing-date"),
     lambda con, p, q: {"date": queries.last_complete_billing_date(con)}),
    (re.compile(r"/groups/([^/]+)/daily-cost"),
     lambda con, p, q: queries.group_daily_cost(con, p[0], _intervals(q))),
    (re.compile(r"/groups/([^/]+)/projects"),
     lambda con, p, q: queries.group_projects(con, p[0])),
    (re.compile(r"/groups/([^/]+)/alerts"), lambda con, p, q: queries.alerts(con, p[0])),
    (re.compile(r"/projects/([^/]+)/daily-cost"),
     lambda con, p, q: queries.project_daily_cost(con, p[0], _intervals(q))),
    (re.compile(r"/products/([^/]+)/insights"),
     lambda con, p, q: queries.product_insights(con, p[0], q.get("group", ""), _intervals(q),
                                                q.get("project") or None)),
]


def answer(settings: ApiSettings, path: str, query: Query) -> tuple[int, Any]:
    """(status, JSON body) for a GET of `path` (after PREFIX): the routes, without HTTP."""
    from fleetscope.warehouse import connect_read_only

    for pattern, handler in ROUTES:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        try:
            con = connect_read_only(settings.warehouse)
            try:
                return 200, handler(con, [unquote(g) for g in match.groups()], query)
            finally:
                con.close()
        except queries.NotFound as exc:
            return 404, {"error": str(exc)}
        except InputError as exc:
            return 400, {"error": str(exc)}
        except WarehouseError as exc:  # in use by a run, or missing: the log says which file
            print(f"fleetscope api: {exc}", file=sys.stderr)
            return 503, {"error": "warehouse unavailable; try again (see the server's log)"}
    return 404, {"error": f"no such endpoint {PREFIX}{path}"}


class CostInsightsHandler(BaseHTTPRequestHandler):
    """One request; `settings` is set on a subclass by `make_server`."""

    settings: ApiSettings
    server_version = "fleetscope-api"
    sys_version = ""  # the Server header names no Python version

    def do_GET(self) -> None:
        if not self._authorised():
            self._send(401, {"error": "missing or wrong bearer token"},
                       {"WWW-Authenticate": 'Bearer realm="fleetscope"'})
            return
        url = urlsplit(self.path)
        if not url.path.startswith(PREFIX + "/"):
            self._send(404, {"error": f"no such endpoint {url.path}"})
            return
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            status, body = answer(self.settings, url.path[len(PREFIX):], query)
        except Exception as exc:
            print(f"fleetscope api: {url.path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            status, body = 500, {"error": "internal error (see the server's log)"}
        self._send(status, body)

    def do_OPTIONS(self) -> None:
        """CORS preflight: the configured origin may GET with an Authorization header."""
        if not self.settings.cors_origin or self.headers.get("Origin") != self.settings.cors_origin:
            self._send(403, {"error": "origin not allowed"})
            return
        self._send(204, None, {"Access-Control-Allow-Methods": "GET",
                               "Access-Control-Allow-Headers": "Authorization",
                               "Access-Control-Max-Age": "600"})

    def _refuse(self) -> None:
        body = None if self.command == "HEAD" else {"error": "read-only API: GET only"}
        self._send(405, body, {"Allow": "GET, OPTIONS"})

    # Every other method http.server knows how to read is refused (others get its 501).
    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_TRACE = do_CONNECT = _refuse

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        # compare_digest: the time taken does not tell how much of the token was right
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.settings.token.encode())

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body, allow_nan=False).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        origin = self.headers.get("Origin")
        if self.settings.cors_origin and origin == self.settings.cors_origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        # one line per request on stderr, as http.server does, but never the query string
        print(f"{self.address_string()} {self.command} {urlsplit(self.path).path} "
              f"{args[1] if len(args) > 1 else ''}", file=sys.stderr)


def make_server(settings: ApiSettings, host: str, port: int) -> ThreadingHTTPServer:
    """A bound server (port 0 = any free port: read it from `server_address`)."""
    handler = type("Handler", (CostInsightsHandler,), {"settings": settings})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
