"""The text of a file whose encoding nobody said: a byte-order mark, UTF-16 without one,
UTF-8, else Latin-1 (older .bib files); what was guessed is told, what cannot be read is an error."""

from __future__ import annotations

import codecs

from paperbrowse.core.records.problems import Problem

# Byte-order marks, longest first: UTF-32-LE's starts with UTF-16-LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def decode(raw: bytes, name: str, problems: list[Problem]) -> tuple[str | None, str]:
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
