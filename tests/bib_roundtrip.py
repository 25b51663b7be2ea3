"""Import -> export -> an independent parser, on the real .bib files of tests/fixtures/bib.

Each file is imported as `paperbrowse import` does (drafts validated into records), exported
in the dialect it was written in, and both the original and the export are read by pybtex (and
the export by bibtexparser 2 too). An entry comes back equal when its type and every standard
field it had read the same: as written, or as the same plain text (`{\\'e}` and `é`).

`python tests/bib_roundtrip.py` prints the table kept in tests/fixtures/bib/SOURCES.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
import pybtex.errors
from pybtex.database import BibliographyData, parse_string

from paperbrowse.core.export import ExportItem
from paperbrowse.core.export.bibtex import Dialect, citation_keys, to_bibtex
from paperbrowse.core.records.latex_text import latex_to_text
from paperbrowse.core.records.schema import Paper, paper_from_table
from paperbrowse.core.sources.bibtex_import import read_bibtex_file

FIXTURES = Path(__file__).parent / "fixtures" / "bib"
STANDARD = [
    "title",
    "author",
    "editor",
    "journal",
    "booktitle",
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
]
ALIASES = {
    "journaltitle": "journal",
    "location": "address",
    "archiveprefix": "eprinttype",
    "primaryclass": "eprintclass",
}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_BIBLATEX = re.compile(r"^\s*(date|journaltitle|location)\s*=", re.IGNORECASE | re.MULTILINE)


@dataclass
class Outcome:
    name: str
    entries: int = 0
    papers: int = 0
    errors: int = 0
    warnings: int = 0
    compared: int = 0
    keyless: int = 0  # entries whose key the file used twice: exported under a new one
    equal: int = 0
    bibtexparser_equal: int = 0
    differences: list[str] = field(default_factory=list)
    biber_read: int | None = None  # entries biber's --tool read from the biblatex export
    biber_new: list[str] = field(default_factory=list)  # its datamodel warnings the original did not have

    @property
    def share(self) -> float:
        return self.equal / self.compared if self.compared else 1.0


def imported(path: Path) -> tuple[list[Paper], int, int, int]:
    found = read_bibtex_file(path)
    papers = []
    for index, draft in enumerate(found.papers):
        paper, findings = paper_from_table(draft.table(f"p{index}", "inbox"))
        assert paper is not None, [f.message for f in findings.errors]
        papers.append(paper)
    errors = sum(p.severity == "error" for p in found.problems)
    return papers, found.entries, errors, len(found.problems) - errors


def _plain(value: str) -> str:
    return " ".join(latex_to_text(value).split()).strip(" .{}")


def _date(fields: dict[str, str]) -> str:
    if fields.get("date"):
        return fields["date"].strip()
    month = fields.get("month", "").strip().lower()
    number = str(_MONTHS.index(month[:3]) + 1) if month[:3] in _MONTHS else month
    return fields.get("year", "").strip() + (
        f"-{int(number):02d}" if number.isdigit() else f"-{number}" if number else ""
    )


def _fields(data: BibliographyData, key: str) -> tuple[str, dict[str, str]]:
    entry = data.entries[key]
    values = {name.lower(): value for name, value in entry.fields.items()}
    for name, same in ALIASES.items():  # biblatex's name, unless the entry has both
        if name in values and same not in values:
            values[same] = values.pop(name)
    for role, people in entry.persons.items():
        values[role.lower()] = " and ".join(str(person) for person in people)
    values["date"] = _date(values)
    return entry.type.lower(), values


def _bibtexparser_fields(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    out = {}
    for entry in library.entries:
        values = {f.key.lower(): str(f.value) for f in entry.fields}
        for name, same in ALIASES.items():
            if name in values and same not in values:
                values[same] = values.pop(name)
        out[entry.key] = (entry.entry_type.lower(), values)
    return out


def _same(name: str, original: str, exported: str) -> bool:
    if " ".join(original.split()) == " ".join(exported.split()):
        return True
    return _plain(original) == _plain(exported)


def check(path: Path) -> Outcome:
    pybtex.errors.set_strict_mode(False)
    outcome = Outcome(path.name)
    papers, outcome.entries, outcome.errors, outcome.warnings = imported(path)
    outcome.papers = len(papers)
    text = path.read_text(encoding="utf-8", errors="replace")
    dialect: Dialect = "biblatex" if _BIBLATEX.search(text) else "bibtex"
    exported = to_bibtex([ExportItem(paper) for paper in papers], dialect)
    original, back = parse_string(text, "bibtex"), parse_string(exported, "bibtex")
    other = _bibtexparser_fields(exported)
    compared: set[str] = set()
    for paper, key in zip(papers, citation_keys(papers), strict=True):
        if paper.bib is None or paper.bib.key != key or key not in original.entries:
            outcome.keyless += 1  # a key used twice in the file: the second entry gets a new one
            continue
        outcome.compared += 1
        compared.add(key)
        kind, before = _fields(original, key)
        kind_back, after = _fields(back, key)
        wrong = [] if kind == kind_back else [f"type {kind} -> {kind_back}"]
        for name in (*STANDARD, "date"):
            if name == "date" and not (before.get("year") or "-" not in before["date"][:1]):
                continue  # a month without a year: the year came from its crossref parent
            if before.get(name) and not _same(name, before[name], after.get(name, "")):
                wrong.append(f"{name}: {before[name]!r} -> {after.get(name, '')!r}")
        if wrong:
            outcome.differences.append(f"{key}: " + "; ".join(wrong))
        else:
            outcome.equal += 1
        kind_other, values = other[key]
        if kind_other == kind and all(
            _same(name, before[name], values.get(name, ""))
            for name in STANDARD
            if before.get(name) and name not in _PEOPLE
        ):
            outcome.bibtexparser_equal += 1
    if shutil.which("biber"):
        biblatex = to_bibtex([ExportItem(paper) for paper in papers], "biblatex")
        before_warnings, _ = biber_check(text)
        after_warnings, outcome.biber_read = biber_check(biblatex)
        new = after_warnings - before_warnings
        outcome.biber_new = sorted(line for line in new if re.search(r"Entry '([^']*)'", line)[1] in compared)  # type: ignore[index]
    return outcome


def biber_check(text: str) -> tuple[set[str], int]:
    """biber's datamodel validation of a .bib text: its warnings (without the file name), and
    how many entries it wrote back."""
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "in.bib", Path(folder) / "out.bib"
        source.write_text(text, encoding="utf-8")
        command = ["biber", "--tool", "--validate-datamodel", "--output-file", str(out), str(source)]
        run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=folder)
        warnings = {
            re.sub(r" \([^()]*in\.bib\)", "", line) for line in run.stdout.splitlines() if "WARN - Datamodel" in line
        }
        written = (
            len(re.findall(r"(?m)^@(?!comment|preamble|string)", out.read_text(encoding="utf-8")))
            if out.exists()
            else 0
        )
    return warnings, written


_PEOPLE = ("author", "editor")  # bibtexparser keeps names as written: compared through pybtex only


def fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*.bib"))


if __name__ == "__main__":
    print("| file | entries | papers | errors | warnings | compared | equal (pybtex) | equal (bibtexparser) | biber |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for path in map(Path, sys.argv[1:]) if sys.argv[1:] else fixtures():
        o = check(path)
        print(
            f"| {o.name} | {o.entries} | {o.papers} | {o.errors} | {o.warnings} | {o.compared} |"
            f" {o.equal} ({o.share:.1%}) | {o.bibtexparser_equal} |"
            f" {'not installed' if o.biber_read is None else f'reads {o.biber_read}, {len(o.biber_new)} new warnings'} |"
        )
        for line in o.biber_new:
            print(f"|  | biber: {line} |", file=sys.stderr)
        for line in o.differences:
            print(f"|  | {line} |", file=sys.stderr)
