"""Asking the arXiv API about papers by id: one request per batch of ids, errors in plain words.

The API's address comes from `PAPERBROWSE_ARXIV_API` (tests point it at a local server),
else arXiv's export API. arXiv asks clients to identify themselves and to wait three seconds
between requests; ids are sent together, up to `BATCH` a request, so a typical `add` makes one.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

from paperbrowse import __version__
from paperbrowse.core.sources.arxiv_feed import FeedError, FeedErrorEntry, parse_feed
from paperbrowse.core.sources.new_paper import NewPaper

DEFAULT_API = "http://export.arxiv.org/api/query"
BATCH = 50
MAX_BYTES = 16 * 1024 * 1024  # a feed of 50 entries is ~200 kB; anything near this is not one
TIMEOUT = 30.0
PAUSE = 3.0  # seconds between requests, as arXiv's terms of use ask
USER_AGENT = f"paperbrowse/{__version__} (a terminal browser for research papers)"


class ArxivError(Exception):
    """The API could not be asked, or its answer could not be read."""


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
    timeout: float = TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[str, NewPaper], list[str]]:
    """The papers found for `ids` (bare arXiv ids), by id; and the API's own error messages.

    An id missing from the result is not on arXiv. Raises ArxivError when a request fails.
    """
    base = base or api_url()
    found: dict[str, NewPaper] = {}
    messages: list[str] = []
    for start in range(0, len(ids), BATCH):
        if start:
            sleep(PAUSE)
        papers, errors = parse_response(_get(query_url(base, ids[start : start + BATCH]), timeout))
        found.update((paper.arxiv, paper) for paper in papers)
        messages += [error.message for error in errors]
    return found, messages


def parse_response(data: bytes) -> tuple[list[NewPaper], list[FeedErrorEntry]]:
    try:
        return parse_feed(data)
    except FeedError as err:
        raise ArxivError(f"the arXiv API sent an answer paperbrowse cannot read: {err}") from None


def _get(url: str, timeout: float) -> bytes:
    if not url.lower().startswith(("http://", "https://")):
        raise ArxivError(f"the arXiv API address must be http(s), not {_host(url)} (see PAPERBROWSE_ARXIV_API)")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/atom+xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as err:
        # arXiv answers 400 with an Atom error entry for a malformed id: say what it says.
        detail = _error_detail(err)
        raise ArxivError(f"the arXiv API at {_host(url)} answered HTTP {err.code} {err.reason}{detail}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror
        raise ArxivError(f"cannot reach the arXiv API at {_host(url)}: {reason}") from None
    except TimeoutError:
        raise ArxivError(f"the arXiv API at {_host(url)} did not answer within {timeout:.0f} s") from None
    except OSError as err:
        raise ArxivError(f"cannot read the arXiv API's answer from {_host(url)}: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:
        size = MAX_BYTES // 2**20
        raise ArxivError(f"the arXiv API at {_host(url)} sent more than {size} MB; not an answer to this query")
    return data


def _error_detail(err: urllib.error.HTTPError) -> str:
    try:
        _, errors = parse_feed(err.read(MAX_BYTES))
    except (FeedError, OSError):
        return ""
    return f" ({errors[0].message})" if errors else ""


def _host(url: str) -> str:
    """The address without the query: enough to tell a typo in PAPERBROWSE_ARXIV_API."""
    return url.split("?", 1)[0]
