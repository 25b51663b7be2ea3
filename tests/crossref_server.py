"""A stand-in for the Crossref API: a local HTTP server on 127.0.0.1 serving recorded answers.

    def test_x(crossref_api):
        ...  # paperbrowse add 10.1371/journal.pone.0033693 now asks the local server
        assert crossref_api.dois == ["10.1371/journal.pone.0033693"]

`GET /works/{doi}` answers the file of tests/fixtures/crossref/ named after the DOI (`/` as
`_`, any case), else HTTP 404 with Crossref's own body. `crossref_api.url("/broken")` is a
base whose every answer is HTTP 500, `url("/malformed")` one that answers JSON cut short,
`url("/list")` one that answers a work list instead of a work, `url("/huge")` one that sends
5 MB, `url("/elsewhere")` one that redirects to localhost (another host name for the same
server), `url("/home")` one that redirects back to its own `/works/…`. No test reaches the real
Crossref: the autouse `no_real_crossref` points PAPERBROWSE_CROSSREF_API where nothing listens.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from arxiv_server import dead_url

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crossref"


def fixture_for(doi: str) -> Path | None:
    wanted = doi.replace("/", "_").casefold() + ".json"
    return next((path for path in FIXTURES.glob("*.json") if path.name.casefold() == wanted), None)


class CrossrefStandIn:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.paths: list[str] = []  # every request's path, as sent (still percent-encoded)
        self.dois: list[str] = []  # the DOIs asked, decoded
        self.user_agents: list[str] = []

    def url(self, prefix: str = "") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{prefix}"


def _handler(stand_in: CrossrefStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            stand_in.paths.append(self.path)
            stand_in.user_agents.append(self.headers.get("User-Agent", ""))
            prefix, _, doi = path.partition("/works/")
            doi = unquote(doi)
            stand_in.dois.append(doi)
            if prefix == "/broken":
                self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
                return
            if prefix in ("/elsewhere", "/home"):
                host = "localhost" if prefix == "/elsewhere" else "127.0.0.1"
                self.send_response(302)
                self.send_header("Location", f"http://{host}:{self.server.server_address[1]}{path[len(prefix) :]}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if prefix == "/huge":
                self._send(200, b"[" + b" " * (5 * 2**20) + b"]")
                return
            found = fixture_for(doi)
            if found is None:
                self._send(404, (FIXTURES / "not-found.txt").read_bytes(), "text/plain")
                return
            body = found.read_bytes()
            if prefix == "/malformed":
                body = body[: len(body) // 2]
            elif prefix == "/list":
                body = b'{"status":"ok","message-type":"work-list","message":{"items":[]}}'
            self._send(200, body)

        def _send(self, code: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler


@pytest.fixture
def crossref_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[CrossrefStandIn]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    stand_in = CrossrefStandIn(server)
    server.RequestHandlerClass = _handler(stand_in)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PAPERBROWSE_CROSSREF_API", stand_in.url())
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(autouse=True)
def no_real_crossref(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the real Crossref, whether or not it asked for the stand-in."""
    monkeypatch.setenv("PAPERBROWSE_CROSSREF_API", dead_url().removesuffix("/api/query"))
