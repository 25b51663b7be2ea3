"""A stand-in for the arXiv API: a local HTTP server on 127.0.0.1 serving recorded responses.

    from arxiv_server import arxiv_api, no_real_arxiv  # fixtures; the second is autouse

    def test_x(arxiv_api):
        ...  # paperbrowse add 2302.13971 now asks the local server
        assert arxiv_api.requests == ["2302.13971"]

`arxiv_api.url("/broken")` is an address that answers HTTP 500; `dead_url()` one where nothing
listens (connection refused). No test ever reaches the real arXiv.

Slow and redirecting servers (tests/test_network_deadline.py):
`arxiv_api.url("/trickle")` sends the headers at once, then the feed `piece` bytes every `pause`
seconds; `/trickle-all` trickles the status line and headers too. `arxiv_api.redirect(location)`
is an address that answers 302 with that Location (the query kept), `redirect_loop()` one that
redirects to itself, `redirect_chain(n)` one that reaches the API after n redirects.
`arxiv_api_tls` is the same stand-in over https, with a certificate the client is told to trust.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from paperbrowse.core.sources.arxiv_id import parse_arxiv_id

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arxiv"

# id_list (versions dropped) -> the recorded response; any other id gets the empty feed.
RESPONSES = {
    "2302.13971": "2302.13971.xml",
    "hep-th/9711200": "hep-th-9711200.xml",
    "2302.13971,hep-th/9711200": "both.xml",
    "2302.00001": "malformed.xml",
}


class ArxivStandIn:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.requests: list[str] = []  # the id_list of every query, as sent
        self.queries: list[dict[str, list[str]]] = []
        self.user_agents: list[str] = []
        self.scheme = "http"
        self.piece = 1  # bytes a trickle sends at a time
        self.pause = 0.2  # seconds between two pieces
        self.stopping = threading.Event()  # set at teardown: a trickle stops there
        self.redirects: dict[str, tuple[int, str]] = {}  # name -> (status, Location)
        self.hangups = 0  # trickles cut short by the client closing the connection

    def url(self, path: str = "") -> str:
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}{path}/api/query"

    def redirect(self, location: str, status: int = 302) -> str:
        """An API address that answers `status` with `Location: location` (plus the query asked)."""
        name = f"r{len(self.redirects)}"
        self.redirects[name] = (status, location)
        return self.url(f"/redirect/{name}")

    def redirect_loop(self) -> str:
        name = f"r{len(self.redirects)}"
        self.redirects[name] = (302, self.url(f"/redirect/{name}"))
        return self.url(f"/redirect/{name}")

    def redirect_chain(self, hops: int) -> str:
        """An address that reaches the API's recorded answers after `hops` redirects."""
        target = self.url()
        for _ in range(hops):
            target = self.redirect(target)
        return target


def _handler(stand_in: ArxivStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            ids = query.get("id_list", [""])[0]
            stand_in.requests.append(ids)
            stand_in.queries.append(query)
            stand_in.user_agents.append(self.headers.get("User-Agent", ""))
            if parts.path.startswith("/broken"):
                self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
                return
            if parts.path.startswith("/bad-request"):
                self._send(400, (FIXTURES / "error-bad-id.xml").read_bytes())
                return
            unversioned = ",".join(getattr(parse_arxiv_id(i), "id", i) for i in ids.split(","))
            name = RESPONSES.get(unversioned, "not-found.xml")
            if parts.path.startswith("/redirect/"):
                status, location = stand_in.redirects[parts.path.split("/")[2]]
                if parts.query and "?" not in location:
                    location = f"{location}?{parts.query}"
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if parts.path.startswith("/trickle"):
                self._trickle((FIXTURES / name).read_bytes(), everything=parts.path.startswith("/trickle-all"))
                return
            self._send(200, (FIXTURES / name).read_bytes())

        def _trickle(self, body: bytes, everything: bool) -> None:
            head = (
                f"HTTP/1.0 200 OK\r\nContent-Type: application/atom+xml\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            if everything:
                body = head + body
            else:
                self.wfile.write(head)
            try:
                for start in range(0, len(body), stand_in.piece):
                    if stand_in.stopping.wait(stand_in.pause):
                        return
                    self.wfile.write(body[start : start + stand_in.piece])
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                stand_in.hangups += 1  # the client hung up: what the deadline and the cancel are for

        def _send(self, code: int, body: bytes, kind: str = "application/atom+xml; charset=utf-8") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler


@pytest.fixture
def arxiv_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivStandIn]:
    yield from _serve(monkeypatch)


def _serve(monkeypatch: pytest.MonkeyPatch, tls: ssl.SSLContext | None = None) -> Iterator[ArxivStandIn]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    if tls is not None:
        # The handshake happens in each request's thread: a client that never starts one
        # holds up only itself.
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    stand_in = ArxivStandIn(server)
    if tls is not None:
        stand_in.scheme = "https"
    server.RequestHandlerClass = _handler(stand_in)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", stand_in.url())
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")  # a proxy must not see the loopback
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    try:
        yield stand_in
    finally:
        stand_in.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def local_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made by the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed: it makes the https stand-in's certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = [
        *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
        *("-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        *("-keyout", str(key), "-out", str(cert)),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


@pytest.fixture
def arxiv_api_tls(monkeypatch: pytest.MonkeyPatch, local_certificate: tuple[Path, Path]) -> Iterator[ArxivStandIn]:
    """The stand-in over https; SSL_CERT_FILE makes the client trust its certificate (and only it)."""
    cert, key = local_certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    yield from _serve(monkeypatch, context)


def dead_url() -> str:
    """An address on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"


@pytest.fixture(autouse=True)
def no_real_arxiv(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the real arXiv, whether or not it asked for the stand-in."""
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", dead_url())
    monkeypatch.delenv("PAPERBROWSE_NETWORK_TIMEOUT", raising=False)  # the developer's own is not the tests'
