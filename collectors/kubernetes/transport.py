"""One GET against the API server with retries: backoff on 429/5xx and network errors.

The client's own retries are switched off (`Configuration.retries = False`) so that every retry
policy lives here: exponential backoff from `retry_backoff_seconds`, a `Retry-After` header
honoured when present, and HTTP errors mapped to fleetscope exceptions that name the cluster,
resource and verb. A 410 Gone (expired continue token) is raised as `ContinueExpired` for the
pagination loop to restart the list.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from fleetscope.errors import CollectError

MAX_DELAY_SECONDS = 30.0
# A server asking for a longer pause than this is treated as down rather than waited for.
MAX_RETRY_AFTER_SECONDS = 120.0


class ContinueExpired(Exception):
    """410 Gone: the continue token expired; the list must start again."""


class NotServed(CollectError):
    """404 on a list: the API server does not serve the resource (its CRD is not installed)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a request that failed for a transient reason."""

    max_retries: int = 5
    backoff_seconds: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before retry number `attempt` (0-based)."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_SECONDS)
        return min(self.backoff_seconds * 2**attempt, MAX_DELAY_SECONDS)


def _retry_after(headers: Any) -> float | None:
    """`Retry-After` as seconds (delta-seconds or an HTTP date), None when absent or garbled."""
    value = headers.get("Retry-After") if headers else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_message(body: Any) -> str:
    """The `message` of a Kubernetes Status body, if the error carried one."""
    import orjson

    try:
        status = orjson.loads(body)
    except (orjson.JSONDecodeError, TypeError):
        return ""
    return str(status.get("message", "")) if isinstance(status, dict) else ""


def get_with_retries(request: Callable[[], Any], *, cluster: str, resource: str, verb: str,
                     policy: RetryPolicy) -> bytes:
    """Run `request` (a client call with `_preload_content=False`) and return the raw body."""
    import urllib3
    from kubernetes.client.exceptions import ApiException

    attempt = 0
    while True:
        retry_after: float | None = None
        try:
            response = request()
            try:
                return response.data
            finally:
                response.release_conn()
        except ApiException as exc:
            status = exc.status or 0
            if status == 410:
                raise ContinueExpired(resource) from None
            if status == 401:  # the credentials themselves, not RBAC: no rbac.yaml hint
                raise CollectError(
                    f"cluster {cluster}: unauthorized (401): cannot {verb} {resource}: the API "
                    "server rejected the credentials (wrong, expired or revoked token?)"
                ) from None
            if status == 403:
                detail = _status_message(exc.body)
                raise CollectError(
                    f"cluster {cluster}: forbidden (403): cannot {verb} {resource}; the "
                    f"collector needs '{verb}' on '{resource}' (see deploy/rbac.yaml)"
                    + (f": {detail}" if detail else "")) from None
            if not (status == 429 or status >= 500 or status == 0):
                detail = _status_message(exc.body) or (exc.reason or "")
                # 404: the server does not serve it (a CRD not installed), which the lister
                # may accept for an optional kind.
                error = NotServed if status == 404 else CollectError
                raise error(f"cluster {cluster}: {verb} {resource} failed with HTTP "
                                   f"{status}: {detail}") from None
            problem = f"HTTP {status}" if status else f"{exc.reason}"
            retry_after = _retry_after(exc.headers)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            # Connection refused or reset, truncated body, timeout: transient until proven not.
            problem = f"{type(exc).__name__}: {exc}"
        if "CERTIFICATE_VERIFY_FAILED" in problem:
            # A certificate that does not verify will not verify on a retry either (the client
            # reports it as an ApiException with status 0 and the SSL error as its reason).
            raise CollectError(
                f"cluster {cluster}: {verb} {resource}: the API server's TLS certificate does "
                f"not verify against the configured CA ({' '.join(problem.split())})")
        if attempt >= policy.max_retries:
            raise CollectError(f"cluster {cluster}: {verb} {resource} failed after "
                               f"{attempt + 1} attempts: {problem}")
        policy.sleep(policy.delay(attempt, retry_after))
        attempt += 1
