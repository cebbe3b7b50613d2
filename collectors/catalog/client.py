"""The live Backstage catalog: `GET /api/catalog/entities/by-query`, following cursor pages.

Asks for kinds Component, Group and System (repeated `filter` parameters are OR-ed by the API)
and follows `pageInfo.nextCursor` until there is none. The bearer token is sent as a header and
never appears in errors.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from fleetscope.collectors.catalog.reader import TABLE, entities_frame, entity_row
from fleetscope.errors import CollectError
from fleetscope.warehouse import LoadBatch, to_naive_utc

KINDS = ("component", "group", "system")
PAGE_SIZE = 500
MAX_PAGES = 10_000  # a cursor that never ends is a server bug, not a reason to loop forever


def _get(url: str, token: str | None, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    shown = url.split("?", 1)[0]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        hint = " (check catalog.token_env)" if exc.code in (401, 403) else ""
        raise CollectError(f"catalog GET {shown}: HTTP {exc.code}{hint}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CollectError(f"catalog GET {shown}: {reason}") from None
    except ValueError:
        raise CollectError(f"catalog GET {shown}: the answer is not JSON") from None


def fetch_entities(url: str, *, token: str | None = None, timeout_seconds: float = 30.0,
                   page_size: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], int]:
    """Every Component, Group and System entity, and the number of pages fetched."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CollectError(f"catalog: invalid Backstage URL {url!r}")
    endpoint = url.rstrip("/") + "/api/catalog/entities/by-query"
    first = [("filter", f"kind={kind}") for kind in KINDS] + [("limit", str(page_size))]
    query = urlencode(first)
    items: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        body = _get(f"{endpoint}?{query}", token, timeout_seconds)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise CollectError(f"catalog GET {endpoint}: expected {{items, pageInfo}}")
        items.extend(body["items"])
        cursor = (body.get("pageInfo") or {}).get("nextCursor")
        if not cursor:
            return items, page
        query = urlencode([("cursor", cursor), ("limit", str(page_size))])
    raise CollectError(f"catalog GET {endpoint}: more than {MAX_PAGES} pages")


def fetch_catalog(url: str, *, token: str | None, source: str, collected_at: datetime,
                  timeout_seconds: float = 30.0, page_size: int = PAGE_SIZE) -> LoadBatch:
    """One catalog snapshot from the API as a LoadBatch."""
    items, _pages = fetch_entities(url, token=token, timeout_seconds=timeout_seconds,
                                   page_size=page_size)
    rows = []
    for i, item in enumerate(items):
        row = entity_row(item, f"catalog {url.rstrip('/')}: items[{i}]")
        if row is not None:
            rows.append(row)
    return LoadBatch("catalog", source, to_naive_utc(collected_at), {TABLE: entities_frame(rows)})
