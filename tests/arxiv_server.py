"""A stand-in for the arXiv API: a local HTTP server on 127.0.0.1 serving recorded responses.

    from arxiv_server import arxiv_api, no_real_arxiv  # fixtures; the second is autouse

    def test_x(arxiv_api):
        ...  # paperbrowse add 2302.13971 now asks the local server
        assert arxiv_api.requests == ["2302.13971"]

`arxiv_api.url("/broken")` is an address that answers HTTP 500; `dead_url()` one where nothing
listens (connection refused). No test ever reaches the real arXiv.
"""

from __future__ import annotations

import socket
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

    def url(self, path: str = "") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}/api/query"


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
            self._send(200, (FIXTURES / name).read_bytes())

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
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    stand_in = ArxivStandIn(server)
    server.RequestHandlerClass = _handler(stand_in)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", stand_in.url())
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")  # a proxy must not see the loopback
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


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
