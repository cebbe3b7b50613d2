"""A wire-compatible Kubernetes API server for tests and benchmarks (real HTTP, stdlib only).

It serves the list endpoints the collector uses, with `limit`/`continue` pagination, bearer-token
auth, Kubernetes `Status` error bodies, and injectable faults: any HTTP status on a given page
(with `Retry-After`), an expired continue token (410), a forbidden resource (403), or a
connection dropped mid-response. Every request is logged as (method, path, query) so tests can
check it against the RBAC manifest. Objects are stored pre-encoded, so a 100,000-pod cluster is
served without re-serialising on each request. With `tls` it serves HTTPS, as a real API server
does and the in-cluster loader requires; `TestCA` (the `cryptography` package) makes the cluster
CA and the serving certificate, `write_service_account` the files kubelet mounts in a pod.
"""

from __future__ import annotations

import base64
import datetime
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import yaml

# collection path -> (kind, API group, resource); items are served without kind/apiVersion,
# exactly as a real API server does inside a list.
RESOURCES: dict[str, tuple[str, str, str]] = {
    "/api/v1/nodes": ("Node", "", "nodes"),
    "/api/v1/namespaces": ("Namespace", "", "namespaces"),
    "/api/v1/pods": ("Pod", "", "pods"),
    "/api/v1/persistentvolumeclaims": ("PersistentVolumeClaim", "", "persistentvolumeclaims"),
    "/api/v1/persistentvolumes": ("PersistentVolume", "", "persistentvolumes"),
    "/apis/apps/v1/deployments": ("Deployment", "apps", "deployments"),
    "/apis/apps/v1/replicasets": ("ReplicaSet", "apps", "replicasets"),
    "/apis/apps/v1/statefulsets": ("StatefulSet", "apps", "statefulsets"),
    "/apis/apps/v1/daemonsets": ("DaemonSet", "apps", "daemonsets"),
    "/apis/batch/v1/jobs": ("Job", "batch", "jobs"),
    "/apis/batch/v1/cronjobs": ("CronJob", "batch", "cronjobs"),
    "/apis/velero.io/v1/schedules": ("Schedule", "velero.io", "schedules"),
    "/apis/velero.io/v1/backups": ("Backup", "velero.io", "backups"),
}
# The custom resources (CRDs) a cluster may lack: `FakeKubeAPI(without_velero=True)` 404s them.
VELERO_PATHS = frozenset(p for p in RESOURCES if "/velero.io/" in p)
PATH_OF_KIND = {kind: path for path, (kind, _, _) in RESOURCES.items()}
API_VERSION = {"": "v1", "apps": "apps/v1", "batch": "batch/v1", "velero.io": "velero.io/v1"}


@dataclass
class Fault:
    """Answer requests for `path` (optionally only page number `page`) with `status`."""

    path: str
    status: int  # an HTTP status, or 0 to drop the connection mid-response
    page: int | None = None
    times: int = 1  # -1: forever
    retry_after: str | None = None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]


@dataclass
class FakeKubeAPI:
    """The server's state; `start()` serves it on 127.0.0.1 in a background thread."""

    token: str = "test-token"
    items: dict[str, list[bytes]] = field(default_factory=lambda: {p: [] for p in RESOURCES})
    faults: list[Fault] = field(default_factory=list)
    forbidden: set[str] = field(default_factory=set)  # collection paths answering 403
    requests: list[Request] = field(default_factory=list)
    resource_version: int = 1000
    tls: ServerCert | None = None  # serve HTTPS with this certificate
    without_velero: bool = False  # the Velero CRDs are not installed: their paths answer 404

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- content ---------------------------------------------------------------------------------

    def add(self, objects: Iterable[dict[str, Any]]) -> FakeKubeAPI:
        """Add objects (each with `kind`); kind and apiVersion are stripped as in a real list."""
        for obj in objects:
            path = PATH_OF_KIND.get(obj.get("kind", ""))
            if path is None:
                continue
            body = {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
            self.items[path].append(orjson.dumps(body))
        return self

    def fail(self, path: str, status: int, *, page: int | None = None, times: int = 1,
             retry_after: str | None = None) -> FakeKubeAPI:
        self.faults.append(Fault(path, status, page, times, retry_after))
        return self

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> str:
        handler = type("Handler", (_Handler,), {"api": self})
        if self.tls is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        else:
            self._server = _TLSServer(("127.0.0.1", 0), handler, self.tls.context())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeKubeAPI:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------------

    def _take_fault(self, path: str, page: int) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path == path and fault.page in (None, page) and fault.times != 0:
                    fault.times -= 1 if fault.times > 0 else 0
                    return fault
        return None

    def respond(self, method: str, raw_path: str, headers: Any
                ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        with self._lock:
            self.requests.append(Request(method, path, query))
        if not _bearer_ok(headers.get("Authorization"), self.token):
            return _status(401, "Unauthorized", "Unauthorized")
        if method != "GET" or path not in RESOURCES or (
                self.without_velero and path in VELERO_PATHS):
            return _status(404, "NotFound", f"the server could not find the requested "
                           f"resource ({method} {path})")
        kind, group, resource = RESOURCES[path]
        if path in self.forbidden:
            return _status(403, "Forbidden", f'{resource} is forbidden: User '
                           f'"system:serviceaccount:fleetscope:collector" cannot list resource '
                           f'"{resource}" in API group "{group}" at the cluster scope')
        offset, generation = 0, self.resource_version
        if query.get("continue"):
            generation, offset = _decode_continue(query["continue"])
        limit = int(query.get("limit") or 0)
        page = offset // limit if limit else 0
        fault = self._take_fault(path, page)
        if fault is not None:
            if fault.status == 0:
                return 0, {}, b""
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            if fault.status == 410:
                return _status(410, "Expired", "The provided continue parameter is too old to "
                               "display a consistent list result. You can start a new list "
                               "without the continue parameter.")
            status, _, body = _status(fault.status, "InternalError" if fault.status >= 500
                                      else "TooManyRequests", f"injected {fault.status}")
            return status, extra, body
        items = self.items[path]
        end = min(len(items), offset + limit) if limit else len(items)
        next_token = _encode_continue(generation, end) if end < len(items) else ""
        metadata = {"resourceVersion": str(generation)}
        if next_token:
            metadata["continue"] = next_token
            metadata["remainingItemCount"] = len(items) - end  # type: ignore[assignment]
        body = b"".join([
            b'{"kind":"', kind.encode(), b'List","apiVersion":"', API_VERSION[group].encode(),
            b'","metadata":', orjson.dumps(metadata), b',"items":[',
            b",".join(items[offset:end]), b"]}"])
        return 200, {}, body


def _bearer_ok(header: str | None, token: str) -> bool:
    # As the API server's bearer authenticator: the scheme is case-insensitive (the client's
    # in-cluster loader sends "bearer <token>"), the token must match exactly.
    parts = (header or "").strip().split(" ")
    return len(parts) == 2 and parts[0].lower() == "bearer" and parts[1] == token


def _encode_continue(generation: int, offset: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"rv": generation, "start": offset})).decode()


def _decode_continue(token: str) -> tuple[int, int]:
    data = orjson.loads(base64.urlsafe_b64decode(token.encode()))
    return int(data["rv"]), int(data["start"])


def _status(code: int, reason: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    return code, {}, orjson.dumps(body)


class _TLSServer(ThreadingHTTPServer):
    """HTTPS: each accepted socket is wrapped, its handshake done in the request's thread."""

    def __init__(self, address: tuple[str, int], handler: type, context: ssl.SSLContext
                 ) -> None:
        super().__init__(address, handler)
        self.context = context

    def get_request(self) -> tuple[Any, Any]:
        sock, address = self.socket.accept()
        # No handshake here: a client that never speaks TLS must not block the accept loop.
        return self.context.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client refusing our certificate is a test case, not a server failure


class _Handler(BaseHTTPRequestHandler):
    api: FakeKubeAPI
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects
    disable_nagle_algorithm = True  # else every small response waits 40 ms for a delayed ACK

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def do_GET(self) -> None:
        status, headers, body = self.api.respond("GET", self.path, self.headers)
        if status == 0:  # a dropped connection: headers promise more than is sent
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b'{"kind":"PodList","items":[')
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks print their own results


def write_kubeconfig(path: Path, clusters: dict[str, tuple[str, str]]) -> Path:
    """A kubeconfig with one context per cluster: {context: (server URL, bearer token)}."""
    config = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "current-context": next(iter(clusters)),
        "clusters": [{"name": f"{name}-cluster", "cluster": {"server": url}}
                     for name, (url, _) in clusters.items()],
        "users": [{"name": f"{name}-user", "user": {"token": token}}
                  for name, (_, token) in clusters.items()],
        "contexts": [{"name": name, "context": {"cluster": f"{name}-cluster",
                                                "user": f"{name}-user"}}
                     for name in clusters],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


# -- TLS and the in-cluster service account --------------------------------------------------------

@dataclass(frozen=True)
class ServerCert:
    """A serving certificate and its key (PEM files) issued by a `TestCA`."""

    cert_file: Path
    key_file: Path

    def context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@dataclass(frozen=True)
class TestCA:
    """A self-signed cluster CA made for one test session (EC P-256 keys: instant to make)."""

    __test__ = False  # not a pytest test class despite the name
    folder: Path
    key: Any
    cert: Any

    @property
    def cert_file(self) -> Path:
        return self.folder / "ca.crt"

    @classmethod
    def create(cls, folder: Path, name: str = "fleetscope-test-ca") -> TestCA:
        """A CA whose certificate is written to `folder/ca.crt`, as the cluster puts it."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                             crl_sign=True, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                               critical=False)
                .sign(key, hashes.SHA256()))
        ca = cls(folder, key, cert)
        ca.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return ca

    def issue(self, name: str = "kubernetes", ip: str = "127.0.0.1") -> ServerCert:
        """A serving certificate for `ip` (as the API server's for its service IP)."""
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([
                    x509.IPAddress(ipaddress.ip_address(ip)), x509.DNSName("localhost")]),
                    critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                               critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.key.public_key()), critical=False)
                .sign(self.key, hashes.SHA256()))
        cert_file, key_file = self.folder / f"{name}.crt", self.folder / f"{name}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return ServerCert(cert_file, key_file)


def write_service_account(folder: Path, *, token: str, ca: TestCA,
                          namespace: str = "fleetscope") -> Path:
    """The files kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "token").write_text(token, encoding="utf-8")  # no newline, as kubelet writes it
    (folder / "ca.crt").write_bytes(ca.cert_file.read_bytes())
    (folder / "namespace").write_text(namespace, encoding="utf-8")
    return folder


def in_cluster_env(api: FakeKubeAPI) -> dict[str, str]:
    """The environment Kubernetes gives every pod for the `kubernetes` service."""
    return {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(api.port)}
