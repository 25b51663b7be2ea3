"""Asking the arXiv API about papers by id: one request per batch of ids, errors in plain words.

The API's address comes from `PAPERBROWSE_ARXIV_API` (tests point it at a local server),
else arXiv's export API. arXiv asks clients to identify themselves and to wait three seconds
between requests; ids are sent together, up to `BATCH` a request, so a typical `add` makes one.
Each request has one deadline for all of it (`network.TIMEOUT`, or `PAPERBROWSE_NETWORK_TIMEOUT`
seconds) and stops early when the caller's cancel token is set.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode, urlsplit

from paperbrowse import __version__
from paperbrowse.core.sources import web_api
from paperbrowse.core.sources.arxiv_feed import FeedError, FeedErrorEntry, parse_feed
from paperbrowse.core.sources.new_paper import NewPaper

DEFAULT_API = "http://export.arxiv.org/api/query"
BATCH = 50
MAX_BYTES = 16 * 1024 * 1024  # a feed of 50 entries is ~200 kB; anything near this is not one
PAUSE = 3.0  # seconds between requests, as arXiv's terms of use ask
USER_AGENT = f"paperbrowse/{__version__} (a terminal browser for research papers)"


class ArxivError(web_api.ApiError):
    """The API could not be asked, or its answer could not be read."""


class ArxivCancelled(ArxivError, web_api.ApiCancelled):
    """The caller's cancel token was set before the API had answered."""


def api_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("PAPERBROWSE_ARXIV_API", "").strip() or DEFAULT_API


def query_url(base: str, ids: Sequence[str]) -> str:
    # max_results: the API returns 10 entries unless told otherwise, whatever id_list holds.
    query = urlencode({"id_list": ",".join(ids), "max_results": str(len(ids))}, safe=",/")
    return f"{base}{'&' if '?' in base else '?'}{query}"


def fetch_papers(
    ids: Sequence[str],
    *,
    base: str | None = None,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    cancel: threading.Event | None = None,
) -> tuple[dict[str, NewPaper], list[str]]:
    """The papers found for `ids` (bare arXiv ids), by id; and the API's own error messages.

    An id missing from the result is not on arXiv. Raises ArxivError when a request fails,
    ArxivCancelled as soon as `cancel` is set. `timeout`: seconds for each request, all of it
    (default: `PAPERBROWSE_NETWORK_TIMEOUT`, else 30).
    """
    base = base or api_url()
    if timeout is None:
        try:
            timeout = web_api.deadline_seconds()
        except web_api.ApiError as err:
            raise ArxivError(str(err)) from None
    found: dict[str, NewPaper] = {}
    messages: list[str] = []
    for start in range(0, len(ids), BATCH):
        if start:
            if cancel is None:
                sleep(PAUSE)
            elif cancel.wait(PAUSE):
                raise ArxivCancelled(f"stopped before asking the arXiv API at {web_api.shown_address(base)}")
        papers, errors = parse_response(_get(query_url(base, ids[start : start + BATCH]), timeout, cancel))
        found.update((paper.arxiv, paper) for paper in papers)
        messages += [error.message for error in errors]
    return found, messages


def parse_response(data: bytes) -> tuple[list[NewPaper], list[FeedErrorEntry]]:
    try:
        return parse_feed(data)
    except FeedError as err:
        raise ArxivError(f"the arXiv API sent an answer paperbrowse cannot read: {err}") from None


def _get(url: str, timeout: float, cancel: threading.Event | None = None) -> bytes:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml"}
    # Redirects stay with the host asked, or arXiv's own (http to https on export.arxiv.org).
    hosts = (urlsplit(url).hostname or "", "arxiv.org")
    try:
        return web_api.ask(
            url,
            service="arXiv API",
            variable="PAPERBROWSE_ARXIV_API",
            headers=headers,
            limit=MAX_BYTES,
            hosts=hosts,
            timeout=timeout,
            cancel=cancel,
            detail=_error_detail,  # arXiv answers 400 with an Atom error entry for a malformed id
        )
    except web_api.ApiCancelled as err:
        raise ArxivCancelled(str(err)) from None
    except web_api.ApiError as err:
        raise ArxivError(str(err)) from None


def _error_detail(body: bytes) -> str:
    try:
        _, errors = parse_feed(body)
    except FeedError:
        return ""
    return f" ({errors[0].message})" if errors else ""
