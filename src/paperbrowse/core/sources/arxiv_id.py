"""Reading an arXiv identifier out of what a user pastes: an id, `arXiv:` id, or an arXiv URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# New style since April 2007 (`0704.0001`, five digits after the dot from 2015 on) and old
# style (`hep-th/9901001`, `math.GT/0309136`), each with an optional version.
_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}"
_ID = re.compile(rf"^(?P<id>{_NEW}|{_OLD})(?:v(?P<version>\d+))?$")
_HOSTS = ("arxiv.org", "www.arxiv.org", "export.arxiv.org")
# /abs/ID, /pdf/ID(.pdf), /html/ID, /format/ID: the id is the rest of the path.
_PATH = re.compile(r"^/(?:abs|pdf|html|format)/(?P<rest>.+?)(?:\.pdf)?/?$")


@dataclass(frozen=True, slots=True)
class ArxivId:
    id: str  # without the version: `2302.13971`, `hep-th/9901001`
    version: int | None = None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId | None:
    """The arXiv id in `text`, or None when it holds none we recognise."""
    text = text.strip()
    if text.lower().startswith("arxiv:"):
        text = text[6:].strip()
    match = _ID.match(text)
    if match is None:
        match = _from_url(text)
    if match is None:
        return None
    version = match.group("version")
    return ArxivId(match.group("id"), int(version) if version else None)


def _from_url(text: str) -> re.Match[str] | None:
    if "://" not in text and text.lower().startswith(_HOSTS):
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or (parts.hostname or "") not in _HOSTS:
        return None
    path = _PATH.match(parts.path)
    return _ID.match(path.group("rest")) if path else None


def bare(arxiv: str) -> str:
    """An id as records hold it, without version or `arXiv:`; unchanged when it is not one."""
    parsed = parse_arxiv_id(arxiv)
    return parsed.id if parsed else arxiv.strip()
