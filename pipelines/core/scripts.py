"""Which writing system a text is written in, and which languages that leaves (pure: no Beam).

`script_verdict(sample)` counts the sample's letters per script and picks the dominant one. Latin
names, tickers and terms are common inside non-Latin news ("Alexion Pharmaceuticals (ALXN)
可能是…") while the reverse is rare, so a non-Latin script wins as soon as it has at least
`NON_LATIN_WINS` times as many units as Latin has words (a unit: a word of an alphabetic script,
two characters of Han, Kana, Hangul or Thai, which write words without spaces).

Where the script decides the language, the verdict names it (Hangul: ko; Kana: ja; Han without
Kana: zh; Greek, Hebrew, Thai and the Indic scripts with one profile each). Otherwise it leaves a
set of langdetect profiles for the model: the Latin-script ones; ar/fa/ur; hi/mr/ne; and for
Cyrillic, the languages the letters allow (і ї є ґ only Ukrainian; ѓ ќ ѕ ј љ њ џ only
Macedonian; ы э ё only Russian; ъ not Ukrainian).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["LATIN_PROFILES", "ScriptVerdict", "script_verdict"]

LATIN = "L"
CYRILLIC = "C"
ARABIC = "A"
DEVANAGARI = "D"
HAN = "Z"
KANA = "K"
HANGUL = "W"
THAI = "I"
# (first code point, last + 1, class); letters outside these ranges are class "O" (other).
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x0250, LATIN),
    (0x0300, 0x0370, LATIN),  # combining diacritics (decomposed text)
    (0x1E00, 0x1F00, LATIN),
    (0x0370, 0x0400, "G"),
    (0x1F00, 0x2000, "G"),
    (0x0400, 0x0530, CYRILLIC),
    (0x0590, 0x0600, "H"),
    (0x0600, 0x0800, ARABIC),
    (0x08A0, 0x0900, ARABIC),
    (0xFB50, 0xFE00, ARABIC),
    (0xFE70, 0xFF00, ARABIC),
    (0x0900, 0x0980, DEVANAGARI),
    (0x0980, 0x0A00, "B"),
    (0x0A00, 0x0A80, "P"),
    (0x0A80, 0x0B00, "J"),
    (0x0B80, 0x0C00, "T"),
    (0x0C00, 0x0C80, "E"),
    (0x0C80, 0x0D00, "N"),
    (0x0D00, 0x0D80, "M"),
    (0x0E00, 0x0E80, THAI),
    (0x1100, 0x1200, HANGUL),
    (0x3130, 0x3190, HANGUL),
    (0xAC00, 0xD7B0, HANGUL),
    (0x3040, 0x3100, KANA),
    (0x31F0, 0x3200, KANA),
    (0xFF66, 0xFFA0, KANA),
    (0x3400, 0x4DC0, HAN),
    (0x4E00, 0xA000, HAN),
    (0xF900, 0xFB00, HAN),
)
# Scripts written without spaces between words: two characters count as one unit.
_UNSPACED = frozenset({HAN, KANA, HANGUL, THAI})
# A non-Latin script decides when its units are at least this share of the Latin words: Latin
# names and tickers are common in non-Latin news, the reverse is rare.
NON_LATIN_WINS = 0.5
# Kana among Han and Kana characters from which a text is Japanese (Japanese prose is ~40-70 %
# Kana; Chinese has none, but may quote a Japanese name).
_KANA_SHARE = 0.1

# Scripts whose every text is one profile's language.
_SCRIPT_DECIDES = {
    "G": "el",
    "H": "he",
    THAI: "th",
    HANGUL: "ko",
    KANA: "ja",
    HAN: "zh-cn",
    "B": "bn",
    "P": "pa",
    "J": "gu",
    "T": "ta",
    "E": "te",
    "N": "kn",
    "M": "ml",
}
LATIN_PROFILES = frozenset(
    (
        "af",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "en",
        "es",
        "et",
        "fi",
        "fr",
        "hr",
        "hu",
        "id",
        "it",
        "lt",
        "lv",
        "nl",
        "no",
        "pl",
        "pt",
        "ro",
        "sk",
        "sl",
        "so",
        "sq",
        "sv",
        "sw",
        "tl",
        "tr",
        "vi",
    )
)
_SCRIPT_PROFILES = {
    LATIN: LATIN_PROFILES,
    ARABIC: frozenset({"ar", "fa", "ur"}),
    DEVANAGARI: frozenset({"hi", "mr", "ne"}),
}
# Cyrillic letters that only one of the profiled languages (bg, mk, ru, uk) uses.
_ONLY_UK = frozenset("іїєґІЇЄҐ")
_ONLY_MK = frozenset("ѓќѕјљњџЃЌЅЈЉЊЏ")
_ONLY_RU = frozenset("ыэёЫЭЁ")
_NOT_UK = frozenset("ъЪ")


def _classify(code: int) -> str:
    char = chr(code)
    if not char.isalpha() and unicodedata.category(char)[0] != "M":
        return " "  # vowel signs and other marks belong to their letters' words
    for start, end, cls in _RANGES:
        if start <= code < end:
            return cls
    return "O"


class _ScriptTable(dict):
    """str.translate table: letter -> script class, anything else -> space (filled lazily)."""

    def __missing__(self, code: int) -> str:
        self[code] = value = _classify(code)
        return value


_TABLE = _ScriptTable()
# Characters of scripts other than Latin (from Greek on; punctuation and symbols U+2000-2BFF and
# Latin Extended Additional left out), and Latin letters.
_BEYOND_LATIN = re.compile("[\u0370-\u1dff\u1f00-\u1fff\u2c00-\U0010ffff]")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


@dataclass(frozen=True)
class ScriptVerdict:
    """The dominant script, the profiles it leaves and how many of its words the sample has.

    `profiles` has one element when the script decides the language.
    """

    script: str
    profiles: frozenset[str]
    words: int

    @property
    def decided(self) -> bool:
        return len(self.profiles) == 1


def _cyrillic_profiles(sample: str) -> frozenset[str]:
    letters = frozenset(sample)
    if letters & _ONLY_UK:
        return frozenset({"uk"})
    if letters & _ONLY_MK:
        return frozenset({"mk"})
    if letters & _ONLY_RU:
        return frozenset({"ru"})
    if letters & _NOT_UK:
        return frozenset({"bg", "ru"})
    return frozenset({"bg", "ru", "uk"})


def script_verdict(sample: str) -> ScriptVerdict | None:
    """The verdict for `sample`, or None when it has no letter of a profiled script."""
    if not _BEYOND_LATIN.search(sample):  # the common case, at C speed
        if not _LATIN_LETTER.search(sample):
            return None
        # Words as whitespace tokens: the sample is cleaned of digits, URLs and e-mails.
        return ScriptVerdict(LATIN, LATIN_PROFILES, len(sample.split()))
    classes = sample.translate(_TABLE)
    words: dict[str, int] = {}
    for token in classes.split():
        first = token[0]
        if first not in _UNSPACED:
            words[first] = words.get(first, 0) + 1
    units = dict(words)
    for cls in _UNSPACED:
        count = classes.count(cls)
        if count:
            units[cls] = count / 2
    if not units:
        return None
    if units.get(HAN) and units.get(KANA, 0) >= _KANA_SHARE * units[HAN]:
        units[KANA] += units.pop(HAN)  # Japanese: Kanji with Kana
    elif units.get(KANA) and units.get(HAN):
        units[HAN] += units.pop(KANA)
    latin = units.pop(LATIN, 0)
    units.pop("O", None)
    script = LATIN
    if units:
        best = max(sorted(units), key=units.__getitem__)
        if units[best] >= NON_LATIN_WINS * latin:
            script = best
    elif not latin:
        return None
    if script in _SCRIPT_DECIDES:
        return ScriptVerdict(script, frozenset({_SCRIPT_DECIDES[script]}), words.get(script, 0))
    if script == CYRILLIC:
        return ScriptVerdict(script, _cyrillic_profiles(sample), words[script])
    return ScriptVerdict(script, _SCRIPT_PROFILES[script], words.get(script, 0))
