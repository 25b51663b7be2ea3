"""Downloading one PDF: resumable, size-capped, checked, and never seen half-written.

The body grows `NAME.pdf.part`; a download that breaks off (offline, a deadline, a cancel)
leaves the part, and the next one asks for the rest with an HTTP Range. Only a complete body
that starts with `%PDF-` becomes `NAME.pdf` (fsync, then rename). What is not a PDF or is
larger than `MAX_BYTES` is deleted, never kept.
"""

from __future__ import annotations

import http.client
import os
import re
import threading
import urllib.error
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from paperbrowse import __version__
from paperbrowse.core.files.pdf_files import MAGIC, PART, finish, is_pdf
from paperbrowse.core.sources import network

MAX_BYTES = 200 * 1024 * 1024  # arXiv's largest PDFs are tens of MB; anything past this is not one
TIMEOUT = 300.0  # seconds for one exchange (the whole file, or the rest of it), unless the env says
CHUNK = 64 * 1024
USER_AGENT = f"paperbrowse/{__version__} (a terminal browser for research papers)"
_RANGE = re.compile(r"^bytes\s+(\d+)-\d+/(\d+|\*)$")

Progress = Callable[[int, int | None], None]  # (bytes on disk, the whole size when known)


class DownloadError(Exception):
    """The PDF could not be downloaded; `str()` says why, naming the host."""


class DownloadCancelled(DownloadError):
    pass


def timeout_seconds(env: Mapping[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    return network.timeout_seconds(env) if env.get(network.TIMEOUT_VARIABLE, "").strip() else TIMEOUT


def download(
    url: str,
    target: Path,
    *,
    hosts: Collection[str],
    limit: int = MAX_BYTES,
    timeout: float = TIMEOUT,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
) -> Path:
    """Download `url` into `target` (resuming its `.part`); `target`, or DownloadError."""
    where = urlsplit(url).hostname or url[:100]
    part = target.with_name(target.name + PART)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        try:
            _exchange(url, part, hosts, limit, timeout, cancel, progress)
        except network.HttpStatus as err:
            if err.code != 416 or not part.exists():
                raise
            part.unlink()  # "range not satisfiable": the part is not a start of this file; anew
            _exchange(url, part, hosts, limit, timeout, cancel, progress)
    except network.HttpStatus as err:
        raise DownloadError(f"{where} answered HTTP {err.code} {err.reason} for {url}") from None
    except network.Cancelled:
        raise DownloadCancelled(f"stopped downloading from {where}; what came is kept to resume") from None
    except network.DeadlinePassed as err:
        raise DownloadError(
            f"{where} did not send the whole PDF within {err.seconds:g} s; try again to resume"
        ) from None
    except network.NetworkError as err:
        raise DownloadError(f"{where}: {err}") from None
    except urllib.error.URLError as err:
        reason = err.reason.strerror if isinstance(err.reason, OSError) and err.reason.strerror else err.reason
        raise DownloadError(f"cannot reach {where}: {reason} (are you offline?)") from None
    except http.client.HTTPException as err:
        raise DownloadError(f"{where} did not answer in HTTP ({type(err).__name__})") from None
    except OSError as err:
        raise DownloadError(f"the download from {where} failed: {err.strerror or err}") from None
    finish(part, target)
    return target


def _exchange(
    url: str,
    part: Path,
    hosts: Collection[str],
    limit: int,
    timeout: float,
    cancel: threading.Event | None,
    progress: Progress | None,
) -> None:
    have = part.stat().st_size if part.exists() else 0
    if have and not is_pdf(part):
        part.unlink()
        have = 0
    headers = {"User-Agent": USER_AGENT, "Accept": "application/pdf"}
    if have:
        headers["Range"] = f"bytes={have}-"
    deadline = network.Deadline(timeout, cancel)
    with network.stream(url, deadline=deadline, headers=headers, hosts=hosts) as response:
        if response.status == 206:
            match = _RANGE.match(response.headers.get("Content-Range", "").strip())
            if match is None or int(match.group(1)) != have:
                part.unlink(missing_ok=True)  # not the rest of what we have: the next try starts over
                raise DownloadError(f"{urlsplit(url).hostname} sent another part of the file than asked; try again")
        else:
            have = 0  # a 200 is the whole file: the server does not resume
        length = response.headers.get("Content-Length", "")
        total = have + int(length) if length.isdigit() else None
        if total is not None and total > limit:
            part.unlink(missing_ok=True)
            raise DownloadError(_too_large(url, limit, total))
        with part.open("ab" if have else "wb") as file:
            head = MAGIC if have else b""  # a kept part was checked already
            while chunk := response.read(CHUNK):
                if len(head) < len(MAGIC):
                    head += chunk[: len(MAGIC) - len(head)]
                    if not MAGIC.startswith(head):
                        file.close()
                        part.unlink(missing_ok=True)
                        raise DownloadError(f"{url} did not send a PDF (it does not start with %PDF-)")
                have += len(chunk)
                if have > limit:
                    file.close()
                    part.unlink(missing_ok=True)
                    raise DownloadError(_too_large(url, limit, None))
                file.write(chunk)
                if progress is not None:
                    progress(have, total)
    if total is not None and have < total:
        raise DownloadError(
            f"the download from {urlsplit(url).hostname} broke off at {have:,} of {total:,} bytes; try again to resume"
        )
    if not is_pdf(part):
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url} did not send a PDF (it does not start with %PDF-)")


def _too_large(url: str, limit: int, total: int | None) -> str:
    size = f" ({total / 2**20:,.0f} MB)" if total else ""
    return f"{url} is larger than paperbrowse's limit of {limit // 2**20} MB{size}; not downloaded"
