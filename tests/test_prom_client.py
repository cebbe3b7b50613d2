"""The Prometheus client against a real HTTP server that misbehaves on purpose."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fleetscope.collectors.prometheus.client import Auth, PrometheusClient, QueryTooLarge
from fleetscope.errors import CollectError, ConfigError

MATRIX = {"status": "success", "data": {"resultType": "matrix", "result": [
    {"metric": {"namespace": "a"}, "values": [[1793599200, "1"]]}]}}
START, END = datetime(2026, 11, 2), datetime(2026, 11, 2, 1)


class Script:
    """Responses served in order (the last one repeats) and the headers received."""

    def __init__(self, *responses: tuple[int, object]) -> None:
        self.responses = list(responses)
        self.headers: list[dict[str, str]] = []


@pytest.fixture(scope="module")
def _httpd() -> Iterator[tuple[str, list[Script]]]:
    current: list[Script] = []

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            script = current[0]
            script.headers.append(dict(self.headers))
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status, body = script.responses[0] if len(script.responses) == 1 \
                else script.responses.pop(0)
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _serve

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", current
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(_httpd) -> tuple[str, list[Script]]:
    _httpd[1].clear()
    return _httpd


def _client(url: str, **kwargs) -> PrometheusClient:
    return PrometheusClient(url, max_retries=2, retry_backoff=0.01, **kwargs)


def _range(client: PrometheusClient):
    return client.query_range("up", start=START, end=END, step_seconds=3600)


def test_503_is_retried_then_succeeds(server):
    url, current = server
    current.append(Script((503, {"status": "error", "error": "unavailable"}), (200, MATRIX)))
    client = _client(url)
    assert _range(client)[0]["metric"] == {"namespace": "a"}
    assert client.requests_made == 2


def test_503_that_persists_is_a_clear_error(server):
    url, current = server
    current.append(Script((503, {"status": "error", "error": "unavailable"})))
    with pytest.raises(CollectError, match=r"HTTP 503 unavailable after 3 attempts"):
        _range(_client(url))


def test_server_timeout_asks_for_a_smaller_query(server):
    url, current = server
    current.append(Script((503, {"status": "error", "errorType": "timeout",
                                 "error": "query timed out in query execution"})))
    with pytest.raises(QueryTooLarge, match="timed out"):
        _range(_client(url))


@pytest.mark.parametrize(("status", "body", "message"), [
    (400, {"status": "error", "errorType": "bad_data", "error": "parse error at char 5"},
     r"bad query \(HTTP 400: parse error at char 5\): up"),
    (422, {"status": "error", "errorType": "execution",
           "error": "query processing would load too many samples into memory"},
     "too many samples"),
    (200, {"status": "success", "data": {"resultType": "vector", "result": []}},
     "resultType 'vector' instead of 'matrix'"),
    (200, b"<html>proxy error</html>", "response is not JSON"),
    (500, {"status": "error", "error": "boom"}, "HTTP 500: boom"),
])
def test_failures_are_named(server, status, body, message):
    url, current = server
    current.append(Script((status, body)))
    with pytest.raises(CollectError, match=message):
        _range(_client(url))


def test_bearer_token_is_sent_but_never_shown(server, monkeypatch):
    url, current = server
    monkeypatch.setenv("PROM_TOKEN", "s3cr3t-token")
    script = Script((401, {"status": "error", "error": "unauthorized"}))
    current.append(script)
    auth = Auth.from_env(bearer_token_env="PROM_TOKEN", username=None, password_env=None,
                         ca_file=None)
    with pytest.raises(CollectError) as err:
        _range(_client(url, auth=auth))
    assert script.headers[0]["Authorization"] == "Bearer s3cr3t-token"
    assert "not authorized" in str(err.value)
    assert "s3cr3t" not in str(err.value) and "s3cr3t" not in repr(auth)


def test_basic_auth_and_missing_env_var(server, monkeypatch):
    url, current = server
    script = Script((200, MATRIX))
    current.append(script)
    monkeypatch.setenv("PROM_PASSWORD", "pw")
    auth = Auth.from_env(bearer_token_env=None, username="reader", password_env="PROM_PASSWORD",
                         ca_file=None)
    _range(_client(url, auth=auth))
    assert script.headers[0]["Authorization"] == "Basic cmVhZGVyOnB3"  # base64("reader:pw")
    monkeypatch.delenv("PROM_PASSWORD")
    with pytest.raises(ConfigError, match="PROM_PASSWORD is not set"):
        Auth.from_env(bearer_token_env=None, username="reader", password_env="PROM_PASSWORD",
                      ca_file=None)


def test_user_info_in_url_is_not_shown_in_errors(server):
    url, current = server
    current.append(Script((500, {"status": "error", "error": "boom"})))
    secret_url = url.replace("http://", "http://user:hunter2@")
    with pytest.raises(CollectError) as err:
        _range(_client(secret_url))
    assert "hunter2" not in str(err.value)
    # the URL's user-info is used as basic auth, not sent as part of the address
    assert current[0].headers[0]["Authorization"] == "Basic dXNlcjpodW50ZXIy"


def test_connection_refused():
    from prometheus_server import free_port

    with pytest.raises(CollectError, match="cannot connect"):
        _range(_client(f"http://127.0.0.1:{free_port()}"))
