"""Asking a web API (arXiv's, Crossref's) for one answer, with every failure in plain words.

`network.get` does the exchange under one deadline; this turns what can go wrong into one
sentence that names the service and its address ("the Crossref API at http://… answered
HTTP 503 Service Unavailable"), so the arXiv and the Crossref paths say the same things.
"""

from __future__ import annotations

import http.client
import threading
import urllib.error
from collections.abc import Callable, Collection, Mapping

from paperbrowse.core.sources import network


class ApiError(Exception):
    """The API could not be asked, or did not answer usefully."""


class ApiCancelled(ApiError):
    """The caller's cancel token was set before the API had answered."""


class ApiStatus(ApiError):
    """The API answered with an error status; `code` says which (404: it has no such thing)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def deadline_seconds() -> float:
    """`PAPERBROWSE_NETWORK_TIMEOUT`, else network.TIMEOUT; ApiError when the variable is bad."""
    try:
        return network.timeout_seconds()
    except network.NetworkError as err:
        raise ApiError(str(err)) from None


def ask(
    url: str,
    *,
    service: str,
    variable: str,
    headers: Mapping[str, str],
    limit: int,
    hosts: Collection[str],
    timeout: float,
    cancel: threading.Event | None = None,
    detail: Callable[[bytes], str] = lambda body: "",
) -> bytes:
    """The body of the answer to GET `url`. `service` names the API in messages ("the arXiv
    API"), `variable` the environment variable that sets its address; `detail` reads the
    API's own explanation out of an error page (" (incorrect id format …)")."""
    where = shown_address(url)
    if not url.lower().startswith(("http://", "https://")):
        raise ApiError(f"the {service} address must be http(s), not {where} (see {variable})")
    try:
        data = network.get(url, deadline=network.Deadline(timeout, cancel), headers=headers, limit=limit, hosts=hosts)
    except network.HttpStatus as err:
        message = f"the {service} at {where} answered HTTP {err.code} {err.reason}{detail(err.body)}"
        raise ApiStatus(message, err.code) from None
    except network.Cancelled:
        raise ApiCancelled(f"stopped asking the {service} at {where} before it answered") from None
    except network.DeadlinePassed as err:
        raise ApiError(_too_slow(service, where, err)) from None
    except network.NetworkError as err:  # a redirect refused
        raise ApiError(f"the {service} at {where} {err}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror
        raise ApiError(f"cannot reach the {service} at {where}: {reason}") from None
    except http.client.IncompleteRead as err:
        raise ApiError(f"the {service}'s answer from {where} broke off after {len(err.partial):,} bytes") from None
    except http.client.HTTPException as err:  # not an HTTP server at all: a wrong port, say
        raise ApiError(f"the {service} at {where} did not answer in HTTP ({type(err).__name__})") from None
    except OSError as err:
        raise ApiError(f"cannot read the {service}'s answer from {where}: {err.strerror or err}") from None
    if len(data) > limit:
        raise ApiError(f"the {service} at {where} sent more than {limit // 2**20} MB; not an answer to this query")
    return data


def _too_slow(service: str, where: str, err: network.DeadlinePassed) -> str:
    seconds = f"{err.seconds:g} s"
    longer = f"{network.TIMEOUT_VARIABLE}=SECONDS waits longer"
    if err.received:
        return (
            f"the {service} at {where} did not finish answering within {seconds}"
            f" ({err.received:,} bytes came; {longer})"
        )
    return f"the {service} at {where} did not answer within {seconds} ({longer})"


def shown_address(url: str) -> str:
    """The address without the query: enough to tell a typo in the variable, never a long query."""
    return url.split("?", 1)[0]
