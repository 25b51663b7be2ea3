"""How fast a large .bib file imports, beside bibtexparser and pybtex reading the same text.

    python benchmarks/bibtex_import.py --entries 15000 [--import]

The file is made of the real files in tests/fixtures/bib (those without crossref), repeated
with each copy's keys and titles made its own until it holds `--entries` entries. Timed in the
same run: paperbrowse's reading (every entry read, LaTeX to text, drafts made), bibtexparser 2's
`parse_string` and pybtex's `parse_string` (which do less: neither turns LaTeX into text). With
`--import`, also the whole `paperbrowse import` of that file into an empty papers folder (one
record file per paper), from a fresh process. Ratios, not seconds, are what compare across
machines.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import bibtexparser
import pybtex.errors
from pybtex.database import parse_string as pybtex_parse

from paperbrowse.core.sources.bibtex_import import parse_bibtex

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "fixtures" / "bib"
SOURCES = ["tugboat.bib", "biber-papers-strings.bib", "acl-anthology.bib", "dblp-thesis.bib", "zotero-bbt-bibtex.bib"]
_ENTRY = re.compile(r"(?m)^(@(?!string|preamble|comment)[A-Za-z]+\s*[{(]\s*)([^,\s]+)", re.IGNORECASE)
_TITLE = re.compile(r"(?mi)^(\s*title\s*=\s*[{\"])")


def make_text(entries: int) -> tuple[str, int]:
    texts = [(FIXTURES / name).read_text(encoding="utf-8", errors="replace") for name in SOURCES]
    parts, count, copy = [], 0, 0
    while count < entries:
        copy += 1
        for text in texts:
            parts.append(_TITLE.sub(rf"\g<1>({copy}) ", _ENTRY.sub(rf"\g<1>\g<2>-{copy}", text)))
            count += len(_ENTRY.findall(text))
    return "\n".join(parts), count


def timed(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=15_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--import", dest="full", action="store_true", help="also time `paperbrowse import`")
    args = parser.parse_args()
    text, count = make_text(args.entries)
    print(f"{count:,} entries, {len(text) / 1e6:.1f} MB")
    pybtex.errors.set_strict_mode(False)
    pybtex.errors.report_error = lambda error: None  # the copies' repeated @strings, each told on stderr
    ours = timed(lambda: parse_bibtex(text, "big.bib"), args.repeat)
    papers = len(parse_bibtex(text, "big.bib").papers)
    theirs = timed(lambda: bibtexparser.parse_string(text), args.repeat)
    pybtex_time = timed(lambda: pybtex_parse(text, "bibtex"), args.repeat)
    print(f"paperbrowse reads it into {papers:,} drafts: {ours:.2f} s")
    print(
        f"bibtexparser 2 parse_string:              {theirs:.2f} s  (paperbrowse takes {ours / theirs:.2f}x its time)"
    )
    print(
        f"pybtex parse_string:                      {pybtex_time:.2f} s  (paperbrowse takes {ours / pybtex_time:.2f}x its time)"
    )
    if args.full:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "big.bib"
            path.write_text(text, encoding="utf-8")
            env = {**os.environ, "PAPERBROWSE_LIBRARY": f"{folder}/me/library.toml", "PAPERBROWSE_CACHE": "0"}
            script = Path(sys.executable).with_name("paperbrowse")
            command = [str(script), "--data", f"{folder}/none", "import", str(path)]
            Path(folder, "none").mkdir()
            start = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            took = time.perf_counter() - start
            added = len(done.stdout.splitlines())
            print(f"paperbrowse import (a fresh process, {added:,} record files written): {took:.1f} s")
            print(f"  that is {took / theirs:.1f}x bibtexparser's parse of the same file")


if __name__ == "__main__":
    main()
