"""The case-, accent- and width-insensitive form that dates, tables and labels are matched in."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_CHAR_FIXES = str.maketrans(
    {
        "ı": "i",  # Turkish dotless i; upper-case input casefolds to a dotted i
        "ł": "l",  # Polish l-stroke has no decomposition, so accent stripping misses it
        "ـ": None,  # Arabic tatweel (justification stretch)
        "،": ",",  # Arabic comma
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        # Direction marks and zero-width characters that scraped Arabic text carries.
        **dict.fromkeys(
            "\u200b\u200c\u200d\u200e\u200f\u061c\u2060\ufeff\u00ad"
            "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
            None,
        ),
    }
)
_WHITESPACE_RE = re.compile(r"\s+")
# ASCII text without any of these has nothing for _WHITESPACE_RE to change but its ends.
_ASCII_SPACES = ("  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _combining_class() -> str:
    """A regex character class of the Basic Multilingual Plane's combining marks (~15 ms)."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]"


# Combining marks left after NFKC (Arabic harakat, the dot casefold puts on a Turkish İ).
_COMBINING_RE = re.compile(_combining_class())


def normalize(text: str) -> str:
    """Case-, accent- and width-insensitive form used for all matching.

    NFKC folds full-width digits and punctuation (年３月, ：) and ordinal indicators; casefold
    and stripping combining marks make "Février", "FEVRIER" and "fevrier" one key, "Maerz"
    excepted (listed explicitly). NFC at the end recomposes Hangul, which NFD split into jamo.
    """
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_FIXES)
        decomposed = unicodedata.normalize("NFD", text)
        # Most lines (CJK, Arabic, Cyrillic without й/ё) have no mark to strip: skip the walk.
        if decomposed != text or _COMBINING_RE.search(text):
            text = "".join(c for c in decomposed if not unicodedata.combining(c))
            text = unicodedata.normalize("NFC", text)
    if text.isascii() and not any(s in text for s in _ASCII_SPACES):
        return text.strip()  # no run of spaces to fold: skip the regex
    return _WHITESPACE_RE.sub(" ", text).strip()


def alternation(words: Iterable[str]) -> str:
    """Regex alternation, longest first so "marzo" is tried before "mar"; spaces match runs."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)
