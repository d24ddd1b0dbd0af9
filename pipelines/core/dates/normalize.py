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
        text = "".join(
            c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
        )
        text = unicodedata.normalize("NFC", text)
    return _WHITESPACE_RE.sub(" ", text).strip()


def alternation(words: Iterable[str]) -> str:
    """Regex alternation, longest first so "marzo" is tried before "mar"; spaces match runs."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)
