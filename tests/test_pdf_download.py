"""Downloading a PDF against a local server: whole, broken off and resumed, refused, offline."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from arxiv_server import dead_url
from paperbrowse.core.sources.pdf_download import DownloadCancelled, DownloadError, download
from pdf_maker import make_pdf

HOSTS = ("127.0.0.1",)


def test_a_whole_download_lands_complete_with_its_progress(pdf_server, tmp_path: Path) -> None:
    data = make_pdf(["attention is all you need"], padding=50_000)
    pdf_server.files["2302.13971"] = data
    seen: list[tuple[int, int | None]] = []
    target = tmp_path / "pdfs" / "x.pdf"
    download(f"{pdf_server.base()}/2302.13971", target, hosts=HOSTS, progress=lambda a, b: seen.append((a, b)))
    assert target.read_bytes() == data
    assert not target.with_name("x.pdf.part").exists()
    assert seen[-1] == (len(data), len(data))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_an_interrupted_download_keeps_a_part_and_resumes_with_a_range(pdf_server, tmp_path: Path) -> None:
    data = make_pdf(["resumable"], padding=100_000)
    pdf_server.files["p"] = data
    pdf_server.cut["p"] = 30_000
    target = tmp_path / "x.pdf"
    with pytest.raises(DownloadError, match=r"broke off at 30,000 of [\d,]+ bytes; try again to resume"):
        download(f"{pdf_server.base()}/p", target, hosts=HOSTS)
    assert not target.exists()  # never looks complete
    part = tmp_path / "x.pdf.part"
    assert part.read_bytes() == data[:30_000]
    download(f"{pdf_server.base()}/p", target, hosts=HOSTS)
    assert target.read_bytes() == data
    assert not part.exists()
    assert pdf_server.requests[-1] == ("/pdf/p", "bytes=30000-")


def test_a_server_that_ignores_the_range_starts_over(pdf_server, tmp_path: Path) -> None:
    data = make_pdf(["whole again"])
    pdf_server.files["p"] = data
    (tmp_path / "x.pdf.part").write_bytes(data[:100])
    download(f"{pdf_server.base()}/p", tmp_path / "x.pdf", hosts=HOSTS)  # 206 from the stand-in
    assert (tmp_path / "x.pdf").read_bytes() == data


def test_a_part_longer_than_the_file_is_dropped_and_the_file_asked_anew(pdf_server, tmp_path: Path) -> None:
    data = make_pdf(["shorter now"])
    pdf_server.files["p"] = data
    (tmp_path / "x.pdf.part").write_bytes(data + b"x" * 100)
    download(f"{pdf_server.base()}/p", tmp_path / "x.pdf", hosts=HOSTS)  # 416, then from the start
    assert (tmp_path / "x.pdf").read_bytes() == data


def test_a_file_over_the_limit_is_refused_before_its_body(pdf_server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="larger than paperbrowse's limit of 200 MB"):
        download(f"{pdf_server.base('huge')}/p", tmp_path / "x.pdf", hosts=HOSTS)
    assert list(tmp_path.iterdir()) == []


def test_a_body_without_a_length_stops_at_the_limit(pdf_server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="larger than paperbrowse's limit of 1 MB"):
        download(f"{pdf_server.base('endless')}/p", tmp_path / "x.pdf", hosts=HOSTS, limit=2**20)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("code", "reason"), [(404, "Not Found"), (500, "Internal Server Error")])
def test_a_server_error_is_named(pdf_server, tmp_path: Path, code: int, reason: str) -> None:
    with pytest.raises(DownloadError, match=f"127.0.0.1 answered HTTP {code} {reason}"):
        download(f"{pdf_server.base('status')}/{code}/p", tmp_path / "x.pdf", hosts=HOSTS)
    assert list(tmp_path.iterdir()) == []


def test_a_web_page_is_not_kept_as_a_pdf(pdf_server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="did not send a PDF"):
        download(f"{pdf_server.base('html')}/p", tmp_path / "x.pdf", hosts=HOSTS)
    assert list(tmp_path.iterdir()) == []


def test_offline_says_so(tmp_path: Path) -> None:
    url = dead_url().removesuffix("/api/query") + "/pdf/p"
    with pytest.raises(DownloadError, match=r"cannot reach 127.0.0.1: .*refused.* \(are you offline\?\)"):
        download(url, tmp_path / "x.pdf", hosts=HOSTS)
    assert not (tmp_path / "x.pdf").exists()


def test_a_cancel_keeps_what_came(pdf_server, tmp_path: Path) -> None:
    pdf_server.files["p"] = make_pdf(["slow"], padding=200_000)
    pdf_server.pause = 0.01
    cancel = threading.Event()

    def progress(done: int, total: int | None) -> None:
        if done > 20_000:
            cancel.set()

    with pytest.raises(DownloadCancelled, match="kept to resume"):
        download(f"{pdf_server.base()}/p", tmp_path / "x.pdf", hosts=HOSTS, cancel=cancel, progress=progress)
    assert not (tmp_path / "x.pdf").exists()
    assert (tmp_path / "x.pdf.part").stat().st_size > 20_000
