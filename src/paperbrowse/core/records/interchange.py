"""What a record's entry type and names are called in CSL-JSON and RIS, both ways.

A record's `type` is BibTeX's (or biblatex's, where BibTeX has none: `online`, `dataset`,
`software`, `patent`, `standard`). Each has one CSL type and one RIS type to export as; on
import, several CSL or RIS types may read as one record type (a magazine article is an
`article`), and the importer says so: exported again, it comes back as the canonical one.

Records hold names first name first, one string each ("Ludwig van Beethoven"). CSL and RIS
want the family name apart: `split_name` finds it as BibTeX does, the last word, or from the
first lower-case word on (`van Beethoven`), a suffix (`Jr.`) set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# record type -> (CSL type, RIS type) written on export.
EXPORT_TYPES: dict[str, tuple[str, str]] = {
    "article": ("article-journal", "JOUR"),
    "inproceedings": ("paper-conference", "CPAPER"),
    "conference": ("paper-conference", "CPAPER"),
    "incollection": ("chapter", "CHAP"),
    "inbook": ("chapter", "CHAP"),
    "book": ("book", "BOOK"),
    "proceedings": ("book", "CONF"),
    "phdthesis": ("thesis", "THES"),
    "mastersthesis": ("thesis", "THES"),
    "thesis": ("thesis", "THES"),
    "techreport": ("report", "RPRT"),
    "report": ("report", "RPRT"),
    "unpublished": ("manuscript", "UNPB"),
    "online": ("webpage", "ELEC"),
    "dataset": ("dataset", "DATA"),
    "software": ("software", "COMP"),
    "patent": ("patent", "PAT"),
    "booklet": ("pamphlet", "PAMP"),
    "standard": ("standard", "STAND"),
    "inreference": ("entry-encyclopedia", "ENCYC"),
    "misc": ("document", "GEN"),
}
# CSL type -> record type on import. The first record type exporting as a CSL type is its
# canonical reading; the rest are readings that lose the difference (told on import).
CSL_TYPES: dict[str, str] = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "article": "article",
    "review": "article",
    "review-book": "article",
    "paper-conference": "inproceedings",
    "chapter": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "report": "techreport",
    "manuscript": "unpublished",
    "webpage": "online",
    "post": "online",
    "post-weblog": "online",
    "dataset": "dataset",
    "software": "software",
    "patent": "patent",
    "pamphlet": "booklet",
    "standard": "standard",
    "entry-encyclopedia": "inreference",
    "entry-dictionary": "inreference",
    "entry": "inreference",
    "document": "misc",
}
RIS_TYPES: dict[str, str] = {
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "CPAPER": "inproceedings",
    "CHAP": "incollection",
    "ECHAP": "incollection",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CONF": "proceedings",
    "THES": "phdthesis",
    "RPRT": "techreport",
    "UNPB": "unpublished",
    "MANSCPT": "unpublished",
    "ELEC": "online",
    "WEB": "online",
    "BLOG": "online",
    "DATA": "dataset",
    "DBASE": "dataset",
    "COMP": "software",
    "PAT": "patent",
    "PAMP": "booklet",
    "STAND": "standard",
    "ENCYC": "inreference",
    "DICT": "inreference",
    "GEN": "misc",
}
_PARTICLE = re.compile(r"^(?:[a-z]|d'|l')")  # von, van, de, da, d', ter: the family starts there
_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv|v)\.?$", re.IGNORECASE)


def export_types(record_type: str) -> tuple[str, str]:
    """(CSL type, RIS type) for a record type; `document`/`GEN` for one they have no name for."""
    return EXPORT_TYPES.get(record_type.lower(), EXPORT_TYPES["misc"])


@dataclass(frozen=True, slots=True)
class NameParts:
    given: str
    family: str
    suffix: str = ""


def split_name(name: str) -> NameParts:
    """`Ludwig van Beethoven` → (Ludwig, van Beethoven); `Martin Luther King Jr.` → (Martin
    Luther, King, Jr.); `Touvron, Hugo` (family first, as some records write it) → (Hugo, Touvron)."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        parts = [p.strip() for p in given.split(",")]
        if len(parts) > 1 and _SUFFIX.match(parts[0]):
            return NameParts(parts[1], family.strip(), parts[0])  # "King, Jr., Martin Luther"
        return NameParts(given.strip(), family.strip())
    words = name.split(" ")
    suffix = ""
    if len(words) > 2 and _SUFFIX.match(words[-1]):
        suffix = words.pop()
    if len(words) == 1:
        return NameParts("", words[0], suffix)
    start = next((i for i, word in enumerate(words[:-1]) if i and _PARTICLE.match(word)), len(words) - 1)
    return NameParts(" ".join(words[:start]), " ".join(words[start:]), suffix)


def joined_name(given: str, family: str, suffix: str = "") -> str:
    """The record's form of a name: first name first, the suffix last."""
    return " ".join(part for part in (given.strip(), family.strip(), suffix.strip()) if part)
