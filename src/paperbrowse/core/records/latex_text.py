"""LaTeX in BibTeX values turned into the plain text a record holds, keeping every word:
`{{LLaMA}}` → LLaMA, `\\&` → &, `M{\\"u}ller` → Müller, `--` → –, `{\\LaTeX}` → LaTeX,
`\\texttt{jiant}` → jiant, an unknown `\\Foo` → Foo (and the caller is told its name).

A few regular-expression passes rather than a TeX parser: a title takes microseconds, where
pylatexenc took a millisecond (and dropped `\\texttt{x}`, `\\MF` and every macro it did not know).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# No real field comes close to this (arXiv abstracts stop at 1,920 characters; the browser's
# details pane shows 20,000); the caller reports what was cut.
FIELD_LIMIT = 20_000
_CUT_AT_SPACE = 200  # look this far back from the limit for a space to cut at, not mid-word

# What changes in text: specials, and the ligatures `--`, ``, '', !` and ?`. A value holding
# none of them (most abstracts, every plain name) is already plain text.
_LATEX = re.compile(r"[\\{}$~]|--|``|''|!`|\?`")
_SOFT_HYPHEN = "\u00ad"

_ACCENTS = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    "u": "\u0306",
    ".": "\u0307",
    '"': "\u0308",
    "r": "\u030a",
    "H": "\u030b",
    "v": "\u030c",
    "d": "\u0323",
    "c": "\u0327",
    "k": "\u0328",
    "b": "\u0331",
    "t": "\u0361",
}
# `\'e`, `\'{e}`, `\c c`, `\c{c}`, `\"{\i}`: the letter accents (`\c`, `\v`...) need a space or a brace.
_ACCENT = re.compile(
    r"\\([`'^~=.\"])\s*(?:\{\s*(\\[ij]\b|[A-Za-z])\s*\}|(\\[ij]\b|[A-Za-z]))"
    r"|\\([uvHcdbkrt])(?:\s*\{\s*(\\[ij]\b|[A-Za-z]{1,2})\s*\}|\s+([A-Za-z]))"
)
_LOGOS = {
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    "BibLaTeX": "BibLaTeX",
    "biblatex": "biblatex",
    "MF": "METAFONT",
    "MP": "METAPOST",
    "AmSTeX": "AmS-TeX",
    "AMSTeX": "AMS-TeX",
    "AmS": "AmS",
    "AMS": "AMS",
    "AmSLaTeX": "AmS-LaTeX",
    "ConTeXt": "ConTeXt",
    "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX",
    "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX",
    "pdfTeX": "pdfTeX",
    "pdfLaTeX": "pdfLaTeX",
    "eTeX": "e-TeX",
    "SliTeX": "SliTeX",
    "PiCTeX": "PiCTeX",
    "plainTeX": "plain TeX",
    "TUB": "TUGboat",
    "TUG": "TUG",
    "CTAN": "CTAN",
    "MFB": "The METAFONTbook",
    "TB": "The TeXbook",
    "MetaPost": "MetaPost",
    "Metafont": "METAFONT",
    "ExTeX": "ExTeX",
    "Omega": "Omega",
    "OMEGA": "Omega",
    "ConTeXT": "ConTeXt",
    "PS": "PostScript",
    "PDF": "PDF",
    "dots": "…",
    "ldots": "…",
    "textellipsis": "…",
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textcopyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "texteuro": "€",
    "textendash": "–",
    "textemdash": "—",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "guillemotleft": "«",
    "guillemotright": "»",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textbullet": "•",
    "textdegree": "°",
    "textperiodcentered": "·",
    "textexclamdown": "¡",
    "textquestiondown": "¿",
    "quad": " ",
    "qquad": " ",
    "space": " ",
    "par": " ",
    "newline": " ",
    "linebreak": " ",
}
_MATH = {
    **{
        name: chr(code)
        for name, code in zip(
            [
                "alpha",
                "beta",
                "gamma",
                "delta",
                "epsilon",
                "zeta",
                "eta",
                "theta",
                "iota",
                "kappa",
                "lambda",
                "mu",
                "nu",
                "xi",
                "omicron",
                "pi",
                "rho",
                "varsigma",
                "sigma",
                "tau",
                "upsilon",
                "phi",
                "chi",
                "psi",
                "omega",
            ],
            range(0x3B1, 0x3CA),
            strict=True,
        )
    },
    **{
        name: chr(code)
        for name, code in zip(
            [
                "Alpha",
                "Beta",
                "Gamma",
                "Delta",
                "Epsilon",
                "Zeta",
                "Eta",
                "Theta",
                "Iota",
                "Kappa",
                "Lambda",
                "Mu",
                "Nu",
                "Xi",
                "Omicron",
                "Pi",
                "Rho",
                "Varsigma",
                "Sigma",
                "Tau",
                "Upsilon",
                "Phi",
                "Chi",
                "Psi",
                "Omega",
            ],
            range(0x391, 0x3AA),
            strict=True,
        )
    },
    "varepsilon": "ε",
    "varphi": "φ",
    "vartheta": "ϑ",
    "ell": "ℓ",
    "times": "×",
    "cdot": "·",
    "cdots": "⋯",
    "pm": "±",
    "mp": "∓",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "~",
    "simeq": "≃",
    "equiv": "≡",
    "propto": "∝",
    "infty": "∞",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "cup": "∪",
    "cap": "∩",
    "emptyset": "∅",
    "forall": "∀",
    "exists": "∃",
    "neg": "¬",
    "wedge": "∧",
    "vee": "∨",
    "oplus": "⊕",
    "otimes": "⊗",
    "rightarrow": "→",
    "to": "→",
    "leftarrow": "←",
    "leftrightarrow": "↔",
    "Rightarrow": "⇒",
    "Leftrightarrow": "⇔",
    "mapsto": "↦",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "partial": "∂",
    "nabla": "∇",
    "sqrt": "√",
    "star": "⋆",
    "ast": "∗",
    "circ": "∘",
    "bullet": "•",
    "mid": "|",
    "vert": "|",
    "langle": "⟨",
    "rangle": "⟩",
    "lbrace": "{",
    "rbrace": "}",
    "prime": "′",
    "hbar": "ℏ",
    "log": "log",
    "ln": "ln",
    "exp": "exp",
    "sin": "sin",
    "cos": "cos",
    "max": "max",
    "min": "min",
    "lim": "lim",
    "det": "det",
}
# Macros whose text is their argument: the macro goes, its braces then too.
_KEEP_ARGUMENT = frozenset(
    [
        "texttt",
        "textsf",
        "textrm",
        "textbf",
        "textit",
        "textsl",
        "textsc",
        "textup",
        "textmd",
        "textnormal",
        "emph",
        "mbox",
        "hbox",
        "text",
        "mathrm",
        "mathit",
        "mathbf",
        "mathsf",
        "mathtt",
        "mathcal",
        "mathbb",
        "mathfrak",
        "mathscr",
        "boldsymbol",
        "bm",
        "operatorname",
        "url",
        "path",
        "nolinkurl",
        "doi",
        "uppercase",
        "lowercase",
        "MakeUppercase",
        "MakeLowercase",
        "textsuperscript",
        "textsubscript",
        "ensuremath",
        "acro",
        "acronym",
        "sc",
        "underline",
        "uline",
        "textsubscript",
        "emph",
        "em",
        "it",
        "bf",
        "rm",
        "tt",
        "sf",
        "sl",
        "small",
        "tiny",
        "large",
        "Large",
        "LARGE",
        "huge",
        "Huge",
        "normalsize",
        "footnotesize",
        "scriptsize",
        "itshape",
        "bfseries",
        "upshape",
        "scshape",
        "slshape",
        "ttfamily",
        "sffamily",
        "rmfamily",
        "mdseries",
        "normalfont",
        "relax",
        "protect",
        "xspace",
        "null",
        "nobreak",
        "allowbreak",
        "newblock",
        "noindent",
        "ignorespaces",
        "unskip",
        "displaystyle",
        "textstyle",
        "scriptstyle",
        "left",
        "right",
        "big",
        "Big",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "mathnormal",
        "fontencoding",
        "llap",
        "rlap",
        "smash",
        "phantom",
        "selectfont",
        "foreignlanguage",
    ]
)
# Macros whose first argument is not text: a sort key, a URL behind a link text.
_DROP_ARGUMENT = frozenset(["noopsort", "SortNoop", "sortnoop", "noop", "nocite", "label", "href", "hyphenation"])
_BRACED = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"
_DROPPED = re.compile(r"\\(" + "|".join(sorted(_DROP_ARGUMENT, key=len, reverse=True)) + r")\s*" + _BRACED)
# `\\raise 0.5ex`, `\\kern-.1em`: a distance is typesetting, not text.
_DIMENSION = re.compile(
    r"\\(?:raise|lower|kern|hskip|vskip|hspace\*?|vspace\*?)\s*\{?\s*-?[\d.]+\s*(?:ex|em|pt|mm|cm|in|bp|sp|mu)\}?"
)
_CONTROL_WORD = re.compile(r"\\([A-Za-z@]+)\*?(?:\{\})?")
_CONTROL_SYMBOL = re.compile(r"\\(.)", re.DOTALL)
_SYMBOLS = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", ",": " "}
_SYMBOLS |= {"-": "", "/": "", "\\": " ", ";": " ", ":": " ", "!": "", "@": "", "\n": " ", "\t": " ", "~": " "}
_MATH_SPAN = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)", re.DOTALL)
_LIGATURES = re.compile(r"---|--|``|''|!`|\?`|~")
_OPEN, _CLOSE, _DOLLAR = "\ue000", "\ue001", "\ue002"  # private-use: no text holds them
_LIGATURE = {"---": "—", "--": "–", "``": "“", "''": "”", "!`": "¡", "?`": "¿", "~": " "}


def cut(value: str) -> str:
    """The first FIELD_LIMIT characters of `value`, ending at a space when one is near."""
    if len(value) <= FIELD_LIMIT:
        return value
    space = value.rfind(" ", FIELD_LIMIT - _CUT_AT_SPACE, FIELD_LIMIT)
    return value[: space if space > 0 else FIELD_LIMIT]


def latex_to_text(value: str, unknown: Callable[[str], None] | None = None) -> str:
    """Plain text on one line; braces that only protected capitals disappear, and so do soft
    hyphens. `unknown` is called with the name of each macro this does not know (kept as a
    word). Only the first FIELD_LIMIT characters are read (see `cut`)."""
    value = cut(value)
    if not _LATEX.search(value):
        return " ".join(value.replace(_SOFT_HYPHEN, "").split())
    return " ".join(convert(value, unknown).replace(_SOFT_HYPHEN, "").split())


def convert(value: str, unknown: Callable[[str], None] | None = None) -> str:
    """latex_to_text without its fast path and cut (the tests hold the two equal)."""
    # Escaped braces and dollars are text: out of the way of the math and brace passes.
    value = value.replace("\\{", _OPEN).replace("\\}", _CLOSE).replace("\\$", _DOLLAR)
    value = _MATH_SPAN.sub(lambda m: _math(next(g for g in m.groups() if g is not None), unknown), value)
    value = _words(value, unknown)
    value = _LIGATURES.sub(lambda m: _LIGATURE[m.group()], value.replace("{", "").replace("}", ""))
    value = value.replace(_OPEN, "{").replace(_CLOSE, "}").replace(_DOLLAR, "$")
    return unicodedata.normalize("NFC", value)


def _words(value: str, unknown: Callable[[str], None] | None) -> str:
    value = _DROPPED.sub("", _DIMENSION.sub("", value))
    value = _ACCENT.sub(_accented, value)

    def word(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _LOGOS:
            return _LOGOS[name]
        if name in _KEEP_ARGUMENT:
            return ""
        if unknown is not None:
            unknown(name)
        return name + " " if match.string.startswith("{", match.end()) else name  # `\\foo{x}`: "foo x"

    value = _CONTROL_WORD.sub(word, value)
    return _CONTROL_SYMBOL.sub(lambda m: _SYMBOLS.get(m.group(1), m.group(1)), value)


def _math(value: str, unknown: Callable[[str], None] | None) -> str:
    """Math as readable text: `x_1`, `O(n^2)`, `α`; its braces go with the rest."""

    def symbol(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _MATH:
            return _MATH[name]
        if name in _LOGOS or name in _KEEP_ARGUMENT:
            return _LOGOS.get(name, "")
        if unknown is not None:
            unknown(name)
        return name

    value = _CONTROL_WORD.sub(symbol, value)
    # A `~`, `--` or quote in math is not a ligature: shield them from the text pass.
    value = value.replace("~", " ").replace("--", "\u2212\u2212").replace("''", "\u2032\u2032")
    return _CONTROL_SYMBOL.sub(lambda m: _SYMBOLS.get(m.group(1), m.group(1)), value)


def _accented(match: re.Match[str]) -> str:
    accent = match.group(1) or match.group(4)
    letter = match.group(2) or match.group(3) or match.group(5) or match.group(6)
    letter = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", letter[0] + _ACCENTS[accent] + letter[1:])
