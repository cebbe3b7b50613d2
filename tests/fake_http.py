"""The piece every fake API server in the tests shares: a quiet JSON request handler."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any


class JsonHandler(BaseHTTPRequestHandler):
    """Answers with JSON bodies; keeps the test output quiet."""

    # Headers and body go out as separate writes: without this, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every kept-alive request.
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
