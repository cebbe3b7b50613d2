"""A Backstage catalog API over real HTTP: `GET /api/catalog/entities/by-query` with cursors.

Repeated `filter=kind=x` parameters are OR-ed, `limit` sets the page size, and the opaque
`cursor` (here base64 JSON of the filters and offset) replaces every other parameter, as in
Backstage. With `token` set, requests without `Authorization: Bearer <token>` get 401.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_http import FakeServer, JsonHandler


def entity(kind: str, name: str, *, owner: str | None = None,
           annotations: dict[str, str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "service" if kind == "Component" else "team"}
    if owner:
        spec["owner"] = owner
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind,
            "metadata": {"name": name, "namespace": "default",
                         "annotations": annotations or {}, "uid": f"uid-{name}"},
            "spec": spec, "relations": []}


class BackstageServer(FakeServer):
    def __init__(self, entities: list[dict[str, Any]], *, token: str | None = None) -> None:
        self.entities = entities
        self.token = token
        self.requests: list[str] = []
        self.auth_headers: list[str | None] = []
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):

            def do_GET(self) -> None:
                fake.requests.append(self.path)
                auth = self.headers.get("Authorization")
                fake.auth_headers.append(auth)
                parts = urlsplit(self.path)
                if parts.path != "/api/catalog/entities/by-query":
                    self._send(404, {"error": {"name": "NotFoundError"}})
                    return
                if fake.token and auth != f"Bearer {fake.token}":
                    self._send(401, {"error": {"name": "AuthenticationError"}})
                    return
                query = parse_qs(parts.query)
                limit = int(query.get("limit", ["20"])[0])
                if "cursor" in query:
                    state = json.loads(base64.b64decode(query["cursor"][0]))
                    kinds, offset = state["kinds"], state["offset"]
                else:
                    kinds = [f.split("=", 1)[1].lower() for f in query.get("filter", [])
                             if f.lower().startswith("kind=")]
                    offset = 0
                matching = [e for e in fake.entities if not kinds or e["kind"].lower() in kinds]
                page = matching[offset:offset + limit]
                body: dict[str, Any] = {"items": page, "totalItems": len(matching),
                                        "pageInfo": {}}
                if offset + limit < len(matching):
                    cursor = json.dumps({"kinds": kinds, "offset": offset + limit}).encode()
                    body["pageInfo"]["nextCursor"] = base64.b64encode(cursor).decode()
                self._send(200, body)

        return Handler



@contextmanager
def serve(entities: list[dict[str, Any]], **kwargs: Any) -> Iterator[BackstageServer]:
    server = BackstageServer(entities, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()
