"""One HTTP GET with one deadline for the whole exchange, which another thread can cancel.

urllib's `timeout` bounds each socket operation, not the exchange: a server that sends a byte
a second never trips it, and a thread blocked in a read cannot be told to stop. Here every
wait (looking the name up, connecting, the TLS handshake, each write and each read of the
headers and the body) lasts at most until the deadline, and at most `STEP` seconds at a time,
so that a cancel token set by another thread is seen within a step. Redirects are followed
only to http(s) addresses on the hosts the caller names, a few times at most (urllib's own
handler follows ftp:// too, logging in as `anonymous`).

urllib still does the rest (proxies from the environment, the request, the status): its
handlers are given connections whose socket keeps to the deadline.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import io
import math
import os
import selectors
import socket
import ssl
import string
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import IO, TYPE_CHECKING, cast
from urllib.parse import quote, urljoin, urlsplit

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

TIMEOUT = 30.0  # seconds for a whole exchange, as the README promises
TIMEOUT_VARIABLE = "PAPERBROWSE_NETWORK_TIMEOUT"
STEP = 0.1  # the longest one wait lasts: how late a cancel can be seen
MAX_REDIRECTS = 3  # arXiv's own is one (http to https); more is a misconfigured or hostile server
ERROR_BODY = 64 * 1024  # what is read of an error page: enough for its message
SCHEMES = ("http", "https")

_AddressInfo = tuple[
    socket.AddressFamily, socket.SocketKind, int, str, tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]
]

# What a non-blocking connect answers while the connection is being made, on Unix and Windows.
_CONNECTING = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, getattr(errno, "WSAEWOULDBLOCK", errno.EWOULDBLOCK)}


class NetworkError(Exception):
    """The exchange did not end with an answer; `str()` says why, without the address (the caller names it)."""


class DeadlinePassed(NetworkError):
    def __init__(self, seconds: float, received: int) -> None:
        super().__init__(f"no complete answer within {seconds:g} s ({received:,} bytes came)")
        self.seconds = seconds
        self.received = received  # 0: the server never answered; more: it answered too slowly


class Cancelled(NetworkError):
    def __init__(self) -> None:
        super().__init__("cancelled")


class RedirectRefused(NetworkError):
    """A redirect that is not followed: `str()` is "redirected to …; …", what and why."""


class HttpStatus(NetworkError):
    """The server answered with an error status (or a redirect that was not followed)."""

    def __init__(self, code: int, reason: str, body: bytes) -> None:
        super().__init__(f"HTTP {code} {reason}")
        self.code = code
        self.reason = reason
        self.body = body  # the start of the error page, at most ERROR_BODY bytes


def timeout_seconds(env: Mapping[str, str] | None = None) -> float:
    """The deadline of one exchange: `PAPERBROWSE_NETWORK_TIMEOUT` seconds, else TIMEOUT."""
    env = os.environ if env is None else env
    text = env.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise NetworkError(f"{TIMEOUT_VARIABLE} must be a number of seconds above 0, not {text[:40]!r}")
    return seconds


class Deadline:
    """When an exchange must be over, and the token that ends it sooner."""

    def __init__(
        self, seconds: float, cancel: threading.Event | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.cancel = cancel
        self.clock = clock
        self.ends = clock() + seconds
        self.received = 0  # bytes read so far, for the message: a silent server or a slow one

    def step(self) -> float:
        """How long the next wait may last; Cancelled or DeadlinePassed when there is no time left."""
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled
        left = self.ends - self.clock()
        if left <= 0:
            raise DeadlinePassed(self.seconds, self.received)
        return min(left, STEP)

    def wait(self, done: threading.Event) -> None:
        while not done.wait(self.step()):
            pass


def get(url: str, *, deadline: Deadline, headers: Mapping[str, str], limit: int, hosts: Collection[str]) -> bytes:
    """The body of the answer to GET `url`, at most `limit` + 1 bytes (more than `limit`: too long).

    Redirects are followed to http(s) addresses on `hosts` or their subdomains, never from
    https to http. Raises a NetworkError, urllib.error.URLError when the server cannot be
    reached, OSError or http.client.HTTPException when the answer breaks off or is not HTTP.
    """
    with stream(url, deadline=deadline, headers=headers, hosts=hosts) as response:
        data: bytes = response.read(limit + 1)
        return data


@contextlib.contextmanager
def stream(
    url: str, *, deadline: Deadline, headers: Mapping[str, str], hosts: Collection[str]
) -> Iterator[http.client.HTTPResponse]:
    """The answer to GET `url`, its body still to be read (in pieces, each read under the
    deadline), for a download too large to hold in memory. Same redirects and errors as `get`."""
    if urlsplit(url).scheme.lower() not in SCHEMES:
        raise NetworkError("only http and https addresses are asked")
    opener = urllib.request.OpenerDirector()
    # Proxies for http(s) only: an ftp_proxy must not open a way to other schemes.
    proxies = {scheme: proxy for scheme, proxy in urllib.request.getproxies().items() if scheme in SCHEMES}
    for handler in (
        urllib.request.ProxyHandler(proxies),
        _Handler(deadline),
        _Redirects(url, hosts),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.UnknownHandler(),
    ):
        opener.add_handler(handler)
    try:
        response = opener.open(urllib.request.Request(url, headers=dict(headers)))
    except urllib.error.HTTPError as err:
        with err:
            body = err.read(ERROR_BODY)  # still under the deadline: the same socket
        raise HttpStatus(err.code, str(err.reason), body) from None
    with response:
        yield cast(http.client.HTTPResponse, response)


# ---------------------------------------------------------------------------------------------
# Sockets that keep to the deadline.
# ---------------------------------------------------------------------------------------------


def _addresses(host: str, port: int, deadline: Deadline) -> list[_AddressInfo]:
    # getaddrinfo cannot be interrupted: it runs in a daemon thread of its own, so that neither
    # the deadline nor a cancel waits for it, and an exit never does.
    found: list[_AddressInfo] = []
    failed: list[OSError] = []
    done = threading.Event()

    def resolve() -> None:
        try:
            found.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as err:
            failed.append(err)
        except Exception as err:  # a name the IDNA codec refuses, say
            failed.append(OSError(f"cannot look up {host[:100]!r}: {err}"))
        finally:
            done.set()

    threading.Thread(target=resolve, name="paperbrowse-resolve", daemon=True).start()
    deadline.wait(done)
    if failed:
        raise failed[0]
    return found


def _connect(host: str, port: int, deadline: Deadline) -> socket.socket:
    """A TCP connection to the first address of `host` that accepts one, like socket.create_connection."""
    last = OSError(f"no address for {host[:100]}")
    for family, kind, proto, _, address in _addresses(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            code = sock.connect_ex(address)
            with selectors.DefaultSelector() as selector:
                selector.register(sock, selectors.EVENT_WRITE)
                while code in _CONNECTING:
                    if selector.select(deadline.step()):
                        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
        except OSError as err:
            sock.close()
            last = err
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    raise last


def _handshake(sock: socket.socket, host: str, context: ssl.SSLContext, deadline: Deadline) -> ssl.SSLSocket:
    tls = context.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
    try:
        while True:
            tls.settimeout(deadline.step())
            try:
                tls.do_handshake()  # a handshake that timed out resumes where it was
            except TimeoutError:
                continue
            return tls
    except BaseException:
        tls.close()
        raise


class _TimedSocket:
    """The socket http.client is given: each write and read waits in steps, until the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self.sock = sock
        self._deadline = deadline
        self._readers = 0
        self._closed = False

    def sendall(self, data: ReadableBuffer) -> None:
        view = memoryview(data).cast("B")
        while view:
            self.sock.settimeout(self._deadline.step())
            try:
                sent = self.sock.send(view)
            except TimeoutError:
                continue
            view = view[sent:]

    def recv_into(self, buffer: WriteableBuffer) -> int:
        while True:
            self.sock.settimeout(self._deadline.step())
            try:
                count = self.sock.recv_into(buffer)
            except TimeoutError:
                continue  # a socket timeout leaves the socket usable; http.client's reader it would not
            self._deadline.received += count
            return count

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_Reader(self))

    def close(self) -> None:
        # http.client closes the connection while the response still reads from it; a real
        # socket waits for its makefile() readers to close, and so does this one.
        self._closed = True
        self._close_if_unused()

    def reader_closed(self) -> None:
        self._readers -= 1
        self._close_if_unused()

    def _close_if_unused(self) -> None:
        if self._closed and self._readers <= 0:
            self.sock.close()


class _Reader(io.RawIOBase):
    def __init__(self, sock: _TimedSocket) -> None:
        super().__init__()
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._sock.reader_closed()
        super().close()


class _Connection(http.client.HTTPConnection):
    """An HTTP connection (HTTPS when given a TLS context) whose socket keeps to the deadline."""

    def __init__(self, host: str, deadline: Deadline, tls: ssl.SSLContext | None = None) -> None:
        self._deadline = deadline
        self._tls = tls
        super().__init__(host)

    def connect(self) -> None:
        sock = _connect(self.host, self.port, self._deadline)
        # http.client only calls sendall, makefile and close on its socket.
        self.sock = cast(socket.socket, _TimedSocket(sock, self._deadline))
        tunnel: str | None = getattr(self, "_tunnel_host", None)  # https through a proxy: CONNECT first
        if tunnel:
            getattr(self, "_tunnel")()  # noqa: B009  # private to http.client, as is its attribute
        if self._tls is not None:
            self.sock = cast(
                socket.socket,
                _TimedSocket(_handshake(sock, tunnel or self.host, self._tls, self._deadline), self._deadline),
            )


class _TLSConnection(_Connection):
    default_port = http.client.HTTPS_PORT


class _Handler(urllib.request.AbstractHTTPHandler):
    """Opens http and https addresses through connections that keep to the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._plain, req)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._secure, req)

    def _plain(self, host: str, /, **_: object) -> http.client.HTTPConnection:
        return _Connection(host, self._deadline)

    def _secure(self, host: str, /, **_: object) -> http.client.HTTPConnection:
        context = ssl.create_default_context()  # the system's certificates, or SSL_CERT_FILE's
        context.set_alpn_protocols(["http/1.1"])
        return _TLSConnection(host, self._deadline, context)

    http_request = urllib.request.AbstractHTTPHandler.do_request_
    https_request = urllib.request.AbstractHTTPHandler.do_request_


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to http(s) on the allowed hosts, never from https down to http, a few times."""

    def __init__(self, first: str, hosts: Collection[str]) -> None:
        super().__init__()
        self._seen = [first]
        self._hosts = tuple(host.lower() for host in hosts if host)

    def http_error_302(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: http.client.HTTPMessage
    ) -> http.client.HTTPResponse | None:
        location = headers.get("location") or headers.get("uri")
        if not location:
            return None  # an error like any other: HTTPDefaultErrorHandler reports the status
        # As urllib does: the header was decoded as Latin-1; percent-encode what is not ASCII.
        target = quote(location.strip(), encoding="iso-8859-1", safe=string.punctuation)
        try:
            target = urljoin(req.full_url, target)
            why = self._refusal(req.full_url, target)
        except ValueError:  # urlsplit's word for an address it cannot take apart ("http://[::1")
            why = "that is not an address paperbrowse can read"
        fp.close()  # the body of a redirect is never read: nothing in it is needed
        if why:
            raise RedirectRefused(f"redirected to {_shown(target)}; {why}")
        self._seen.append(target)
        kept = {k: v for k, v in req.headers.items() if k.lower() not in ("content-length", "content-type")}
        new = urllib.request.Request(target, headers=kept, origin_req_host=req.origin_req_host, unverifiable=True)
        response: http.client.HTTPResponse = self.parent.open(new, timeout=req.timeout)
        return response

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def _refusal(self, source: str, target: str) -> str:
        """Why the redirect from `source` to `target` is not followed; empty when it is."""
        parts = urlsplit(target)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        if scheme not in SCHEMES:
            return "paperbrowse follows redirects only to http and https addresses"
        if scheme == "http" and urlsplit(source).scheme.lower() == "https":
            return "paperbrowse does not follow a redirect from https to plain http"
        if not any(host == allowed or host.endswith(f".{allowed}") for allowed in self._hosts):
            return f"paperbrowse follows redirects only within {' and '.join(self._hosts)}"
        if target in self._seen:
            return "it was asked already: the redirects go round in a loop"
        if len(self._seen) > MAX_REDIRECTS:
            return f"paperbrowse follows at most {MAX_REDIRECTS} redirects in a row"
        return ""


def _shown(url: str) -> str:
    return url if len(url) <= 200 else f"{url[:200]}…"
