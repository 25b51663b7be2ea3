"""A stand-in for arXiv's PDF server: a local HTTP server on 127.0.0.1 with Range support.

    def test_x(pdf_server, monkeypatch):
        monkeypatch.setenv("PAPERBROWSE_ARXIV_PDF", pdf_server.base())
        pdf_server.files["2302.13971"] = make_pdf(["text"])

`/pdf/ID` serves `files[ID]` (206 for a `Range: bytes=N-`); `cut[ID] = n` makes the next answer
break off after n bytes (the Content-Length promising the whole); `/status/CODE/ID` answers
that error; `/html/ID` answers a web page; `/huge/ID` promises more than any limit;
`/endless/ID` streams without a length. `requests` holds (path, Range header) of each request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class PdfStandIn:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.files: dict[str, bytes] = {}
        self.cut: dict[str, int] = {}
        self.requests: list[tuple[str, str]] = []
        self.pause = 0.0  # seconds between two pieces of a body (to watch a progress bar)
        # Set: a body stops halfway until the test sets it (a progress bar watched on a busy
        # machine, where no pause is long enough for sure).
        self.hold: threading.Event | None = None

    def base(self, kind: str = "pdf") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/{kind}"


def _handler(stand_in: PdfStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            asked = self.headers.get("Range", "")
            stand_in.requests.append((self.path, asked))
            _, kind, *rest = self.path.split("/", 3)
            if kind == "status":
                self._send(int(rest[0]), b"<html>error</html>", "text/html")
            elif kind == "html":
                self._send(200, b"<html><body>not a pdf</body></html>" * 10, "text/html")
            elif kind == "huge":
                self.send_response(200)
                self.send_header("Content-Length", str(10**12))
                self.end_headers()
                self.wfile.write(b"%PDF-1.4\n")
            elif kind == "endless":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.wfile.write(b"%PDF-1.4\n")
                    for _ in range(10_000):
                        self.wfile.write(b"x" * 65536)
                except OSError:
                    pass
            else:
                self._pdf("/".join(rest), asked)

        def _pdf(self, paper: str, asked: str) -> None:
            data = stand_in.files.get(paper)
            if data is None:
                self._send(404, b"not found", "text/plain")
                return
            start = int(asked.removeprefix("bytes=").rstrip("-")) if asked.startswith("bytes=") else 0
            if start >= len(data) and asked:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = data[start:]
            self.send_response(206 if asked else 200)
            if asked:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            cut = stand_in.cut.pop(paper, None)
            if cut is not None:
                body = body[:cut]
            try:
                for offset in range(0, len(body), 4096):
                    self.wfile.write(body[offset : offset + 4096])
                    self.wfile.flush()
                    if stand_in.hold is not None and offset < len(body) // 2 <= offset + 4096:
                        stand_in.hold.wait(30)
                    if stand_in.pause:
                        threading.Event().wait(stand_in.pause)
            except OSError:
                return
            if cut is not None:
                self.close_connection = True

        def _send(self, code: int, body: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def pdf_server() -> Iterator[PdfStandIn]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: None)  # type: ignore[arg-type,return-value]
    stand_in = PdfStandIn(server)
    server.RequestHandlerClass = _handler(stand_in)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_real_arxiv_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the real arXiv's PDFs: the default base is a closed port."""
    from arxiv_server import dead_url

    monkeypatch.setenv("PAPERBROWSE_ARXIV_PDF", dead_url().removesuffix("/api/query") + "/pdf")


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test opens a real viewer or browser: without a display, xdg-open is never run."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
