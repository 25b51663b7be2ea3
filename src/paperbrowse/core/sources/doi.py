"""Reading a DOI out of what a user pastes: `10.1145/3292500.3330701`, `doi:10…`, a doi.org link.

A DOI is `10.`, a registrant code of digits and dots, `/`, and a suffix that may hold almost
anything printable (`10.1002/(SICI)1097-4547(19960215)43:4<439::AID-JNR5>3.0.CO;2-G` is real).
DOIs are case-insensitive; they are kept as written and compared folded.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from paperbrowse.core.sources.arxiv_id import parse_arxiv_id

MAX_LENGTH = 300  # the longest DOIs registered are near 200 characters
_DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/[^\s\x00-\x1f\x7f]+")
_HOSTS = ("doi.org", "dx.doi.org", "www.doi.org")
_ARXIV_PREFIX = "10.48550/arxiv."  # arXiv's own DOIs (DataCite, not Crossref): asked of arXiv


def parse_doi(text: str) -> str | None:
    """The DOI in `text` (a DOI, `doi:` DOI or doi.org link), or None when it holds none."""
    text = text.strip()
    if text.lower().startswith("doi:"):
        text = text[4:].strip()
    elif "doi.org/" in text.lower():
        text = _from_link(text) or ""
    if len(text) > MAX_LENGTH or not _DOI.fullmatch(text):
        return None
    return text


def _from_link(text: str) -> str | None:
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or (parts.hostname or "") not in _HOSTS:
        return None
    # The path is percent-encoded (`%3C` for `<`); a `?` or `#` in a link ends the DOI there.
    return unquote(parts.path.lstrip("/"))


def arxiv_of(doi: str) -> str | None:
    """The arXiv id of one of arXiv's own DOIs (`10.48550/arXiv.2302.13971`), else None."""
    if not doi.lower().startswith(_ARXIV_PREFIX):
        return None
    parsed = parse_arxiv_id(doi[len(_ARXIV_PREFIX) :])
    return parsed.id if parsed else None


def doi_key(doi: str) -> str:
    """What two spellings of one DOI share: DOIs are case-insensitive."""
    return doi.strip().casefold()


def doi_link(doi: str) -> str:
    """The doi.org address of a DOI, percent-encoded so that it is a valid link whatever it holds."""
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def doi_in_link(url: str) -> str | None:
    """The DOI of a doi.org link (a record's url), else None."""
    return parse_doi(url) if "doi.org/" in url.lower() else None
