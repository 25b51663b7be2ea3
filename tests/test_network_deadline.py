"""One deadline for each exchange with arXiv, cancellable from the browser; redirects only to http(s).

A server that trickles its answer (tests/arxiv_server.py: `/trickle`, `/trickle-all`) used to
keep `paperbrowse add` going for as long as it liked, since the timeout was per socket read; in
the browser, `a` then `q` left a process behind. The deadlines here are a second or two
(`timeout=`, or `PAPERBROWSE_NETWORK_TIMEOUT`), never the default 30 s.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import pytest

from arxiv_server import ArxivStandIn
from conftest import run
from paperbrowse.core.files.paths import shipped, user_papers_folder
from paperbrowse.core.records.catalog import load_catalog
from paperbrowse.core.sources import network
from paperbrowse.core.sources.arxiv_api import ArxivCancelled, ArxivError, fetch_papers
from paperbrowse.tui.add_worker import AddRequest, add_paper
from paperbrowse.tui.screens.add_dialog import AddDialog
from tui_support import make_app, settle
from tui_support import run as run_app

T = TypeVar("T")
MALDACENA = "hep-th/9711200"  # not in the shipped collection: adding it asks arXiv


def within(seconds: float, call: Callable[[], T]) -> T:
    """`call()`, failing the test when it is still running after `seconds` (it is left to finish
    in a daemon thread): a test of a deadline must not wait for the bug it looks for."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as err:
            box["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds} s", pytrace=False)
    error = box.get("error")
    if isinstance(error, BaseException):
        raise error
    return cast(T, box["value"])


def later(seconds: float, event: threading.Event) -> None:
    threading.Timer(seconds, event.set).start()


# ---------------------------------------------------------------------------------------------
# The deadline covers the whole exchange.
# ---------------------------------------------------------------------------------------------


def test_a_server_that_trickles_its_body_is_cut_off_at_the_deadline(arxiv_api: ArxivStandIn) -> None:
    arxiv_api.pause = 0.05  # twenty bytes a second: each read is quick, the whole never ends
    started = time.monotonic()
    with pytest.raises(ArxivError) as caught:
        within(4, lambda: fetch_papers([MALDACENA], base=arxiv_api.url("/trickle"), timeout=1))
    assert 1 <= time.monotonic() - started < 2.5
    message = str(caught.value)
    assert message.startswith(f"the arXiv API at {arxiv_api.url('/trickle')} did not finish answering within 1 s (")
    assert "bytes came; PAPERBROWSE_NETWORK_TIMEOUT=SECONDS waits longer)" in message


def test_trickled_headers_count_against_the_same_deadline(arxiv_api: ArxivStandIn) -> None:
    arxiv_api.pause = 0.05
    with pytest.raises(ArxivError, match=r"did not finish answering within 0\.8 s"):
        within(4, lambda: fetch_papers([MALDACENA], base=arxiv_api.url("/trickle-all"), timeout=0.8))


def test_a_server_slower_than_a_step_but_within_the_deadline_answers(arxiv_api: ArxivStandIn) -> None:
    """Waits longer than a step (0.1 s), mid-status-line and mid-body, are resumed, not failed."""
    arxiv_api.piece, arxiv_api.pause = 700, 0.3
    found, _ = within(10, lambda: fetch_papers([MALDACENA], base=arxiv_api.url("/trickle-all"), timeout=8))
    assert found[MALDACENA].title.startswith("The Large N Limit")


def test_looking_up_the_name_counts_against_the_deadline(arxiv_api: ArxivStandIn, monkeypatch) -> None:
    real = socket.getaddrinfo

    def slow_lookup(*args, **kwargs):
        time.sleep(3)  # a resolver that does not answer
        return real(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    with pytest.raises(ArxivError, match=r"did not answer within 0\.5 s \(PAPERBROWSE_NETWORK_TIMEOUT"):
        within(2, lambda: fetch_papers([MALDACENA], base=arxiv_api.url(), timeout=0.5))


def test_the_cli_gives_up_at_the_deadline_and_exits_1(capsys, arxiv_api: ArxivStandIn, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", arxiv_api.url("/trickle"))
    monkeypatch.setenv("PAPERBROWSE_NETWORK_TIMEOUT", "1")
    code, out, err = within(5, lambda: run(capsys, "add", MALDACENA))
    assert code == 1 and out == ""
    assert f"paperbrowse: {MALDACENA}: the arXiv API at {arxiv_api.url('/trickle')} did not finish answering" in err
    assert "within 1 s (" in err


def test_the_add_command_as_a_process_ends_at_the_deadline(arxiv_api: ArxivStandIn, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "paperbrowse"
    assert script.exists(), "install the project first: pip install -e '.[test]'"
    env = {
        **os.environ,
        "PAPERBROWSE_ARXIV_API": arxiv_api.url("/trickle"),
        "PAPERBROWSE_NETWORK_TIMEOUT": "1",
        "PAPERBROWSE_LIBRARY": str(tmp_path / "library.toml"),
    }
    started = time.monotonic()
    done = subprocess.run([str(script), "add", MALDACENA], env=env, capture_output=True, text=True, timeout=20)
    assert time.monotonic() - started < 5
    assert done.returncode == 1
    assert "did not finish answering within 1 s" in done.stderr


@pytest.mark.parametrize(("value", "seconds"), [("", 30.0), ("  ", 30.0), ("2", 2.0), ("0.25", 0.25), (" 90 ", 90.0)])
def test_the_timeout_variable(value: str, seconds: float) -> None:
    assert network.timeout_seconds({"PAPERBROWSE_NETWORK_TIMEOUT": value}) == seconds


@pytest.mark.parametrize("value", ["soon", "0", "-1", "inf", "nan", "1e999"])
def test_a_timeout_that_is_not_a_positive_number_is_refused(value: str) -> None:
    with pytest.raises(network.NetworkError, match="must be a number of seconds above 0"):
        network.timeout_seconds({"PAPERBROWSE_NETWORK_TIMEOUT": value})


def test_the_cli_names_a_bad_timeout_variable(capsys, arxiv_api: ArxivStandIn, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_NETWORK_TIMEOUT", "soon")
    code, _, err = run(capsys, "add", MALDACENA)
    assert code == 1
    assert f"{MALDACENA}: PAPERBROWSE_NETWORK_TIMEOUT must be a number of seconds above 0, not 'soon'" in err
    assert arxiv_api.requests == []


def test_a_server_that_does_not_speak_http_is_a_plain_error() -> None:
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(1024)
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")

    threading.Thread(target=answer, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/query"
        with pytest.raises(ArxivError, match=r"did not answer in HTTP \(BadStatusLine\)$"):
            within(3, lambda: fetch_papers([MALDACENA], base=url, timeout=2))
    finally:
        listener.close()


# ---------------------------------------------------------------------------------------------
# Cancelling: the token reaches the read loop.
# ---------------------------------------------------------------------------------------------


def test_a_cancel_ends_a_trickling_read_within_a_step(arxiv_api: ArxivStandIn) -> None:
    cancel = threading.Event()
    later(0.4, cancel)
    with pytest.raises(ArxivCancelled, match=r"stopped asking the arXiv API at .* before it answered"):
        within(3, lambda: fetch_papers([MALDACENA], base=arxiv_api.url("/trickle"), timeout=30, cancel=cancel))
    assert arxiv_api.requests == [MALDACENA]


def test_a_cancel_ends_the_wait_for_the_name_lookup(arxiv_api: ArxivStandIn, monkeypatch) -> None:
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (time.sleep(3), real(*a, **k))[1])
    cancel = threading.Event()
    later(0.2, cancel)
    started = time.monotonic()
    with pytest.raises(ArxivCancelled):
        within(2, lambda: fetch_papers([MALDACENA], base=arxiv_api.url(), timeout=30, cancel=cancel))
    assert time.monotonic() - started < 1


def test_a_cancelled_add_adds_nothing_and_says_so(arxiv_api: ArxivStandIn, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    catalog = load_catalog([str(shipped("data"))])
    result = add_paper(AddRequest("inbox", arxiv=MALDACENA), catalog, tmp_path / "library.toml", cancel)
    assert result.cancelled and not result.failed and result.catalog is None
    assert result.message == f"Stopped asking arXiv about {MALDACENA}: nothing was added."
    assert arxiv_api.requests == []
    assert not list(user_papers_folder(tmp_path / "library.toml").glob("maldacena*"))


# ---------------------------------------------------------------------------------------------
# Redirects: http(s) only, the hosts asked, a few.
# ---------------------------------------------------------------------------------------------


class FakeFtp:
    """A listener that greets like an FTP server and writes down what it is told."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(5)
        self.port = self.listener.getsockname()[1]
        self.heard: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(2)
            conn.sendall(b"220 ready\r\n")
            with contextlib.suppress(OSError):
                self.heard.append(conn.recv(1024))

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def ftp():
    server = FakeFtp()
    yield server
    server.close()


def test_a_redirect_to_ftp_is_refused_and_nothing_reaches_the_ftp_server(arxiv_api: ArxivStandIn, ftp) -> None:
    target = f"ftp://127.0.0.1:{ftp.port}/pub/feed.xml"
    base = arxiv_api.redirect(target, status=301)
    with pytest.raises(ArxivError) as caught:
        within(5, lambda: fetch_papers([MALDACENA], base=base, timeout=3))
    assert str(caught.value) == (
        f"the arXiv API at {base} redirected to {target}?id_list={MALDACENA}&max_results=1;"
        " paperbrowse follows redirects only to http and https addresses"
    )
    time.sleep(0.2)
    assert ftp.heard == []  # no `USER anonymous`


def test_the_cli_reports_a_refused_redirect_and_exits_1(capsys, arxiv_api: ArxivStandIn, monkeypatch, ftp) -> None:
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", arxiv_api.redirect(f"ftp://127.0.0.1:{ftp.port}/"))
    code, out, err = within(5, lambda: run(capsys, "add", MALDACENA))
    assert code == 1 and out == ""
    assert "paperbrowse follows redirects only to http and https addresses" in err


def test_a_redirect_loop_is_refused_at_once(arxiv_api: ArxivStandIn) -> None:
    base = arxiv_api.redirect_loop()
    with pytest.raises(ArxivError, match=r"it was asked already: the redirects go round in a loop$"):
        within(5, lambda: fetch_papers([MALDACENA], base=base, timeout=3))
    assert len(arxiv_api.requests) <= 2


def test_a_few_redirects_are_followed(arxiv_api: ArxivStandIn) -> None:
    found, _ = within(5, lambda: fetch_papers([MALDACENA], base=arxiv_api.redirect_chain(3), timeout=3))
    assert MALDACENA in found
    assert len(arxiv_api.requests) == 4


def test_more_redirects_than_a_few_are_refused(arxiv_api: ArxivStandIn) -> None:
    with pytest.raises(ArxivError, match=r"paperbrowse follows at most 3 redirects in a row$"):
        within(5, lambda: fetch_papers([MALDACENA], base=arxiv_api.redirect_chain(4), timeout=3))
    assert len(arxiv_api.requests) == 4  # the fourth redirect is not followed


def test_a_redirect_to_an_address_that_cannot_be_read_is_refused(arxiv_api: ArxivStandIn) -> None:
    with pytest.raises(ArxivError, match=r"redirected to http://\[::1.*; that is not an address paperbrowse can read$"):
        within(5, lambda: fetch_papers([MALDACENA], base=arxiv_api.redirect("http://[::1/api"), timeout=3))


def test_a_redirect_to_another_host_is_refused(arxiv_api: ArxivStandIn) -> None:
    elsewhere = arxiv_api.url().replace("127.0.0.1", "localhost")
    with pytest.raises(ArxivError, match=r"paperbrowse follows redirects only within 127\.0\.0\.1 and arxiv\.org$"):
        within(5, lambda: fetch_papers([MALDACENA], base=arxiv_api.redirect(elsewhere), timeout=3))
    assert len(arxiv_api.requests) == 1


# ---------------------------------------------------------------------------------------------
# https: the handshake and the reads keep to the deadline too.
# ---------------------------------------------------------------------------------------------


def test_https_answers_like_http(arxiv_api_tls: ArxivStandIn) -> None:
    found, _ = within(5, lambda: fetch_papers([MALDACENA], base=arxiv_api_tls.url(), timeout=3))
    assert MALDACENA in found


def test_a_trickle_over_https_is_cut_off_at_the_deadline(arxiv_api_tls: ArxivStandIn) -> None:
    arxiv_api_tls.pause = 0.05
    with pytest.raises(ArxivError, match=r"did not finish answering within 1 s"):
        within(4, lambda: fetch_papers([MALDACENA], base=arxiv_api_tls.url("/trickle"), timeout=1))


def test_a_server_that_never_starts_tls_is_given_up_at_the_deadline() -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, then says nothing
    try:
        url = f"https://127.0.0.1:{listener.getsockname()[1]}/api/query"
        with pytest.raises(ArxivError, match=r"did not answer within 0\.5 s"):
            within(3, lambda: fetch_papers([MALDACENA], base=url, timeout=0.5))
    finally:
        listener.close()


def test_the_redirect_from_http_to_https_on_the_same_host_is_followed(
    arxiv_api: ArxivStandIn, arxiv_api_tls: ArxivStandIn
) -> None:
    """What arXiv's export API does to a plain http request."""
    base = arxiv_api.redirect(arxiv_api_tls.url(), status=301)
    found, _ = within(5, lambda: fetch_papers([MALDACENA], base=base, timeout=3))
    assert MALDACENA in found
    assert arxiv_api_tls.requests == [MALDACENA]


def test_a_redirect_from_https_to_plain_http_is_refused(arxiv_api: ArxivStandIn, arxiv_api_tls: ArxivStandIn) -> None:
    base = arxiv_api_tls.redirect(arxiv_api.url())
    with pytest.raises(ArxivError, match=r"paperbrowse does not follow a redirect from https to plain http$"):
        within(5, lambda: fetch_papers([MALDACENA], base=base, timeout=3))
    assert arxiv_api.requests == []


# ---------------------------------------------------------------------------------------------
# The browser: escape stops an add, q quits at once, a failure is told once.
# ---------------------------------------------------------------------------------------------


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def until(pilot, condition: Callable[[], object], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        await pilot.pause(0.05)


async def ask_arxiv(pilot, stand_in: ArxivStandIn) -> None:
    """`a`, an arXiv id, enter; back when the stand-in has the request (and trickles)."""
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AddDialog)
    await pilot.press(*MALDACENA, "enter")
    await until(pilot, lambda: stand_in.requests)
    await pilot.pause(0.2)


@pytest.fixture
def trickling(arxiv_api: ArxivStandIn, monkeypatch) -> ArxivStandIn:
    """The stand-in trickling the feed over about 6 s: long enough to press a key while it
    does, short enough that a test of a browser without the cancel ends too (and fails)."""
    arxiv_api.piece, arxiv_api.pause = 100, 0.25
    monkeypatch.setenv("PAPERBROWSE_ARXIV_API", arxiv_api.url("/trickle"))
    return arxiv_api


def test_escape_stops_an_add_that_waits_for_arxiv(trickling: ArxivStandIn, tmp_path: Path) -> None:
    library = tmp_path / "library.toml"
    app = make_app(None, library)
    stopped = f"Stopped asking arXiv about {MALDACENA}: nothing was added."

    async def scenario(pilot) -> None:
        await ask_arxiv(pilot, trickling)
        pressed = time.monotonic()
        await pilot.press("escape")
        await until(pilot, lambda: stopped in messages(app), 2)
        assert time.monotonic() - pressed < 1.5
        await until(pilot, lambda: trickling.hangups == 1, 2)  # the connection is closed
        await pilot.pause(0.3)
        assert messages(app).count(stopped) == 1
        assert not any(m.startswith(("Not added", "Added")) for m in messages(app))
        assert any(n.title == "Add paper · escape stops" for n in app._notifications)  # how one learns it

    run_app(app, scenario)
    assert not list(user_papers_folder(library).glob("maldacena*"))


def test_escape_without_an_add_running_changes_nothing(tmp_path: Path) -> None:
    app = make_app(None, tmp_path / "library.toml")

    async def scenario(pilot) -> None:
        before = list(app._notifications)
        await pilot.press("escape")
        await settle(pilot)
        assert list(app._notifications) == before

    run_app(app, scenario)


def test_q_with_an_add_running_quits_at_once(trickling: ArxivStandIn, tmp_path: Path) -> None:
    app = make_app(None, tmp_path / "library.toml")
    pressed: list[float] = []

    async def scenario(pilot) -> None:
        await ask_arxiv(pilot, trickling)
        pressed.append(time.monotonic())
        await pilot.press("q")

    run_app(app, scenario)
    assert time.monotonic() - pressed[0] < 2


def test_the_browser_tells_a_deadline_once(trickling: ArxivStandIn, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERBROWSE_NETWORK_TIMEOUT", "1")
    app = make_app(None, tmp_path / "library.toml")

    def told() -> list[str]:
        return [m for m in messages(app) if m.startswith("Not added:")]

    async def scenario(pilot) -> None:
        await ask_arxiv(pilot, trickling)
        await until(pilot, told, 3)
        await pilot.pause(0.5)
        (message,) = told()
        assert message.startswith(f"Not added: the arXiv API at {trickling.url('/trickle')} did not finish answering")
        assert "within 1 s" in message
        error = next(n for n in app._notifications if n.message == message)
        assert error.severity == "error"

    run_app(app, scenario)


# ---------------------------------------------------------------------------------------------
# The real thing: `paperbrowse` in tmux, `a`, an id, enter, `q`, and the process is gone.
# ---------------------------------------------------------------------------------------------


def alive(pid: int) -> bool:
    """Whether the process runs; a zombie (dead, not yet reaped by its new parent) does not."""
    status = Path(f"/proc/{pid}/status")
    if Path("/proc/self/status").exists():
        try:
            return "\nState:\tZ" not in status.read_text()
        except FileNotFoundError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.e2e
@pytest.mark.skipif(os.environ.get("PAPERBROWSE_SKIP_E2E") == "1", reason="PAPERBROWSE_SKIP_E2E=1")
def test_q_while_adding_ends_the_process(trickling: ArxivStandIn, tmp_path: Path) -> None:
    from test_e2e_tmux import Terminal, installed_paperbrowse

    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: install it, or set PAPERBROWSE_SKIP_E2E=1 to skip this test")
    env = {
        "PAPERBROWSE_LIBRARY": str(tmp_path / "library.toml"),
        "PAPERBROWSE_ARXIV_API": trickling.url("/trickle"),
        "no_proxy": "127.0.0.1",
        "NO_PROXY": "127.0.0.1",
        "TERM": "xterm-256color",
        "HOME": str(tmp_path),
    }
    terminal = Terminal(f"paperbrowse-net-{os.getpid()}", [installed_paperbrowse()], env)
    try:
        terminal.wait_for("papers")
        pid = int(subprocess.run([*terminal.base, "display", "-p", "#{pane_pid}"], capture_output=True).stdout)
        terminal.keys("a")
        terminal.wait_for("Add a paper")
        terminal.keys(MALDACENA)
        terminal.keys("Enter")
        deadline = time.monotonic() + 10
        while not trickling.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert trickling.requests == [MALDACENA], terminal.screen()
        time.sleep(0.3)
        terminal.keys("q")
        pressed = time.monotonic()
        while terminal.running() and time.monotonic() - pressed < 10:
            time.sleep(0.05)
        assert not terminal.running(), f"q did not end the process\n{terminal.screen()}"
        assert time.monotonic() - pressed < 3
        assert not alive(pid)
    finally:
        terminal.close()
