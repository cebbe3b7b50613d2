"""A small Prometheus HTTP API client (stdlib only): query_range, instant queries, label values.

Credentials (bearer token, basic-auth password) and extra headers (`X-Scope-OrgID`) are read
from environment variables at the moment a client is built and live only in its request
headers: never in messages, logs or the warehouse. Errors name the server by its URL without
any user-info part. A client with a `Scope` (`promql`) rewrites every query and selector it
sends, so no query of a central store escapes the source's matchers.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from fleetscope.collectors.prometheus.promql import PromQLError, Scope
from fleetscope.errors import CollectError, ConfigError

ENV_PREFIX = "env:"


class QueryTooLarge(CollectError):
    """The server refused a query for its size (too many samples or points): split it."""


@dataclass(frozen=True)
class Auth:
    """Credentials for one server; built from env vars, never persisted."""

    bearer_token: str | None = None
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    headers: tuple[tuple[str, str], ...] = field(default=())  # extra request headers

    @classmethod
    def from_env(cls, *, bearer_token_env: str | None, username: str | None,
                 password_env: str | None, ca_file: str | None,
                 headers: Mapping[str, str] | None = None, where: str = "") -> Auth:
        """Read the token, password and `env:NAME` header values from the environment;
        `where` names the source in errors (never a value)."""
        def read(name: str | None, what: str) -> str | None:
            if not name:
                return None
            value = os.environ.get(name)
            if not value:
                raise ConfigError(f"{where}{what}: environment variable {name} is not set")
            return value

        extra = tuple((header, read(spec.removeprefix(ENV_PREFIX), f"headers.{header}") or "")
                      for header, spec in (headers or {}).items())
        return cls(bearer_token=read(bearer_token_env, "bearer_token_env"), username=username,
                   password=read(password_env, "password_env"), ca_file=ca_file, headers=extra)

    def __repr__(self) -> str:  # never show secrets, even in a traceback
        return f"Auth(bearer_token={'***' if self.bearer_token else None}, " \
               f"username={self.username!r}, ca_file={self.ca_file!r}, " \
               f"headers={[name for name, _ in self.headers]})"


def public_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class PrometheusClient:
    """Talks to one server; retries 429/503/timeouts, maps every other failure to a clear error."""

    def __init__(self, url: str, *, auth: Auth | None = None, timeout: float = 120.0,
                 max_retries: int = 3, retry_backoff: float = 0.5,
                 scope: Scope | None = None) -> None:
        parts = urllib.parse.urlsplit(url.rstrip("/"))
        if parts.username is not None and (auth is None or auth == Auth()):
            # user:password@host in the URL: send it as basic auth, keep it out of the address
            auth = Auth(username=urllib.parse.unquote(parts.username),
                        password=urllib.parse.unquote(parts.password or ""))
        self.url = public_url(url.rstrip("/"))
        self.name = self.url
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.requests_made = 0
        self.bytes_received = 0
        self.scope = scope or Scope()
        auth = auth or Auth()
        self._headers = {**dict(auth.headers), "Accept": "application/json",
                         "User-Agent": "fleetscope"}
        if auth.bearer_token:
            self._headers["Authorization"] = f"Bearer {auth.bearer_token}"
        elif auth.username is not None:
            pair = f"{auth.username}:{auth.password or ''}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        self._ssl: ssl.SSLContext | None = None
        if auth.ca_file:
            try:
                self._ssl = ssl.create_default_context(cafile=auth.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(f"ca_file {auth.ca_file}: {exc}") from None

    def scoped(self, scope: Scope) -> PrometheusClient:
        """The same server and credentials, queries scoped by `scope`, requests counted anew."""
        client = copy.copy(self)
        client.scope, client.requests_made, client.bytes_received = scope, 0, 0
        return client

    def _scope(self, query: str) -> str:
        try:
            return self.scope.apply(query)
        except PromQLError as exc:
            raise CollectError(f"{self.name}: cannot add the source's matchers: {exc}") from None

    # -- API ---------------------------------------------------------------------------------

    def query_range(self, query: str, *, start: datetime, end: datetime, step_seconds: int
                    ) -> list[dict[str, Any]]:
        """The `result` of a matrix query (raises on any other resultType)."""
        query = self._scope(query)
        data = self._call("/api/v1/query_range", {
            "query": query, "start": _unix(start), "end": _unix(end), "step": str(step_seconds),
            "timeout": f"{int(self.timeout)}s"}, what=query)
        if data.get("resultType") != "matrix":
            raise CollectError(f"{self.name}: query_range returned resultType "
                               f"{data.get('resultType')!r} instead of 'matrix' for {query}")
        result = data.get("result")
        if not isinstance(result, list):
            raise CollectError(f"{self.name}: query_range returned no result list for {query}")
        return result

    def query(self, query: str, *, at: datetime) -> list[dict[str, Any]]:
        """The `result` of an instant vector query."""
        return self._instant(query, at=at, result_type="vector")

    def samples(self, selector: str, *, at: datetime) -> list[dict[str, Any]]:
        """Raw samples of a range selector (`metric{...}[1h]`) at `at`, with their own times."""
        return self._instant(selector, at=at, result_type="matrix")

    def _instant(self, query: str, *, at: datetime, result_type: str) -> list[dict[str, Any]]:
        query = self._scope(query)
        data = self._call("/api/v1/query", {"query": query, "time": _unix(at),
                                            "timeout": f"{int(self.timeout)}s"}, what=query)
        if data.get("resultType") != result_type:
            raise CollectError(f"{self.name}: query returned resultType "
                               f"{data.get('resultType')!r} instead of {result_type!r} for "
                               f"{query}")
        return list(data.get("result") or [])

    def label_values(self, label: str, *, match: str, start: datetime, end: datetime
                     ) -> list[str]:
        """Values of a label among the series matching `match` in [start, end]."""
        path = f"/api/v1/label/{urllib.parse.quote(label)}/values"
        match = self._scope(match)
        data = self._call(path, {"match[]": match, "start": _unix(start), "end": _unix(end)},
                          what=f"values of label {label}", method="GET")
        if not isinstance(data, list):
            raise CollectError(f"{self.name}: label values of {label}: expected a list")
        return sorted(str(v) for v in data)

    # -- transport ---------------------------------------------------------------------------

    def _call(self, path: str, params: dict[str, str], *, what: str,
              method: str = "POST") -> Any:
        encoded = urllib.parse.urlencode(params)
        if method == "POST":  # long namespace regexes would overflow a URL
            request = urllib.request.Request(
                self.url + path, data=encoded.encode(), method="POST",
                headers={**self._headers,
                         "Content-Type": "application/x-www-form-urlencoded"})
        else:
            request = urllib.request.Request(f"{self.url}{path}?{encoded}", method="GET",
                                             headers=self._headers)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(request, what=what)
            except _Retryable as exc:
                if attempt > self.max_retries:
                    raise CollectError(f"{self.name}: {exc.reason} after {attempt} attempts "
                                       f"({what})") from None
                time.sleep(min(exc.retry_after or self.retry_backoff * 2 ** (attempt - 1), 30))

    def _once(self, request: urllib.request.Request, *, what: str) -> Any:
        self.requests_made += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout,
                                        context=self._ssl) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            self._raise_for_status(exc.code, raw, exc.headers.get("Retry-After"), what=what)
            raise AssertionError("unreachable") from None
        except TimeoutError:
            raise _Retryable(f"timed out after {self.timeout:g}s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Retryable(f"timed out after {self.timeout:g}s") from None
            if isinstance(exc.reason, ssl.SSLError):
                raise CollectError(f"{self.name}: TLS error: {exc.reason} (set ca_file?)"
                                   ) from None
            raise CollectError(f"{self.name}: cannot connect: {exc.reason}") from None
        except ConnectionError as exc:
            raise _Retryable(f"connection error: {exc}") from None
        self.bytes_received += len(raw)
        body = self._decode(raw, what=what)
        if body.get("status") != "success":
            raise CollectError(f"{self.name}: {body.get('errorType', 'error')}: "
                               f"{body.get('error', 'no error given')} ({what})")
        return body.get("data")

    def _decode(self, raw: bytes, *, what: str) -> dict[str, Any]:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise CollectError(f"{self.name}: response is not JSON ({what}): "
                               f"{raw[:200]!r}") from None
        if not isinstance(body, dict):
            raise CollectError(f"{self.name}: response is not a JSON object ({what})")
        return body

    def _raise_for_status(self, status: int, raw: bytes, retry_after: str | None, *,
                          what: str) -> None:
        message, error_type = "", ""
        try:
            parsed = json.loads(raw)
            message, error_type = str(parsed.get("error", "")), str(parsed.get("errorType", ""))
        except (ValueError, AttributeError):
            message = raw[:200].decode("utf-8", "replace").strip()
        lowered = message.lower()
        if error_type == "timeout" or "timed out" in lowered:
            # the same query would time out again: a smaller one may not
            raise QueryTooLarge(f"{self.name}: query timed out on the server: {message}")
        if status in (429, 502, 503, 504):
            wait = float(retry_after) if retry_after and retry_after.isdigit() else None
            raise _Retryable(f"HTTP {status} {message}".strip(), retry_after=wait)
        if status in (401, 403):
            raise CollectError(f"{self.name}: HTTP {status}: not authorized; check the "
                               "bearer token or basic-auth credentials the config names")
        if "too many samples" in lowered or "maximum resolution" in lowered \
                or ("exceeded" in lowered and "points" in lowered):
            raise QueryTooLarge(f"{self.name}: HTTP {status}: {message}")
        if status == 400:
            raise CollectError(f"{self.name}: bad query (HTTP 400: {message}): {what}")
        if status == 422:
            raise CollectError(f"{self.name}: query failed (HTTP 422: {message}): {what}")
        raise CollectError(f"{self.name}: HTTP {status}: {message} ({what})")


class _Retryable(Exception):
    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _unix(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"{value.timestamp():.3f}"
