"""What a record keeps of a BibTeX/biblatex entry, beside the title, authors, date and venue.

A record's `venue` is its journal or booktitle (the entry type says which) and its `date` the
year and month; this is the rest: the entry type, the user's citation key, the standard fields
as plain text, the authors that are organisations, and the year the venue published it when
that is not the record's date (an arXiv preprint of 2022 in ICML 2023). `bibtex` keeps every
other field of an imported entry verbatim, and the LaTeX of the fields shown as plain text
(`{\\LaTeX}` for a title shown as "LaTeX"), so that an export gives the entry back as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from paperbrowse.core.records.dates import type_name

# Plain-text fields, in the order an export writes them. The eprint fields name a preprint
# that is not on arXiv (an arXiv id is the record's `arxiv`).
TEXT_FIELDS = (
    "volume",
    "number",
    "pages",
    "chapter",
    "edition",
    "series",
    "publisher",
    "address",
    "school",
    "institution",
    "organization",
    "howpublished",
    "note",
    "doi",
    "isbn",
    "issn",
    "eprint",
    "eprinttype",
    "eprintclass",
)
BIB_FIELDS = ("type", "key", "venue_year", "corporate_authors", "editor", *TEXT_FIELDS, "bibtex")
# A citation key as BibTeX and biber read it: no space, comma, brace, quote, `#`, `%`, `=`, `\`.
KEY_PATTERN = re.compile(r"^[^\s,{}()\"#%'=\\~\x00-\x1f\x7f-\x9f]{1,200}$")
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_.:+-]{0,59}$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")


class Problems(Protocol):
    """What validation reports to (schema.Findings): `error` skips the record, `warning` does not."""

    def error(self, key: str, message: str) -> None: ...
    def warning(self, key: str, message: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Bibliography:
    type: str = ""  # `article`, `inproceedings`, ...; empty: chosen from the venue at export
    key: str = ""  # the user's citation key; empty: made from author, year and title at export
    venue_year: int = 0  # the year in the venue's name, when it is not the record's
    corporate_authors: tuple[str, ...] = ()  # authors that are organisations: braced in BibTeX
    editor: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()  # TEXT_FIELDS that are set, in that order
    bibtex: tuple[tuple[str, str], ...] = ()  # field name -> value as written in the .bib file

    def get(self, name: str) -> str:
        return next((value for key, value in self.fields if key == name), "")

    def written(self, name: str) -> str:
        """The value of `name` as the .bib file wrote it, or ''."""
        return next((value for key, value in self.bibtex if key == name), "")

    def table(self) -> dict[str, Any]:
        """The record's TOML keys for this, empty ones left out."""
        values: dict[str, Any] = {
            "type": self.type,
            "key": self.key,
            "venue_year": self.venue_year,
            "corporate_authors": list(self.corporate_authors),
            "editor": list(self.editor),
            **dict(self.fields),
            "bibtex": dict(self.bibtex),
        }
        return {key: values[key] for key in BIB_FIELDS if values.get(key)}


def pack_bib(bib: Bibliography | None) -> tuple[Any, ...] | None:
    """A Bibliography as plain tuples, for caches that unpickle no class of ours (store.trust)."""
    return None if bib is None else tuple(getattr(bib, name) for name in Bibliography.__slots__)


def unpack_bib(row: tuple[Any, ...] | None) -> Bibliography | None:
    return None if row is None else Bibliography(*row)


def balanced(value: str) -> bool:
    """Whether `value`'s braces pair up (escaped `\\{` aside), so it can go into a field verbatim."""
    depth = 0
    for match in re.finditer(r"\\.|[{}]", value):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def bibliography_from_table(table: Mapping[str, Any], problems: Problems) -> Bibliography | None:
    """The bibliographic part of a `[[paper]]` table; None when it has none (most records)."""
    if not any(key in table for key in BIB_FIELDS):
        return None
    texts = {key: _string(table, key, problems) for key in ("type", "key", *TEXT_FIELDS)}
    kind = texts.pop("type").strip().lower()
    if kind and not TYPE_PATTERN.fullmatch(kind):
        problems.error("type", f"type {kind!r} is not a BibTeX entry type like 'article' or 'inproceedings'")
    key = texts.pop("key").strip()
    if key and not KEY_PATTERN.fullmatch(key):
        problems.error("key", f"key {key!r} cannot be a citation key (no spaces, commas, braces, quotes, #, %, =)")
    doi = texts["doi"].strip()
    if doi and not DOI_PATTERN.fullmatch(doi):
        problems.warning("doi", f"doi {doi!r} does not look like a DOI (10.xxxx/...); kept as written")
    venue_year = table.get("venue_year", 0)
    if (
        not isinstance(venue_year, int)
        or isinstance(venue_year, bool)
        or not (venue_year == 0 or 1000 <= venue_year <= 9999)
    ):
        problems.error("venue_year", f"field 'venue_year' must be a four-digit year, not {venue_year!r}")
        venue_year = 0
    corporate = _names(table, "corporate_authors", problems)
    authors = table.get("authors")
    for name in corporate:
        if isinstance(authors, list) and name not in authors:
            problems.warning("corporate_authors", f"corporate_authors: {name!r} is not one of the authors (ignored)")
    if isinstance(authors, list):
        corporate = tuple(name for name in corporate if name in authors)
    return Bibliography(
        type=kind,
        key=key,
        venue_year=venue_year,
        corporate_authors=corporate,
        editor=_names(table, "editor", problems),
        fields=tuple((name, value) for name, value in texts.items() if value.strip()),
        bibtex=_verbatim(table, problems),
    )


def _string(table: Mapping[str, Any], key: str, problems: Problems) -> str:
    value = table.get(key, "")
    if isinstance(value, int) and not isinstance(value, bool) and key in ("volume", "number", "edition", "chapter"):
        return str(value)  # `volume = 3` written by hand
    if not isinstance(value, str):
        problems.error(key, f"field '{key}' must be a string, not {type_name(value)}")
        return ""
    return value


def _names(table: Mapping[str, Any], key: str, problems: Problems) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.error(key, f"field '{key}' must be an array of strings, not {type_name(value)}")
        return ()
    return tuple(filter(str.strip, value))


def _verbatim(table: Mapping[str, Any], problems: Problems) -> tuple[tuple[str, str], ...]:
    value = table.get("bibtex", {})
    if not isinstance(value, dict):
        problems.error("bibtex", f"field 'bibtex' must be a table of BibTeX fields, not {type_name(value)}")
        return ()
    kept = []
    for name, text in value.items():
        if not FIELD_NAME.fullmatch(name):
            problems.warning("bibtex", f"bibtex: {name!r} is not a BibTeX field name (ignored)")
        elif not isinstance(text, str):
            problems.warning("bibtex", f"bibtex.{name} must be a string, not {type_name(text)} (ignored)")
        else:
            if not balanced(text):
                problems.warning("bibtex", f"bibtex.{name}: its braces do not pair up (exported escaped)")
            kept.append((name, text))
    return tuple(kept)


def fingerprint(text: str) -> str:
    """The letters and digits of a text, folded to ASCII and lower case."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def still_reads_as(latex: str, plain: str) -> bool:
    """Whether the LaTeX kept for a field still says what the record's plain value says: the
    record was not edited since the import."""
    from paperbrowse.core.records.latex_text import latex_to_text  # its tables: only when exporting

    return fingerprint(latex_to_text(latex)) == fingerprint(plain)


def same_people(written: str, names: Sequence[str], et_al: Sequence[str]) -> bool:
    """Whether the names as written are still the record's: name by name, the same letters in
    any order ("Lamport, Leslie" is "Leslie Lamport"), and `others` for "et al."."""
    from paperbrowse.core.records.latex_text import latex_to_text

    parts = list(split_names(written))
    if len(parts) != len(names):
        return False
    for part, name in zip(parts, names, strict=True):
        if part.lower() == "others":
            if name not in et_al:
                return False
        elif sorted(fingerprint(latex_to_text(part))) != sorted(fingerprint(name)):
            return False
    return True


def reference_rows(bib: Bibliography | None) -> list[tuple[str, str]]:
    """(label, text) for what a reader of the details needs to find the work: where in the venue
    (volume, pages...), who published it, and the identifiers. Empty rows are left out."""
    if bib is None:
        return []
    where = [
        f"{label} {bib.get(name)}"
        for name, label in (("volume", "vol."), ("number", "no."), ("chapter", "ch."), ("pages", "pp."))
        if bib.get(name)
    ]
    if bib.get("edition"):
        where.append(f"{bib.get('edition')} ed.")
    published = [bib.get(name) for name in ("publisher", "organization", "institution", "school", "address")]
    eprint = bib.get("eprint")
    if eprint and bib.get("eprinttype"):
        eprint = f"{bib.get('eprinttype')}:{eprint}"
    rows = [
        (
            "Type",
            bib.type + (f" · cite as {bib.key}" if bib.key else "")
            if bib.type
            else (f"cite as {bib.key}" if bib.key else ""),
        ),
        ("In", ", ".join([bib.get("series"), *where] if bib.get("series") else where)),
        ("Editors", ", ".join(bib.editor)),
        ("Imprint", ", ".join(filter(None, published))),
        ("Year", str(bib.venue_year) if bib.venue_year else ""),
        ("Issued", bib.get("howpublished")),
        ("DOI", bib.get("doi")),
        ("ISBN", bib.get("isbn")),
        ("ISSN", bib.get("issn")),
        ("Eprint", eprint),
        ("Note", bib.get("note")),
    ]
    return [(label, text) for label, text in rows if text]


def split_names(value: str) -> Iterator[str]:
    """The names of an author or editor list: split at ` and ` outside braces."""
    depth, start = 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            yield value[start : match.start()].strip()
            start = match.end()
    last = value[start:].strip()
    if last:
        yield last
