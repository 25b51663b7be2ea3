"""Asking a Crossref-compatible API about a DOI: `GET {base}/works/{doi}`, one request per DOI.

The base URL comes from `PAPERBROWSE_CROSSREF_API` (tests point it at a local server), else
Crossref's public API. Each request has one deadline for all of it (`network.TIMEOUT`, or
`PAPERBROWSE_NETWORK_TIMEOUT` seconds) and stops early when the caller's cancel token is set,
exactly as the arXiv path does. Crossref asks clients to say who they are (the User-Agent).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from paperbrowse import __version__
from paperbrowse.core.sources import web_api
from paperbrowse.core.sources.crossref import CrossrefFormatError, Work, parse_answer

DEFAULT_API = "https://api.crossref.org"
VARIABLE = "PAPERBROWSE_CROSSREF_API"
MAX_BYTES = 4 * 1024 * 1024  # a work with a thousand references is ~500 kB
USER_AGENT = f"paperbrowse/{__version__} (a terminal browser for research papers)"
SERVICE = "Crossref API"


class CrossrefError(web_api.ApiError):
    """The API could not be asked, or its answer could not be read."""


class CrossrefCancelled(CrossrefError, web_api.ApiCancelled):
    """The caller's cancel token was set before the API had answered."""


def api_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return (env.get(VARIABLE, "").strip() or DEFAULT_API).rstrip("/")


def work_url(base: str, doi: str) -> str:
    """`{base}/works/{doi}`: the DOI's `/` kept (Crossref reads the rest of the path as the DOI),
    everything a path cannot hold percent-encoded (`<`, `#`, `?`, `;`, spaces, non-ASCII)."""
    return f"{base.rstrip('/')}/works/{quote(doi, safe='/()._-:')}"


def fetch_work(
    doi: str, *, base: str | None = None, timeout: float | None = None, cancel: threading.Event | None = None
) -> Work | None:
    """The work the API knows by `doi`, or None when it has none (HTTP 404).

    Raises CrossrefError when the API cannot be asked or its answer read, CrossrefCancelled as
    soon as `cancel` is set.
    """
    base = base or api_url()
    url = work_url(base, doi)
    try:
        timeout = web_api.deadline_seconds() if timeout is None else timeout
        data = web_api.ask(
            url,
            service=SERVICE,
            variable=VARIABLE,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limit=MAX_BYTES,
            hosts=(urlsplit(base).hostname or "", "crossref.org"),
            timeout=timeout,
            cancel=cancel,
        )
    except web_api.ApiCancelled as err:
        raise CrossrefCancelled(str(err)) from None
    except web_api.ApiStatus as err:
        if err.code == 404:
            return None
        raise CrossrefError(str(err)) from None
    except web_api.ApiError as err:
        raise CrossrefError(str(err)) from None
    try:
        return parse_answer(data)
    except CrossrefFormatError as err:
        where = web_api.shown_address(base)
        raise CrossrefError(f"the {SERVICE} at {where} sent an answer paperbrowse cannot read: {err}") from None
