"""Publication dates that may lack a day or a month."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

UNDATED = "n.d."
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True, order=True)
class PaperDate:
    """A date known to the year, the month or the day; it sorts before any later date. Year 0
    is a work with no date (written `n.d.`, as bibliographies do), which sorts before all others."""

    year: int
    month: int = 0  # 0: unknown
    day: int = 0  # 0: unknown

    def isoformat(self) -> str:
        if not self.year:
            return UNDATED
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        return text

    __str__ = isoformat

    @classmethod
    def parse(cls, value: object) -> PaperDate:
        """Read a TOML date or a `YYYY`, `YYYY-MM`, `YYYY-MM-DD` string; ValueError says why not."""
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if not isinstance(value, str):
            raise ValueError(f'expected a TOML date or a "YYYY-MM" string, got {type_name(value)}')
        if value.strip() == UNDATED:
            return cls(0)
        match = _PARTIAL.match(value.strip())
        if not match:
            raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD, YYYY-MM, YYYY or n.d.")
        year, month, day = (int(g) if g else 0 for g in match.groups())
        if match.group(2) is not None and not 1 <= month <= 12:
            raise ValueError(f"{value!r} has no month {match.group(2)}")
        if match.group(3) is not None:
            try:
                dt.date(year, month, day)
            except ValueError as err:
                raise ValueError(f"{value!r} is not a real date ({err})") from None
        if year < 1000:
            raise ValueError(f"{value!r}: the year must have four digits")
        return cls(year, month, day)


def type_name(value: object) -> str:
    """The TOML name of a Python value's type, for error messages."""
    names = {
        str: "a string",
        int: "an integer",
        float: "a float",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
        dt.date: "a date",
        dt.datetime: "a date-time",
        dt.time: "a time",
    }
    return names.get(type(value), type(value).__name__)
