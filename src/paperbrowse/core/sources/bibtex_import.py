"""Reading a BibTeX file into new-paper drafts; a broken entry is reported with its line, and skipped.

bibtexparser (2.x) splits the file into entries and keeps going past a broken one; each good
entry is then mapped field by field. LaTeX in titles, names and abstracts becomes plain text;
URLs, DOIs and eprints are taken verbatim, since LaTeX decoding would eat their `%` and `_`.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)

from paperbrowse.core.records.dates import PaperDate
from paperbrowse.core.records.problems import Problem
from paperbrowse.core.records.schema import check_link
from paperbrowse.core.sources.arxiv_id import parse_arxiv_id
from paperbrowse.core.sources.latex_text import FIELD_LIMIT, latex_to_text
from paperbrowse.core.sources.new_paper import NewPaper

_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s]+(?:abs/)?(\S+)", re.IGNORECASE)
# A "venue" that only says the paper is on arXiv: the record's `arxiv` field says that already.
_PREPRINT_VENUE = re.compile(r"^(arxiv|corr)\b|^arxiv preprint", re.IGNORECASE)
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


@dataclass(slots=True)
class BibtexImport:
    papers: list[NewPaper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Skip(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message, self.line = message, line


# Byte-order marks, longest first: UTF-32-LE's starts with UTF-16-LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def read_bibtex_file(path: Path) -> BibtexImport:
    """Raises OSError when the file cannot be read; everything else becomes a problem."""
    raw = path.read_bytes()
    result = BibtexImport()
    text, guessed = _decode(raw, str(path), result.problems)
    if text is None:
        return result
    parsed = parse_bibtex(text, str(path))
    result.papers, result.problems = parsed.papers, result.problems + parsed.problems
    if guessed and not parsed.papers and not parsed.problems:
        # Read with a guessed encoding and nothing looked like an entry: the guess was wrong,
        # or it is no BibTeX file. Either way, nothing was imported, and that is an error.
        result.problems.append(Problem(str(path), None, f"no BibTeX entries found (read as {guessed})"))
    return result


def _decode(raw: bytes, name: str, problems: list[Problem]) -> tuple[str | None, str]:
    """The file's text (None when it cannot be decoded, with an error in `problems`), and the
    encoding it was guessed to be in, if it was a guess."""
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            return _decode_as(raw, len(bom), codec, label, name, problems), ""
    if b"\x00" in raw:
        # No text file holds NUL, but UTF-16 without a byte-order mark holds one in every
        # ASCII character: in the high byte, odd positions for little-endian.
        sample = raw[:4096]
        half = len(sample) // 2
        for codec, zeros, others in (
            ("utf-16-le", sample[1::2], sample[0::2]),
            ("utf-16-be", sample[0::2], sample[1::2]),
        ):
            if len(raw) % 2 == 0 and zeros.count(0) >= half // 2 and others.count(0) == 0:
                label = codec.upper()
                problems.append(Problem(name, 1, f"no byte-order mark; read as {label}", "warning"))
                return _decode_as(raw, 0, codec, label, name, problems), label
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        problems.append(Problem(name, line, "holds NUL bytes: not a text file, or UTF-16/32 without a byte-order mark"))
        return None, ""
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError as err:
        # Older .bib files are often Latin-1; reading them so beats refusing them.
        line = raw[: err.start].count(b"\n") + 1
        problems.append(Problem(name, line, "not UTF-8; read as Latin-1", "warning"))
        return raw.decode("latin-1"), "Latin-1"


def _decode_as(raw: bytes, start: int, codec: str, label: str, name: str, problems: list[Problem]) -> str | None:
    body = raw[start:]
    try:
        return body.decode(codec)
    except UnicodeDecodeError as err:
        line = body[: err.start].decode(codec, "replace").count("\n") + 1
        problems.append(
            Problem(name, line, f"not valid {label}: {err.reason} at byte {start + err.start}; nothing imported")
        )
        return None


def parse_bibtex(text: str, name: str) -> BibtexImport:
    result = BibtexImport()
    library = bibtexparser.parse_string(text)
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, ParsingFailedBlock):
            result.problems.append(Problem(name, line, f"{_failure(block)} (entry skipped)"))
        elif isinstance(block, Entry):
            try:
                paper = _paper(block, name, line, result.problems)
            except _Skip as skip:
                label = f"entry '{block.key}'"
                result.problems.append(Problem(name, skip.line, f"{label}: {skip.message} (entry skipped)"))
            else:
                result.papers.append(paper)
    return result


def _failure(block: ParsingFailedBlock) -> str:
    if isinstance(block, DuplicateBlockKeyBlock):
        return f"entry key '{block.key}' is used twice"
    if isinstance(block, DuplicateFieldKeyBlock):
        return f"entry has the field '{', '.join(sorted(block.duplicate_keys))}' twice"
    if isinstance(block.error, BlockAbortedException) and block.error.abort_reason:
        reason = " ".join(block.error.abort_reason.split())
        return f"cannot read this entry: {reason}"
    return f"cannot read this entry: {block.error or 'syntax error'}"


def _paper(entry: Entry, name: str, line: int, problems: list[Problem]) -> NewPaper:
    fields = {key.lower(): f for key, f in entry.fields_dict.items()}
    told: set[str] = set()

    def value(key: str) -> str:
        found = fields.get(key)
        return str(found.value).strip() if found is not None else ""

    def line_of(key: str) -> int:
        found = fields.get(key)
        return (found.start_line + 1) if found is not None and found.start_line is not None else line

    def plain(key: str, latex: str) -> str:
        """`latex` (the value of `key`, or a part of it) as plain text; what is cut is told."""
        if len(latex) > FIELD_LIMIT and key not in told:
            told.add(key)
            problems.append(
                Problem(
                    name,
                    line_of(key),
                    f"entry '{entry.key}': the {key} is {len(latex):,} characters long; only the first"
                    f" {FIELD_LIMIT:,} were imported",
                    "warning",
                )
            )
        return latex_to_text(latex)

    title = plain("title", value("title"))
    if not title:
        raise _Skip("no title", line)
    people = "author" if value("author") else "editor"
    authors = list(filter(None, (plain(people, person) for person in _people(value(people)))))
    if not authors:
        raise _Skip("no author", line)
    date = _date(value("date"), value("year"), value("month"))
    if date is None:
        where = "date" if "date" in fields else "year"
        shown = " ".join(value(where).split())[:40]
        raise _Skip("no year" if not shown else f"the {where} '{shown}' is not a year", line_of(where))
    venue_key = "journal" if value("journal") else "booktitle"
    venue = plain(venue_key, value(venue_key))
    arxiv = _arxiv(value("eprint"), value("archiveprefix"), venue, value("url"))
    if _PREPRINT_VENUE.search(venue):
        venue = ""
    url = value("url")
    doi = _DOI.match(value("doi"))
    if not url or check_link(url) is not None:
        url = f"https://doi.org/{doi.group(1)}" if doi else ""
    if url and check_link(url) is not None:
        url = ""
    keywords = plain("keywords", value("keywords"))
    tags = tuple(dict.fromkeys(t.strip() for t in re.split(r"[,;]", keywords) if t.strip()))
    return NewPaper(
        title=title,
        authors=tuple(authors),
        date=date,
        arxiv=arxiv,
        url=url,
        venue=venue,
        tags=tags,
        summary=plain("abstract", value("abstract")),
        origin=f"{name}:{line}",
    )


def _people(text: str) -> list[str]:
    """Each name of an `author` (or `editor`) list, first name first, still in LaTeX."""
    names = []
    for person in split_multiple_persons_names(text) if text.strip() else []:
        with contextlib.suppress(InvalidNameError):
            person = parse_single_name_into_parts(person, strict=False).merge_first_name_first
        names.append(person)
    return names


def _date(date: str, year: str, month: str) -> PaperDate | None:
    """biblatex's `date` (2023-02-27, 2023-02, 2023), else `year` and `month` (feb, 2, February)."""
    if date:
        try:
            return PaperDate.parse(date.split("/")[0].strip())
        except ValueError:
            return None
    if not re.fullmatch(r"\d{4}", year):
        return None
    number = _MONTHS.get(month.strip().lower()[:3]) or (int(month) if month.strip().isdigit() else 0)
    return PaperDate(int(year), number if 1 <= number <= 12 else 0)


def _arxiv(eprint: str, prefix: str, venue: str, url: str) -> str:
    candidates = []
    if eprint and prefix.lower() in ("", "arxiv"):
        candidates.append(eprint)
    candidates += [match.group(1).rstrip(".,;") for match in _ARXIV_IN_TEXT.finditer(venue)]
    candidates.append(url)
    for candidate in candidates:
        parsed = parse_arxiv_id(candidate)
        if parsed is not None:
            return parsed.id
    return ""
